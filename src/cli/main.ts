// Entry point of the `berth` CLI when it runs unbundled (bin/berth loads the
// bundle of program.ts when it is fresh, and calls the same main()).
import { main } from "./program.js";

await main(process.argv.slice(2));
