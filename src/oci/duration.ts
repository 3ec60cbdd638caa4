// Go's time.ParseDuration ("1m30s", "0.5s", "250ms"), which Dockerfile
// HEALTHCHECK flags and the `until` filters use; the result is in nanoseconds,
// as the API stores durations.
import { InvalidArgumentError } from "../errors.js";

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3,
  "μs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** True when `s` parses as a Go duration. */
export function isGoDuration(s: string): boolean {
  try {
    parseGoDuration(s);
    return true;
  } catch (err) {
    if (err instanceof InvalidArgumentError) return false;
    throw err;
  }
}

export function parseGoDuration(s: string): number {
  const invalid = (): InvalidArgumentError => new InvalidArgumentError(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw invalid();
  let total = 0;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if (m[0] === "" || m[0] === "." || (m[1] === "" && (m[2] ?? "") === "")) throw invalid();
    rest = rest.slice(m[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === "") throw new InvalidArgumentError(`time: missing unit in duration ${JSON.stringify(s)}`);
    const scale = UNIT_NS[unit];
    if (scale === undefined) {
      throw new InvalidArgumentError(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(s)}`);
    }
    rest = rest.slice(unit.length);
    total += Number(`${m[1] || "0"}.${m[2] || "0"}`) * scale;
  }
  return sign * Math.round(total);
}

/** Go's time.Duration.String(): "0s", "500ms", "1.5s", "1m30s", "2h0m0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  let n = Math.abs(ns);
  if (n < 1e3) return `${sign}${n}ns`;
  const trim = (v: number, digits: number): string => v.toFixed(digits).replace(/\.?0+$/, "");
  if (n < 1e6) return `${sign}${trim(n / 1e3, 3)}µs`;
  if (n < 1e9) return `${sign}${trim(n / 1e6, 6)}ms`;
  const h = Math.floor(n / 3.6e12);
  n -= h * 3.6e12;
  const m = Math.floor(n / 6e10);
  n -= m * 6e10;
  const s = `${trim(n / 1e9, 9)}s`;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}
