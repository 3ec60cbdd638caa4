// Connects a task's attach streams (from the runtime) to a client's hijacked
// streams, for attach and exec alike. Ends when the process's output ends,
// when the detach keys are typed, or when the client goes away.
import type { AttachStreams } from "../runtime/runtime.js";
import type { StdioStreams } from "./container-service.js";
import { createDetachScanner } from "./detach-keys.js";

export type StdioEnd = "exited" | "detached" | "gone";

export interface ConnectOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Scan stdin for this sequence (only with a TTY, as Docker). */
  detachKeys?: Buffer;
  signal: AbortSignal;
}

export function connectStdio(task: AttachStreams, io: StdioStreams, opts: ConnectOptions): Promise<StdioEnd> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (how: StdioEnd) => {
      if (finished) return;
      finished = true;
      opts.signal.removeEventListener("abort", onAbort);
      if (how !== "exited") task.close();
      task.stdout.unpipe();
      task.stderr.unpipe();
      resolve(how);
    };
    const onAbort = () => finish("gone");
    if (opts.signal.aborted) return finish("gone");
    opts.signal.addEventListener("abort", onAbort, { once: true });

    let open = 2;
    for (const [from, to, wanted] of [
      [task.stdout, io.stdout, opts.stdout],
      [task.stderr, io.stderr, opts.stderr],
    ] as const) {
      if (wanted) from.pipe(to, { end: false });
      else from.resume(); // read and drop, so the process never blocks on a full pipe
      const ended = () => {
        if (--open === 0) finish("exited");
      };
      from.once("end", ended);
      from.once("error", ended);
    }

    const stdin = io.stdin;
    if (opts.stdin && stdin) {
      const scanner = opts.detachKeys?.length ? createDetachScanner(opts.detachKeys) : undefined;
      stdin.on("data", (chunk: Buffer) => {
        if (finished) return;
        if (!scanner) {
          task.stdin.write(chunk);
          return;
        }
        const { forward, detach } = scanner.push(chunk);
        if (forward.length) task.stdin.write(forward);
        if (detach) finish("detached");
      });
      // The client closed its side: pass the EOF on (the runtime closes stdin when StdinOnce).
      stdin.once("end", () => {
        if (!finished) task.stdin.end();
      });
    }
  });
}
