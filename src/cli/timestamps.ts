// --since/--until of logs and events: RFC 3339 dates (local time when no zone
// is given), Unix timestamps, or durations back from now ("10m", "1h30m"),
// turned into the "seconds.nanoseconds" string the API takes.
import { UsageError } from "./usage-error.js";

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export function parseTimestamp(value: string, now: number = Date.now()): string {
  const duration = parseDuration(value);
  if (value !== "0" && duration !== undefined) return String(Math.floor((now - duration / 1e6) / 1000));
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  let text = value;
  if (!text.includes("T")) text += "T00:00:00";
  else if (/T\d\d$/.test(text)) text += ":00";
  const ms = Date.parse(text);
  const fraction = /\.(\d{1,9})/.exec(value)?.[1] ?? "";
  const date = /^\d{4}-(\d\d)-(\d\d)/.exec(value);
  if (date && (Number(date[1]) < 1 || Number(date[1]) > 12)) throw new UsageError(`parsing time "${value}": month out of range`);
  if (date && (Number(date[2]) < 1 || Number(date[2]) > 31)) throw new UsageError(`parsing time "${value}": day out of range`);
  if (Number.isNaN(ms)) {
    if (value.includes("-")) throw new UsageError(`parsing time "${value}": cannot parse as RFC 3339`);
    throw new UsageError(`failed to parse value as time or duration: "${value}"`);
  }
  const seconds = Math.floor(ms / 1000);
  return `${seconds}.${fraction.padEnd(9, "0")}`;
}

/** Go's time.ParseDuration, in nanoseconds; undefined when it is not a duration. */
export function parseDuration(value: string): number | undefined {
  const m = /^([-+]?)((?:\d*\.?\d+(?:ns|us|µs|ms|s|m|h))+)$/.exec(value);
  if (!m) return value === "0" ? 0 : undefined;
  let total = 0;
  for (const part of m[2].matchAll(/(\d*\.?\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * UNIT_NS[part[2]];
  return m[1] === "-" ? -total : total;
}
