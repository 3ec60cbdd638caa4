// json-file's rotation (ctr.log, ctr.log.1 … ctr.log.<max-file - 1>) on top of
// conmon's k8s-file log.
//
// Why this shape: conmon's --log-size-max does not rotate; when the file is
// full it opens "<log>.tmp" and renames it over the log, so the full file is
// simply gone (measured with conmon 2.1.6; ctr_logging.c reopen_k8s_file). To
// keep it, berth holds a second name for the live file, "<log>.live", a hard
// link: when conmon renames a new file over the log, the full one lives on
// under that name, and berth moves it to "<log>.1" (shifting older ones up,
// dropping the oldest) and links the new one. A watch on the container's
// directory sees the rename as it happens. While berthd is down nobody
// rotates: the file that fills up then is kept, those after it are lost; the
// same holds for a file that fills up before berthd has handled the previous
// rename (a burst of more than max-size within a few milliseconds). conmon
// offers no signal to reopen its log, so a rotation that never loses a file
// would need berth to sit in the output path; the container's own output
// never waits for any of this.
import { watch, type FSWatcher } from "node:fs";
import { link, rename, rm, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { HostConfig } from "../api/types/index.js";
import { isErrno } from "../errors.js";
import { readLog, type LogRecord, type ReadLogOptions } from "../runtime/conmon-log.js";
import type { CreateOptions } from "../runtime/runtime.js";
import { pathsOf, type Context } from "./context.js";
import { logSettings } from "./log-config.js";
import type { ContainerRecord } from "./records.js";

/** What conmon is told: no log, or a size at which it starts the file afresh. */
export function conmonLogOptions(lc: HostConfig["LogConfig"]): Pick<CreateOptions, "noLog" | "logSizeMax"> {
  const s = logSettings(lc);
  if (s.none) return { noLog: true };
  return s.maxSize ? { logSizeMax: s.maxSize } : {};
}

/** The rotated files of a log, oldest first (those that exist). */
export async function rotatedFiles(log: string, maxFile: number): Promise<string[]> {
  const out: string[] = [];
  for (let k = maxFile - 1; k >= 1; k--) {
    try {
      await stat(`${log}.${k}`);
      out.push(`${log}.${k}`);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
  return out;
}

/**
 * Keeps the file conmon just replaced, if it did: call whenever the log may
 * have been replaced. Serialise calls for one log (watchLogRotation does).
 */
export async function keepReplacedLog(log: string, maxFile: number): Promise<void> {
  const live = `${log}.live`;
  const [current, kept] = await Promise.all([statOrUndefined(log), statOrUndefined(live)]);
  if (!current) return;
  if (kept && kept.ino === current.ino) return;
  if (kept) {
    if (maxFile <= 1) await rm(live, { force: true });
    else {
      await rm(`${log}.${maxFile - 1}`, { force: true });
      for (let k = maxFile - 2; k >= 1; k--) await renameIfExists(`${log}.${k}`, `${log}.${k + 1}`);
      await rename(live, `${log}.1`);
    }
  }
  try {
    await link(log, live);
  } catch (err) {
    // Replaced again meanwhile: the next call catches up.
    if (!isErrno(err, "EEXIST") && !isErrno(err, "ENOENT")) throw err;
  }
}

/** Watches the logs of running containers that rotate (a max-size); call once per Context. */
export function watchLogRotation(ctx: Context): void {
  const watchers = new Map<string, { watcher: FSWatcher; close(): void }>();
  const onChange = (rec: ContainerRecord) => {
    const settings = logSettings(rec.hostConfig.LogConfig);
    if (settings.none || !settings.maxSize) return;
    const log = pathsOf(ctx, rec.id).log;
    let chain = Promise.resolve();
    const check = () => {
      chain = chain
        .then(() => keepReplacedLog(log, settings.maxFile))
        .catch((err: unknown) => ctx.log?.("warn", "log rotation failed", { id: rec.id, error: String(err) }));
    };
    if (rec.state.status === "running" && !watchers.has(rec.id)) {
      const watcher = watch(dirname(log), (_event, name) => {
        if (name === null || name.toString().startsWith(basename(log))) check();
      });
      watcher.on("error", () => watcher.close());
      watchers.set(rec.id, { watcher, close: () => watcher.close() });
      check();
    } else if (rec.state.status !== "running" && rec.state.status !== "paused") {
      watchers.get(rec.id)?.close();
      watchers.delete(rec.id);
      check();
    }
  };
  ctx.changes.on("change", onChange);
  ctx.changes.on("removed", (rec: ContainerRecord) => {
    watchers.get(rec.id)?.close();
    watchers.delete(rec.id);
  });
}

/** The log's entries across its rotated files, oldest first; `tail` counts over all of them. */
export async function* readLogFiles(log: string, opts: ReadLogOptions & { maxFile: number }): AsyncIterable<LogRecord> {
  const { maxFile, ...readOpts } = opts;
  const older = await rotatedFiles(log, maxFile);
  if (older.length === 0) {
    yield* readLog(log, readOpts);
    return;
  }
  const once = { ...readOpts, follow: false };
  if (opts.tail === undefined) {
    for (const file of older) yield* readLog(file, once);
    yield* readLog(log, readOpts);
    return;
  }
  // Newest first, take what each file gives until `tail` lines are found.
  const files = [...older, log];
  const taken: LogRecord[][] = [];
  let wanted = opts.tail;
  for (let i = files.length - 1; i >= 0 && wanted > 0; i--) {
    const got: LogRecord[] = [];
    for await (const r of readLog(files[i]!, { ...once, tail: wanted })) got.push(r);
    taken.unshift(got);
    wanted -= got.length;
  }
  for (const group of taken) yield* group;
  // Following goes on from the end of the live file.
  if (readOpts.follow) yield* readLog(log, { ...readOpts, tail: 0 });
}

async function statOrUndefined(p: string) {
  try {
    return await stat(p);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
}
