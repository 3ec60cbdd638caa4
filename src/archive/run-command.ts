// Runs a helper program (mknod, setfattr, getfattr, cp) for what Node's fs
// cannot do: it has no mknod and no xattr calls.
import { spawn } from "node:child_process";
import { SystemError } from "../errors.js";
import { helperEnv, programPath } from "./helper-programs.js";

/** Runs `cmd args`, feeding `input` on stdin; resolves with stdout, rejects with stderr in the message. */
export function runCommand(cmd: string, args: string[], opts: { input?: string | Buffer } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // No stdin pipe unless there is input: each pipe is a socket object and an epoll entry.
    const file = programPath(cmd);
    const child =
      opts.input === undefined
        ? spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], env: helperEnv() })
        : spawn(file, args, { stdio: ["pipe", "pipe", "pipe"], env: helperEnv() });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => reject(new SystemError(`${cmd}: ${e.message}`, { cause: e })));
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out));
      const why = Buffer.concat(err).toString("utf8").trim() || `exit ${code ?? signal}`;
      reject(new SystemError(`${cmd} failed: ${why}`));
    });
    if (child.stdin) {
      // A child that exits early closes stdin; the close event reports why.
      child.stdin.on("error", () => {});
      child.stdin.end(opts.input);
    }
  });
}
