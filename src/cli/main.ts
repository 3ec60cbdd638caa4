// Entry point of the `berth` CLI (bin/berth imports this module).
import { runCli } from "./program.js";

const code = await runCli(process.argv.slice(2));
// Exit once pending output is flushed; stdin or a socket may still hold the loop open.
const finish = (): never => process.exit(code);
if (process.stdout.writableLength > 0) process.stdout.once("drain", finish);
else if (process.stderr.writableLength > 0) process.stderr.once("drain", finish);
else finish();
