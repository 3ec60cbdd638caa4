// Human-readable sizes and durations as Docker prints them (go-units), and the
// parsers behind -m/--memory, --memory-swap and --cpus.
import { UsageError } from "../usage-error.js";

/** "Less than a second", "About a minute", "3 hours", "2 weeks"… */
export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 1) return "Less than a second";
  if (s === 1) return "1 second";
  if (s < 60) return `${s} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  // Hours round to nearest, as go-units does, so 1h40m reads "2 hours".
  const hours = Math.floor(seconds / 3600 + 0.5);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(seconds / 3600 / 24 / 365)} years`;
}

/** Time since a Unix-seconds timestamp, as "2 hours ago". */
export function since(unixSeconds: number, now = Date.now() / 1000): string {
  return `${humanDuration(now - unixSeconds)} ago`;
}

export { humanSize } from "../../oci/units.js";

const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** "512m", "1.5g", "100", "2 GiB" → bytes, with binary multiples like Docker's RAMInBytes. */
export function parseBytes(text: string): number {
  const cut = Math.max(...[..."0123456789. "].map((c) => text.lastIndexOf(c)));
  if (cut < 0) throw new UsageError(`invalid size: '${text}'`);
  const num = text[cut] === " " ? text.slice(0, cut) : text.slice(0, cut + 1);
  const suffix = text.slice(cut + 1).toLowerCase();
  if (!/^[-+]?(?:\d*\.?\d+|\d+\.)$/.test(num)) throw new UsageError(`strconv.ParseFloat: parsing "${num}": invalid syntax`);
  const size = Number(num);
  if (size < 0) throw new UsageError(`invalid size: '${text}'`);
  if (suffix === "" || suffix === "b") return Math.floor(size);
  const mul = BINARY[suffix[0]];
  const tail = suffix.slice(1);
  if (!mul || suffix.length > 3 || (tail !== "" && tail !== "b" && tail !== "ib")) {
    throw new UsageError(`invalid suffix: '${suffix}'`);
  }
  return Math.floor(size * mul);
}

/** --cpus "1.5" → 1500000000 NanoCpus, exactly (no float rounding). */
export function parseNanoCpus(text: string): number {
  // A negative count parses, as in Docker, so that the daemon refuses it in its words.
  const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === "" && !m[3])) throw new UsageError(`failed to parse ${text} as a rational number`);
  const fraction = (m[3] ?? "").replace(/0+$/, "");
  if (fraction.length > 9) throw new UsageError("value is too precise");
  const nano = Number(m[2] || "0") * 1e9 + Number(fraction.padEnd(9, "0") || "0");
  return m[1] === "-" ? -nano : nano;
}

const BINARY_ABBRS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

/** Binary size as `docker info` prints memory: 4026531840 → "3.75GiB". */
export function bytesSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < BINARY_ABBRS.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${Number(size.toPrecision(4))}${BINARY_ABBRS[unit]}`;
}
