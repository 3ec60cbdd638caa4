// A mistake in how the CLI was called (bad flag value, bad template), found
// before any request: printed without the daemon's "Error response" prefix.
import { InvalidArgumentError } from "../errors.js";

export class UsageError extends InvalidArgumentError {}
