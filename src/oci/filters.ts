// Docker's `filters` query parameter: JSON of {"key": ["v1","v2"]} (or the
// pre-1.22 {"key": {"v1": true}} form). Parsed once at the API edge.
import { InvalidArgumentError } from "../errors.js";
import { isGoDuration, parseGoDuration } from "./duration.js";

export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | undefined | null): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidArgumentError(`invalid filter: ${raw}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`invalid filter: ${raw}`);
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) out.set(key, value.map(String));
    else if (typeof value === "object" && value !== null) {
      out.set(key, Object.entries(value).filter(([, on]) => on === true).map(([v]) => v));
    } else throw new InvalidArgumentError(`invalid filter: ${raw}`);
  }
  return out;
}

/** Rejects filter keys a command does not know, with Docker's message. */
export function checkFilterKeys(filters: Filters, allowed: readonly string[]): void {
  for (const key of filters.keys()) {
    if (!allowed.includes(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
}

/**
 * A `since`/`until` filter value as Docker reads it (GetTimestamp): a Go
 * duration back from `nowMs` ("10m"), an RFC 3339 date or time (local when it
 * has no zone), or Unix seconds ("1700000000.5"). Returns milliseconds.
 */
export function filterTimestamp(value: string, nowMs: number): number {
  if (value !== "0" && isGoDuration(value)) return nowMs - parseGoDuration(value) / 1e6;
  if (value.includes("-")) {
    // JS reads a bare date as UTC and a time without zone as local; Go reads both as local.
    const withTime = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value;
    const ms = Date.parse(/T\d{2}$/.test(withTime) ? `${withTime}:00` : withTime);
    if (!Number.isNaN(ms)) return ms;
  } else if (/^\d+(?:\.\d+)?$/.test(value)) {
    return Number(value) * 1000;
  }
  throw new InvalidArgumentError(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
}

/** A `label=k` or `label=k=v` filter against a resource's labels. */
export function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf("=");
  if (eq < 0) return Object.hasOwn(labels, filter);
  const key = filter.slice(0, eq);
  return Object.hasOwn(labels, key) && labels[key] === filter.slice(eq + 1);
}

/** A `name=` filter: a regular expression as dockerd reads it, or plain text when it is not one. */
export function nameMatches(name: string, pattern: string): boolean {
  try {
    return new RegExp(pattern).test(name);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    return name.includes(pattern);
  }
}

/**
 * A boolean filter (`dangling=true|1|false|0`), undefined when absent. Values
 * that say both or neither are dockerd's "invalid filter 'key=[v …]'".
 */
export function boolFilter(filters: Filters, key: string): boolean | undefined {
  const values = filters.get(key);
  if (!values) return undefined;
  const isTrue = values.some((v) => v.toLowerCase() === "true" || v === "1");
  const isFalse = values.some((v) => v.toLowerCase() === "false" || v === "0");
  if (isTrue === isFalse) {
    throw new InvalidArgumentError(values.length === 0 ? `invalid filter '${key}'` : `invalid filter '${key}=[${values.join(" ")}]'`);
  }
  return isTrue;
}
