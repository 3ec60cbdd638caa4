// Shapes shared by several endpoints' query strings.

/** Docker's filters: {"status": ["running"], "label": ["a=b"]}. */
export type Filters = Record<string, string[]>;

export function encodeFilters(filters: Filters | undefined): string | undefined {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  return JSON.stringify(filters);
}

/** Paths carry names and IDs that may hold characters needing escapes. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
