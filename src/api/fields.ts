// Cheap type checks for JSON bodies, worded like Go's decoder, so a wrong type
// is a clear 400 at the door instead of a confusing failure deep inside a
// service. Only the fields a table names are checked; the rest pass through.
import { InvalidArgumentError } from "../errors.js";
import { goTypeName } from "./body.js";

export type FieldKind =
  | "string"
  | "bool"
  | "number"
  | "object"
  /** An array of anything (objects: mounts, ulimits). */
  | "array"
  /** An array of strings. */
  | "strings"
  /** Docker's StrSlice: a string or an array of strings; a string becomes a one-element array. */
  | "strslice"
  /** An object whose values are all strings (labels, options). */
  | "labels";

const GO_TYPE: Record<FieldKind, string> = {
  string: "string",
  bool: "bool",
  number: "int64",
  object: "struct",
  array: "[]struct",
  strings: "[]string",
  strslice: "strslice.StrSlice",
  labels: "map[string]string",
};

function fits(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "bool":
      return typeof value === "boolean";
    case "number":
      return typeof value === "number";
    case "object":
      return typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "strings":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
    case "strslice":
      return typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
    case "labels":
      return typeof value === "object" && !Array.isArray(value) && Object.values(value as object).every((v) => typeof v === "string");
  }
}

/**
 * Checks the fields named in `table` (null always passes: Go decodes it as the
 * zero value) and returns a copy with StrSlice strings normalised to arrays.
 */
export function checkFields(body: Record<string, unknown>, table: Record<string, FieldKind>, struct: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const [field, kind] of Object.entries(table)) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (!fits(kind, value)) {
      // An array of the right shape with a wrong element is reported for the element, as Go does.
      const element = Array.isArray(value) && (kind === "strings" || kind === "strslice") ? value.find((v) => typeof v !== "string") : undefined;
      const [got, want] = element !== undefined ? [goTypeName(element), "string"] : [goTypeName(value), GO_TYPE[kind]];
      throw new InvalidArgumentError(`json: cannot unmarshal ${got} into Go struct field ${struct}.${field} of type ${want}`);
    }
    if (kind === "strslice" && typeof value === "string") out[field] = [value];
  }
  return out;
}
