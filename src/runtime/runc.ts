// Running the OCI runtime binary (runc) directly for the short commands —
// start, state, kill, pause, resume, delete. `create` and `exec` go through
// conmon instead, because their process must outlive berthd.
import { execFile } from "node:child_process";
import { ConflictError, NotFoundError, SystemError } from "../errors.js";
import type { TaskStatus } from "./runtime.js";

export interface RuncOptions {
  runtimePath: string;
  runtimeRoot: string;
}

/** Why runc failed, from its JSON log lines on stderr (level "error"), or the raw text. */
export class RuncError extends SystemError {
  constructor(
    readonly runcMessage: string,
    readonly command: string,
  ) {
    super(`runc ${command} failed: ${runcMessage}`);
  }
}

/** Runs `runc --root R --log-format json <args…>`; resolves to stdout. */
export function runc(opts: RuncOptions, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      opts.runtimePath,
      ["--root", opts.runtimeRoot, "--log-format", "json", ...args],
      { maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" } },
      (err, stdout, stderr) => {
        if (err) reject(new RuncError(runcErrorMessage(stderr) || err.message, args[0] ?? ""));
        else resolve(stdout);
      },
    );
  });
}

/** The last error message in runc's output (JSON log lines or plain text). */
export function runcErrorMessage(output: string): string {
  let message = "";
  for (const line of output.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("{")) {
      try {
        const rec = JSON.parse(trimmed) as { level?: string; msg?: string };
        if (rec.level === "error" && typeof rec.msg === "string") message = rec.msg;
        continue;
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
      }
    }
    message = trimmed;
  }
  return message;
}

export interface RuncState {
  status: TaskStatus;
  pid: number;
}

/** runc's view of a container, or undefined when runc does not know it. */
export async function runcState(opts: RuncOptions, id: string): Promise<RuncState | undefined> {
  let out: string;
  try {
    out = await runc(opts, ["state", id]);
  } catch (err) {
    if (err instanceof RuncError && /does not exist|not exist/.test(err.runcMessage)) return undefined;
    throw err;
  }
  const state = JSON.parse(out) as { status: string; pid: number };
  const status: TaskStatus =
    state.status === "running" || state.status === "paused" || state.status === "stopped" ? state.status : "created";
  return { status, pid: state.pid };
}

/** Maps runc's "not running"/"does not exist" to the errors Docker gives, rethrows the rest. */
export function dockerError(err: unknown, id: string): unknown {
  if (!(err instanceof RuncError)) return err;
  if (/does not exist/.test(err.runcMessage)) return new NotFoundError(`No such container: ${id}`);
  if (/not running|process already finished|container not running|is stopped/.test(err.runcMessage)) {
    return new ConflictError(`Container ${id} is not running`);
  }
  return err;
}
