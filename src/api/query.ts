// Query parameters parsed the way dockerd's httputils does, so that clients
// written against Docker (which send "1", "true", "True", "0", "") agree with us.
import { InvalidArgumentError } from "../errors.js";

const FALSE = new Set(["", "0", "no", "false", "none"]);

/** Docker's BoolValue: absent, empty, 0, no, false or none are false; anything else is true. */
export function boolParam(query: URLSearchParams, key: string, fallback = false): boolean {
  const raw = query.get(key);
  if (raw === null) return fallback;
  return !FALSE.has(raw.trim().toLowerCase());
}

/** An integer parameter, undefined when absent or empty; garbage is a 400 worded like Go's strconv. */
export function intParam(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === "") return undefined;
  if (!/^[+-]?\d+$/.test(raw)) throw new InvalidArgumentError(`strconv.Atoi: parsing "${raw}": invalid syntax`);
  return Number(raw);
}

/** Like intParam, but the parameter must be there (resize's h and w). */
export function requiredIntParam(query: URLSearchParams, key: string): number {
  const value = intParam(query, key);
  if (value === undefined) throw new InvalidArgumentError(`strconv.Atoi: parsing "": invalid syntax`);
  return value;
}

/**
 * A point in time as the CLI sends it: Unix seconds with an optional
 * fraction ("1700000000.123456789"), or an RFC 3339 date. Returns Unix
 * seconds; undefined when absent or empty.
 */
export function timeParam(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === "") return undefined;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`invalid value for ${key}: ${raw}`);
  return ms / 1000;
}
