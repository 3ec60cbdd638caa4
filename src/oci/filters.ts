// Docker's `filters` query parameter: JSON of {"key": ["v1","v2"]} (or the
// pre-1.22 {"key": {"v1": true}} form). Parsed once at the API edge.
import { InvalidArgumentError } from "../errors.js";

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
