// readLog: a container's log as conmon writes it (k8s-file format), one entry
// per line of output, stdout and stderr kept apart.
//
// Each record is `<RFC3339Nano local time> <stdout|stderr> <P|F> <content>\n`.
// conmon cuts output into records at newlines and at its 8 KiB read buffer: F
// ends a line (the line's own "\n" is the record's end), P is a piece of a line
// that continues in the next record of the same stream. Entries join the
// pieces and end full lines with "\n"; a line still unfinished at the end of
// the log comes out without one.
import { open, stat, type FileHandle } from "node:fs/promises";
import { isErrno } from "../errors.js";
import { ChangeWaiter } from "./change-waiter.js";

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
    // Set once stopWhen said the run is over: one more look for output, then the end.
    let stopping = false;
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
        const next = await afterEnd(path, fh, offset);
        if (next === "grew") continue;
        if (next === "truncated") {
          offset = 0;
          rest = Buffer.alloc(0);
          continue;
        }
        if (next) {
          // conmon started a new file under the log's name (--log-size-max): go on
          // in it from its start; the old one is read to its end already. A line
          // cut into P records goes on joining across the two.
          await fh.close();
          fh = next;
          offset = 0;
          rest = Buffer.alloc(0);
          waiter?.close();
          waiter = undefined;
          continue;
        }
        if (stopping) break;
        if (opts.stopWhen && (await opts.stopWhen())) {
          // Output may have landed (or the file been replaced) between our read and the exit.
          stopping = true;
          continue;
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

/**
 * What happened to a followed log once its reader is at `offset`, the end of
 * what it read: the file grew, was truncated, or another file took its name
 * (returned open) — or nothing. The name is looked at before the open file, so
 * that a replacement is reported only after every byte written to the old
 * file is visible: conmon writes the old file before renaming the new over it.
 */
async function afterEnd(path: string, fh: FileHandle, offset: number): Promise<"grew" | "truncated" | FileHandle | undefined> {
  const named = await statOrUndefined(path);
  const own = await fh.stat();
  if (own.size > offset) return "grew";
  if (own.size < offset) return "truncated";
  if (!named || (named.ino === own.ino && named.dev === own.dev)) return undefined;
  try {
    return await open(path, "r");
  } catch (err) {
    // Gone again between the stat and the open: the next look finds what took its place.
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
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
