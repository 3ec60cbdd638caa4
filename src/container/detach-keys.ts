// Detach keys: the sequence (default ctrl-p ctrl-q) that, typed into an
// attached TTY, disconnects the client and leaves the container running.
// The scanner holds back bytes that may begin the sequence and lets them
// through once it is clear they do not.
import { InvalidArgumentError } from "../errors.js";

export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

/** Docker's notation ("ctrl-p,ctrl-q", "a,ctrl-\\") to bytes. */
export function parseDetachKeys(spec: string): Buffer {
  const bytes: number[] = [];
  for (const key of spec.split(",")) {
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const c = ctrl[1]!.toLowerCase();
      if (c >= "a" && c <= "z") {
        bytes.push(c.charCodeAt(0) - 96);
        continue;
      }
      // ctrl-@ is NUL; ctrl-[ ctrl-\ ctrl-] ctrl-^ ctrl-_ are 27…31.
      const i = "@[\\]^_".indexOf(c);
      if (i < 0) throw new InvalidArgumentError(`Invalid detach keys (${spec}) provided`);
      bytes.push(i === 0 ? 0 : 26 + i);
    } else if (key.length === 1) {
      bytes.push(key.charCodeAt(0));
    } else {
      throw new InvalidArgumentError(`Invalid detach keys (${spec}) provided`);
    }
  }
  return Buffer.from(bytes);
}

export interface DetachScanner {
  /** The bytes to forward now, and whether the sequence was completed. */
  push(chunk: Buffer): { forward: Buffer; detach: boolean };
}

export function createDetachScanner(keys: Buffer): DetachScanner {
  let matched = 0;
  return {
    push(chunk) {
      const out: number[] = [];
      for (const byte of chunk) {
        if (byte === keys[matched]) {
          matched++;
          if (matched === keys.length) return { forward: Buffer.from(out), detach: true };
          continue;
        }
        // Not the sequence after all: release what was held, then look at this byte afresh.
        for (let i = 0; i < matched; i++) out.push(keys[i]!);
        matched = 0;
        if (byte === keys[0]) {
          matched = 1;
          if (keys.length === 1) return { forward: Buffer.from(out), detach: true };
        } else out.push(byte);
      }
      return { forward: Buffer.from(out), detach: false };
    },
  };
}
