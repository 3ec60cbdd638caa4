// readLog: a container's log as conmon writes it (k8s-file format), one entry
// per line of output, stdout and stderr kept apart.
//
// Each record is `<RFC3339Nano local time> <stdout|stderr> <P|F> <content>\n`.
// conmon cuts output into records at newlines and at its 8 KiB read buffer: F
// ends a line (the line's own "\n" is the record's end), P is a piece of a line
// that continues in the next record of the same stream. Entries join the
// pieces and end full lines with "\n"; a line still unfinished at the end of
// the log comes out without one.
import { watch, type FSWatcher } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { isErrno } from "../errors.js";

export interface LogRecord {
  stream: "stdout" | "stderr";
  /** RFC3339Nano in UTC, nine fraction digits (as `docker logs -t` prints). */
  time: string;
  line: Buffer;
}

export interface ReadLogOptions {
  follow: boolean;
  /** Unix seconds (fractional): entries before are skipped. */
  since?: number;
  /** Unix seconds (fractional): entries after are skipped (and following stops there). */
  until?: number;
  /** Only the last `tail` lines (before since/until apply, as Docker does). */
  tail?: number;
  signal?: AbortSignal;
  /** Asked whenever the log is drained while following: true ends the stream (the container exited). */
  stopWhen?: () => Promise<boolean>;
  /**
   * Settles when the run ends: the follower drains the log and asks stopWhen at
   * once rather than at its next poll (an exit changes nothing in the file).
   */
  ended?: Promise<void>;
}

const CHUNK = 64 * 1024;
const POLL_MS = 500;

interface Parsed {
  stream: "stdout" | "stderr";
  time: string;
  seconds: number;
  partial: boolean;
  content: Buffer;
}

export async function* readLog(path: string, opts: ReadLogOptions): AsyncIterable<LogRecord> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (err) {
    // No log yet (the container never produced output or never started).
    if (isErrno(err, "ENOENT")) return;
    throw err;
  }
  try {
    let offset = opts.tail !== undefined ? await tailOffset(fh, opts.tail) : 0;
    const pending: Record<"stdout" | "stderr", Parsed | undefined> = { stdout: undefined, stderr: undefined };
    let rest = Buffer.alloc(0);
    let waiter: ChangeWaiter | undefined;
    try {
      for (;;) {
        if (opts.signal?.aborted) return;
        const { bytesRead, buffer } = await fh.read(Buffer.alloc(CHUNK), 0, CHUNK, offset);
        if (bytesRead > 0) {
          offset += bytesRead;
          rest = rest.length > 0 ? Buffer.concat([rest, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
          let nl: number;
          while ((nl = rest.indexOf(0x0a)) !== -1) {
            const rec = parseRecord(rest.subarray(0, nl));
            rest = rest.subarray(nl + 1);
            if (!rec) continue;
            const entry = join(pending, rec);
            if (!entry) continue;
            if (opts.until !== undefined && entry.seconds > opts.until) return;
            if (opts.since === undefined || entry.seconds >= opts.since) yield toRecord(entry, true);
          }
          continue;
        }
        // At the end of what is written so far.
        if (!opts.follow) break;
        const size = (await fh.stat()).size;
        if (size < offset) {
          // The file was truncated (log rotation by size): start over.
          offset = 0;
          rest = Buffer.alloc(0);
          continue;
        }
        if (size > offset) continue;
        if (opts.stopWhen && (await opts.stopWhen())) {
          // Re-check: output may have landed between our read and the exit.
          if ((await fh.stat()).size > offset) continue;
          break;
        }
        waiter ??= new ChangeWaiter(path, { signal: opts.signal, ended: opts.ended });
        await waiter.next();
      }
    } finally {
      waiter?.close();
    }
    // Lines left unfinished at the end of the log.
    for (const stream of ["stdout", "stderr"] as const) {
      const entry = pending[stream];
      if (entry && (opts.since === undefined || entry.seconds >= opts.since) && (opts.until === undefined || entry.seconds <= opts.until)) {
        yield toRecord(entry, false);
      }
    }
  } finally {
    await fh.close();
  }
}

/** Adds a record to its stream's pending pieces; returns the whole line when the record ends one. */
function join(pending: Record<"stdout" | "stderr", Parsed | undefined>, rec: Parsed): Parsed | undefined {
  const before = pending[rec.stream];
  const merged = before ? { ...before, content: Buffer.concat([before.content, rec.content]), partial: rec.partial } : rec;
  if (merged.partial) {
    pending[rec.stream] = merged;
    return undefined;
  }
  pending[rec.stream] = undefined;
  return merged;
}

function toRecord(p: Parsed, complete: boolean): LogRecord {
  return { stream: p.stream, time: p.time, line: complete ? Buffer.concat([p.content, Buffer.from("\n")]) : p.content };
}

/** One record without its trailing "\n"; undefined for anything that is not one. */
export function parseRecord(buf: Buffer): Parsed | undefined {
  const sp1 = buf.indexOf(0x20);
  if (sp1 === -1) return undefined;
  const sp2 = buf.indexOf(0x20, sp1 + 1);
  if (sp2 === -1) return undefined;
  const stream = buf.toString("latin1", sp1 + 1, sp2);
  if (stream !== "stdout" && stream !== "stderr") return undefined;
  const tag = buf.toString("latin1", sp2 + 1, sp2 + 2);
  if (tag !== "P" && tag !== "F") return undefined;
  const ts = parseTimestamp(buf.toString("latin1", 0, sp1));
  if (!ts) return undefined;
  // "<tag> " then content; a record holding only "F" (an empty partial flush) has none.
  const content = buf.length > sp2 + 3 ? Buffer.from(buf.subarray(sp2 + 3)) : Buffer.alloc(0);
  return { stream, time: ts.time, seconds: ts.seconds, partial: tag === "P", content };
}

/** conmon's local-time stamp with offset → UTC RFC3339 with nanoseconds, and unix seconds. */
export function parseTimestamp(s: string): { time: string; seconds: number } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return undefined;
  const wholeMs = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(wholeMs)) return undefined;
  const frac = (m[2] ?? "").padEnd(9, "0");
  const utc = new Date(wholeMs).toISOString().slice(0, 19);
  return { time: `${utc}.${frac}Z`, seconds: wholeMs / 1000 + Number(frac) / 1e9 };
}

/**
 * The offset where the last `tail` lines begin, found by reading backwards in
 * chunks so that a big log is not read whole. A record ends a line when it is
 * an F record, or the last P record of its stream (a line still unfinished).
 */
async function tailOffset(fh: FileHandle, tail: number): Promise<number> {
  const size = (await fh.stat()).size;
  if (tail <= 0) return size;
  let lines = 0;
  const seen = new Set<string>();
  for await (const { end, record } of recordsBackward(fh, size)) {
    const rec = parseRecord(record);
    if (!rec) continue;
    const endsLine = !rec.partial || !seen.has(rec.stream);
    seen.add(rec.stream);
    if (!endsLine) continue;
    if (lines === tail) return end;
    lines++;
  }
  return 0;
}

/** The records of the file's first `size` bytes, last first: each without its "\n", with its byte range. */
async function* recordsBackward(fh: FileHandle, size: number): AsyncGenerator<{ end: number; record: Buffer }> {
  let end = size; // exclusive end of the next record to emit, its "\n" included
  let bufStart = size;
  let buf = Buffer.alloc(0); // the file's bytes [bufStart, end)
  while (end > 0) {
    const searchFrom = end - bufStart - 2; // skip the record's own "\n"
    const nl = searchFrom >= 0 ? buf.lastIndexOf(0x0a, searchFrom) : -1;
    if (nl === -1 && bufStart > 0) {
      const start = Math.max(0, bufStart - CHUNK);
      const chunk = Buffer.alloc(bufStart - start);
      await fh.read(chunk, 0, chunk.length, start);
      buf = Buffer.concat([chunk, buf]);
      bufStart = start;
      continue;
    }
    const recStart = nl + 1;
    let record = buf.subarray(recStart, end - bufStart);
    if (record[record.length - 1] === 0x0a) record = record.subarray(0, record.length - 1);
    yield { end, record };
    end = bufStart + recStart;
    buf = buf.subarray(0, recStart);
  }
}

/** Resolves next() when the file changes (inotify), on a poll tick as a fallback, on abort, or when the run ends. */
class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  // A change while no next() waits (the reader was reading) wakes the next one at once.
  private changed = false;
  private readonly signal: AbortSignal | undefined;

  constructor(path: string, o: { signal?: AbortSignal; ended?: Promise<void> }) {
    this.signal = o.signal;
    try {
      this.watcher = watch(path, () => {
        this.changed = true;
        this.wake?.();
      });
      this.watcher.on("error", () => this.watcher?.close());
    } catch (err) {
      // The poll tick still notices changes.
      if (!isErrno(err, "ENOENT")) throw err;
    }
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
    this.watcher?.close();
  }
}
