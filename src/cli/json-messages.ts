// Shows a JSON-message stream (pull, push, load, import) as the docker CLI's
// jsonmessage.DisplayJSONMessagesStream does.
//
// On a terminal every message that has an id and progress (even an empty
// progressDetail: {}) owns one line, kept in a block above the cursor: a new
// id adds a line; a later message for it moves the cursor up to that line,
// erases it, rewrites it and moves back down. Any other message ends the
// block (pull -a starts a new one per tag) and is printed as a plain line.
// Elsewhere nothing moves: messages whose progress carries numbers are left
// out and every other message is one line. An in-band error ends the stream
// with that error.
import type { JSONMessage } from "../api/types/index.js";
import { SystemError } from "../errors.js";
import { streamError } from "../client/client.js";

export interface MessageSink {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width; progress bars need more than 110 columns, estimates more than 50. */
  columns?: number;
}

export interface ShowOptions {
  /** Gets each message's aux payload (push digests, build image IDs); such messages are not shown. */
  onAux?(aux: unknown): void;
  /**
   * How an in-band error is reported: "plain" prints its message alone, as
   * the docker CLI does; "daemon" (the default, kept for load/import/run)
   * marks it as the daemon's answer, printed after "Error response from daemon:".
   */
  errors?: "daemon" | "plain";
}

/** progressDetail as dockerd sends it; start/units/hidecounts are extras of some producers. */
interface Progress {
  current?: number;
  total?: number;
  start?: number;
  units?: string;
  hidecounts?: boolean;
}

const ERASE_LINE = "\x1b[2K";
const up = (n: number): string => (n > 0 ? `\x1b[${n}A` : "");
const down = (n: number): string => (n > 0 ? `\x1b[${n}B` : "");

export async function showJSONMessages(messages: AsyncIterable<JSONMessage>, out: MessageSink, opts: ShowOptions = {}): Promise<void> {
  const tty = out.isTTY === true;
  // dockerd's CLI falls back to 200 columns when the size is unknown.
  const width = tty && out.columns ? out.columns : 200;
  // id → its line in the current block, counted from the top.
  let lines = new Map<string, number>();
  for await (const m of messages) {
    if (m.aux !== undefined && m.aux !== null) {
      opts.onAux?.(m.aux);
      continue;
    }
    const progress = (m.progressDetail ?? undefined) as Progress | undefined;
    let diff = 0;
    if (m.id && progress) {
      let line = lines.get(m.id);
      if (line === undefined) {
        line = lines.size;
        lines.set(m.id, line);
        if (tty) out.write("\n");
      }
      diff = lines.size - line;
      if (tty) out.write(up(diff));
    } else {
      lines = new Map();
    }
    const failure = errorOf(m);
    if (!failure) out.write(render(m, progress, { tty, width }));
    if (m.id && tty) out.write(down(diff));
    if (failure !== undefined) throw opts.errors === "plain" ? new SystemError(failure) : streamError(failure);
  }
}

function errorOf(m: JSONMessage): string | undefined {
  if (m.errorDetail?.message) return m.errorDetail.message;
  return m.error || undefined;
}

/** One message as jsonmessage.Display writes it. */
function render(m: JSONMessage, progress: Progress | undefined, { tty, width }: { tty: boolean; width: number }): string {
  const status = m.status ?? "";
  let text = "";
  let endl = "";
  if (tty && !m.stream && progress) {
    endl = "\r";
    text += `${ERASE_LINE}\r`;
  } else if (progress && ((progress.current ?? 0) > 0 || (progress.total ?? 0) > 0)) {
    return "";
  }
  if (m.id) text += `${m.id}: `;
  if (progress && tty) return `${text}${status} ${renderProgress(progress, width)}${endl}`;
  if (m.stream) return `${text}${m.stream}${endl}`;
  return `${text}${status}${endl}\n`;
}

/**
 * "[=====>     ]  1.2MB/5.3MB 3s" as the docker CLI draws it: the bar only
 * when the terminal is wider than 110 columns, the estimate when wider than
 * 50 and the producer said when it started.
 */
export function renderProgress(p: Progress, width: number, now: number = Date.now()): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return "";
  if (total <= 0) return p.units ? `${current} ${p.units}` : humanSize(current).padStart(8);
  const percentage = Math.min(Math.trunc(Math.trunc((current / total) * 100) / 2), 50);
  const bar = width > 110 ? `[${"=".repeat(percentage)}>${" ".repeat(Math.max(50 - percentage, 0))}] ` : "";
  // A current above the total is a producer's miscount: the total is dropped rather than shown wrong.
  const numbers = p.hidecounts
    ? ""
    : p.units
      ? current > total
        ? `${current} ${p.units}`
        : `${current}/${total} ${p.units}`
      : current > total
        ? humanSize(current).padStart(8)
        : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  let left = "";
  if (width > 50 && current > 0 && p.start && p.start > 0 && percentage < 50) {
    const elapsedMs = now - p.start * 1000;
    left = ` ${goDuration(((total - current) * elapsedMs) / current / 1000)}`;
  }
  return bar + numbers + left;
}

const SIZE_UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/** go-units' HumanSize: decimal units, four significant digits ("36.45kB", "3.147MB", "110B"). */
export function humanSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < SIZE_UNITS.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number(size.toPrecision(4))}${SIZE_UNITS[unit]}`;
}

/** Go's time.Duration String() of a whole number of seconds: "0s", "45s", "2m5s", "1h0m3s". */
function goDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
