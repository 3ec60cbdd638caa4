// Docker's CLI runs `inspect -f` templates on typed Go structs decoded from
// the daemon's JSON, so what a template prints depends on the Go type, not
// on the JSON: a struct prints its fields in declaration order ({a b c}), a
// nil slice prints [] and a nil map map[], a nested pointer prints as an
// address, a time.Time as "2024-05-01 10:00:00.5 +0000 UTC", a Duration as
// "30s", and a field that the struct lacks is an error. This module holds
// those types (described with struct()/slice()/map()… below, the schemas
// themselves are in inspect-types.ts) and the values typed() makes of
// decoded JSON. Every value keeps its JSON: `{{json .X}}` writes what the
// daemon sent, its fields in Go's order.

export type GoType =
  | { kind: "string" | "int" | "bool" | "any" | "time" | "duration" | "ptrval" }
  | { kind: "slice"; of: GoType }
  | { kind: "map"; of: GoType }
  | { kind: "ptr"; to: StructType }
  | StructType;

export interface StructType {
  kind: "struct";
  /** As Go names it in errors: "container.State". */
  name: string;
  fields: Field[];
  /** The struct's String() method, which fmt prints instead of its fields. */
  stringer?: (json: Record<string, unknown>) => string;
}

export interface Field {
  /** The name templates use (`{{.CPUShares}}`). */
  go: string;
  /** The key in the JSON (`CpuShares`); for an embedded struct, unused: its fields are inline. */
  json: string;
  type: GoType;
  embedded: boolean;
}

export const STRING: GoType = { kind: "string" };
export const INT: GoType = { kind: "int" };
export const BOOL: GoType = { kind: "bool" };
export const ANY: GoType = { kind: "any" };
export const TIME: GoType = { kind: "time" };
export const DURATION: GoType = { kind: "duration" };
/** A pointer to a number or bool (*int64, *bool): its value at the top, an address inside a struct. */
export const PTR_VALUE: GoType = { kind: "ptrval" };
export const slice = (of: GoType): GoType => ({ kind: "slice", of });
export const map = (of: GoType): GoType => ({ kind: "map", of });
export const ptr = (to: StructType): GoType => ({ kind: "ptr", to });

/**
 * A struct type from an ordered field list. A key "GoName/JsonName" names a
 * field whose JSON key differs from its Go name; a key "^Name" embeds a
 * struct (or pointer to one) whose fields sit inline in the JSON.
 */
export function struct(name: string, fields: Record<string, GoType>, stringer?: StructType["stringer"]): StructType {
  return {
    kind: "struct",
    name,
    ...(stringer ? { stringer } : {}),
    fields: Object.entries(fields).map(([key, type]) => {
      if (key.startsWith("^")) return { go: key.slice(1), json: "", type, embedded: true };
      const [go, json = go] = key.split("/");
      return { go: go!, json, type, embedded: false };
    }),
  };
}

/**
 * A nil slice or map where Go knows the type (a field of Docker's inspect
 * structs): it prints as [] or map[], is empty and false, and marshals as
 * null. A bare JSON null, whose type is unknown, stays null ("<nil>").
 */
export class GoNil {
  constructor(readonly kind: "slice" | "map") {}
  toJSON(): null {
    return null;
  }
}

export const NIL_SLICE = new GoNil("slice");
export const NIL_MAP = new GoNil("map");

/** A nil pointer to a struct: prints <nil>; reading a field of it is Go's "nil pointer evaluating" error. */
export class GoNilPtr {
  constructor(readonly to: StructType) {}
  toJSON(): null {
    return null;
  }
}

/** What GoStruct.field() returns for a name the struct does not have. */
export const NO_FIELD: unique symbol = Symbol("no field");

/** A struct value (or a pointer to one) over the JSON object it was decoded from. */
export class GoStruct {
  constructor(
    readonly type: StructType,
    readonly json: Record<string, unknown>,
    readonly pointer: boolean,
  ) {}

  /** "*container.State" or "volume.Volume", as Go's errors name it. */
  typeName(): string {
    return `${this.pointer ? "*" : ""}${this.type.name}`;
  }

  /** The field's typed value, promoted from embedded structs as in Go. */
  field(name: string): unknown {
    for (const f of this.type.fields) {
      if (f.go === name) return this.valueOf(f);
    }
    for (const f of this.type.fields) {
      if (!f.embedded) continue;
      const inner = this.valueOf(f);
      if (inner instanceof GoStruct) {
        const found = inner.field(name);
        if (found !== NO_FIELD) return found;
      }
    }
    return NO_FIELD;
  }

  /** Every field's value in declaration order, as fmt prints a struct. */
  values(): unknown[] {
    return this.type.fields.map((f) => this.valueOf(f));
  }

  /** As encoding/json writes the struct: its fields in declaration order (then any it does not know). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const put = (type: StructType): void => {
      for (const f of type.fields) {
        if (f.embedded) put(f.type.kind === "ptr" ? f.type.to : (f.type as StructType));
        else if (Object.hasOwn(this.json, f.json)) out[f.json] = typed(this.json[f.json], f.type);
      }
    };
    put(this.type);
    for (const [k, v] of Object.entries(this.json)) if (!Object.hasOwn(out, k)) out[k] = v;
    return out;
  }

  private valueOf(f: Field): unknown {
    if (f.embedded) {
      const to = f.type.kind === "ptr" ? f.type.to : (f.type as StructType);
      return new GoStruct(to, this.json, f.type.kind === "ptr");
    }
    return Object.hasOwn(this.json, f.json) ? typed(this.json[f.json], f.type) : zero(f.type);
  }
}

/** A time.Time, kept as the RFC 3339 text the daemon sent. */
export class GoTime {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

/** A time.Duration in nanoseconds (JSON numbers are nanoseconds too). */
export class GoDuration {
  constructor(readonly ns: number) {}
  toJSON(): number {
    return this.ns;
  }
}

/** A non-nil *int64 or *bool. */
export class GoPtrValue {
  constructor(readonly value: unknown) {}
  toJSON(): unknown {
    return this.value;
  }
}

/** The element type of a typed map, so that `index` of a missing key gives its zero value. */
const ELEM = Symbol("map element type");

export function mapElem(value: object): GoType | undefined {
  return (value as { [ELEM]?: GoType })[ELEM];
}

/** Decoded JSON seen as a value of `type`. */
export function typed(value: unknown, type: GoType): unknown {
  if (value === null || value === undefined) return zero(type);
  switch (type.kind) {
    case "struct":
    case "ptr":
      if (!isObject(value)) return value;
      return type.kind === "ptr" ? new GoStruct(type.to, value, true) : new GoStruct(type, value, false);
    case "slice":
      return Array.isArray(value) ? value.map((v) => typed(v, type.of)) : value;
    case "map": {
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = typed(v, type.of);
      Object.defineProperty(out, ELEM, { value: type.of, enumerable: false });
      return out;
    }
    case "time":
      return typeof value === "string" ? new GoTime(value) : value;
    case "duration":
      return typeof value === "number" ? new GoDuration(value) : value;
    case "ptrval":
      return new GoPtrValue(value);
    default:
      return value;
  }
}

/** Go's zero value of a type, as a field the daemon omitted reads. */
export function zero(type: GoType): unknown {
  switch (type.kind) {
    case "string":
      return "";
    case "int":
      return 0;
    case "bool":
      return false;
    case "any":
    case "ptrval":
      return null;
    case "time":
      return new GoTime("0001-01-01T00:00:00Z");
    case "duration":
      return new GoDuration(0);
    case "slice":
      return NIL_SLICE;
    case "map":
      return NIL_MAP;
    case "ptr":
      return new GoNilPtr(type.to);
    case "struct":
      return new GoStruct(type, {}, false);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
