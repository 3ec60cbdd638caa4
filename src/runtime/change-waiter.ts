// Waiting for more of a followed log: a wake-up on a change to the file or to
// its name, with a poll tick as the fallback inotify cannot promise.
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { isErrno } from "../errors.js";

const POLL_MS = 500;

/**
 * Resolves next() when the file changes (inotify), when another file takes its
 * name, on a poll tick as a fallback, on abort, or when the run ends. The name
 * is watched through the directory: conmon renames a new file over a full log,
 * after which the file's own watch sees nothing more.
 */
export class ChangeWaiter {
  private watchers: FSWatcher[] = [];
  private wake: (() => void) | undefined;
  // A change while no next() waits (the reader was reading) wakes the next one at once.
  private changed = false;
  private readonly signal: AbortSignal | undefined;

  constructor(path: string, o: { signal?: AbortSignal; ended?: Promise<void> }) {
    this.signal = o.signal;
    const changed = () => {
      this.changed = true;
      this.wake?.();
    };
    const name = basename(path);
    this.watch(path, changed);
    this.watch(dirname(path), (file) => {
      if (file === null || file === name) changed();
    });
    o.signal?.addEventListener("abort", () => this.wake?.(), { once: true });
    void o.ended?.then(() => {
      this.changed = true;
      this.wake?.();
    });
  }

  next(): Promise<void> {
    if (this.signal?.aborted || this.changed) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, POLL_MS);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        self.changed = false;
        resolve();
      }
      this.wake = done;
    });
  }

  close(): void {
    for (const w of this.watchers) w.close();
  }

  private watch(target: string, onChange: (file: string | null) => void): void {
    try {
      const w = watch(target, (_event, file) => onChange(file === null ? null : file.toString()));
      w.on("error", () => w.close());
      this.watchers.push(w);
    } catch (err) {
      // The poll tick still notices changes.
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
}
