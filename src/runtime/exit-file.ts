// The exit of a process run by conmon, as conmon leaves it on disk: the exit
// file `<exit-dir>/<container id>` holding the exit code (128+signal when
// killed), written atomically once the output is drained, and an `oom` file in
// the persist directory when the memory cgroup saw an OOM kill.
//
// These small files are read synchronously: each read takes microseconds,
// where an async one is a round trip to libuv's pool that costs the event
// loop ten times that, and every start, wait and removal reads several.
import { readFileSync, statSync, watch, type FSWatcher } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { isErrno } from "../errors.js";
import type { ExitStatus } from "./runtime.js";

const POLL_MS = 1000;

/** The recorded exit, or undefined while there is none. */
export async function readExitFile(file: string): Promise<{ exitCode: number; exitedAt: string } | undefined> {
  let text: string;
  let mtime: Date;
  try {
    [text, mtime] = [readFileSync(file, "utf8"), statSync(file).mtime];
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
  const exitCode = Number.parseInt(text.trim(), 10);
  return { exitCode: Number.isNaN(exitCode) ? 255 : exitCode, exitedAt: mtime.toISOString() };
}

/**
 * Records an exit conmon could not record (it was killed before the process
 * ended): 255, the code Docker reports when the real one is unknown. Later
 * readers then all see the same answer.
 */
export async function writeUnknownExit(file: string): Promise<void> {
  await writeFile(file, "255", { flag: "wx" }).catch((err: unknown) => {
    if (!isErrno(err, "EEXIST")) throw err;
  });
}

/**
 * How many OOM kills the container's memory cgroup has seen (cgroupfs driver:
 * the path is absolute within each hierarchy). conmon's `oom` file can lose
 * the race with the exit on cgroup v1, the counter cannot; it lives until
 * runc delete removes the cgroup.
 */
export async function cgroupOomKills(cgroupsPath: string, cgroupV2: boolean): Promise<number> {
  const file = cgroupV2
    ? path.join("/sys/fs/cgroup", cgroupsPath, "memory.events")
    : path.join("/sys/fs/cgroup/memory", cgroupsPath, "memory.oom_control");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return 0;
    throw err;
  }
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number.parseInt(m[1]!, 10) : 0;
}

export async function fileExists(file: string): Promise<boolean> {
  return statSync(file, { throwIfNoEntry: false }) !== undefined;
}

/**
 * Waits until `read()` gives a status: re-reads whenever the directory
 * changes (inotify) and on a slow poll, because inotify misses nothing only
 * while the watch exists and the directory may not exist yet.
 */
export async function waitForStatus(dir: string, read: () => Promise<ExitStatus | undefined>): Promise<ExitStatus> {
  let wake: (() => void) | undefined;
  // A change seen while read() runs must not wait for the poll: read() may
  // have looked just before the file appeared.
  let changed = false;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => {
      changed = true;
      wake?.();
    });
    watcher.on("error", () => watcher?.close());
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
  try {
    for (;;) {
      changed = false;
      const status = await read();
      if (status) return status;
      if (changed) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    watcher?.close();
  }
}
