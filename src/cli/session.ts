// Connects a hijacked attach/exec stream to this terminal: output to
// stdout/stderr, stdin to the container, raw mode and window size for a TTY,
// and the detach keys (ctrl-p,ctrl-q by default) that leave the container running.
import { spawnSync } from "node:child_process";
import type { AttachedStream } from "../client/client.js";
import { isErrno } from "../errors.js";
import type { CliContext } from "./context.js";
import { UsageError } from "./usage-error.js";

export interface SessionOptions {
  tty: boolean;
  /** Forward this process's stdin. */
  stdin: boolean;
  detachKeys?: string;
  /** Tells the daemon the terminal size (container or exec resize). */
  resize?: (size: { height: number; width: number }) => Promise<void>;
}

export type SessionEnd = "ended" | "detached";

export async function runSession(stream: AttachedStream, opts: SessionOptions): Promise<SessionEnd> {
  const cleanups: (() => void)[] = [];
  let detached = false;
  try {
    if (opts.tty && opts.resize && process.stdout.isTTY) {
      const sendSize = opts.resize;
      // One request at a time, as the docker CLI: `stty rows R cols C` signals
      // twice, and two requests in flight can land in either order, the
      // half-changed size last. Signals meanwhile send the size once more after.
      let sending = false;
      let again = false;
      const send = (): void => {
        again = false;
        sendSize({ height: process.stdout.rows, width: process.stdout.columns })
          .catch(() => undefined)
          .finally(() => (again ? send() : (sending = false)));
      };
      const resize = (): void => {
        if (sending) again = true;
        else {
          sending = true;
          send();
        }
      };
      resize();
      process.on("SIGWINCH", resize);
      cleanups.push(() => process.off("SIGWINCH", resize));
    }
    if (opts.stdin) {
      const input = process.stdin;
      if (opts.tty && input.isTTY) {
        input.setRawMode(true);
        rawOutput();
        // Back to the terminal's own settings, output processing included.
        cleanups.push(() => input.setRawMode(false));
      }
      // As Docker: detach keys apply only with a TTY, so binary stdin is passed through untouched.
      const keys = opts.tty ? parseDetachKeys(opts.detachKeys ?? "ctrl-p,ctrl-q") : [];
      let matched = 0;
      const onData = (chunk: Buffer): void => {
        // Hold back a partial detach sequence until we know whether it completes.
        const out: number[] = [];
        for (const byte of chunk) {
          if (keys.length > 0 && byte === keys[matched]) {
            matched++;
            if (matched === keys.length) {
              detached = true;
              stream.close();
              return;
            }
            continue;
          }
          if (matched > 0) out.push(...keys.slice(0, matched));
          matched = 0;
          out.push(byte);
        }
        if (out.length > 0) stream.write(Buffer.from(out));
      };
      const onEnd = (): void => stream.closeWrite();
      input.on("data", onData);
      input.once("end", onEnd);
      cleanups.push(() => {
        input.off("data", onData);
        input.off("end", onEnd);
        input.pause();
      });
    }
    try {
      for await (const { stream: name, data } of stream.output) {
        const target = name === "stderr" ? process.stderr : process.stdout;
        if (!target.write(data)) await new Promise((resolve) => target.once("drain", resolve));
      }
    } catch (err) {
      // Closing the connection ourselves on detach ends the read with an error.
      if (!detached) throw err;
    }
    return detached ? "detached" : "ended";
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}

/**
 * `docker attach` and `docker exec` report a detach as their error (exit 1);
 * `run` and `start` treat it as success.
 */
export function detachedExit(ctx: CliContext): number {
  ctx.err("read escape sequence\n");
  return 1;
}

/**
 * libuv's raw mode keeps the terminal turning "\n" into "\r\n", but a
 * container's TTY already did: Docker's raw mode (cfmakeraw) turns output
 * processing off too, and Node has no call for it, so stty does it.
 */
function rawOutput(): void {
  const r = spawnSync("stty", ["-opost"], { stdio: ["inherit", "ignore", "ignore"] });
  // Without stty the output is still right, only with a "\r" too many per line.
  if (r.error && !isErrno(r.error, "ENOENT")) throw r.error;
}

/** "ctrl-p,ctrl-q" → [16, 17]; "a,ctrl-@" → [97, 0]. */
export function parseDetachKeys(spec: string): number[] {
  if (spec === "") return [];
  return spec.split(",").map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const m = /^ctrl-(.)$/.exec(key);
    if (m) {
      const c = m[1].toLowerCase();
      if (c >= "a" && c <= "z") return c.charCodeAt(0) - 96;
      const specials: Record<string, number> = { "@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, _: 31 };
      if (c in specials) return specials[c];
    }
    throw new UsageError(`Invalid detach keys (${spec}) provided`);
  });
}
