// `RUN --mount=type=cache,target=/root/.cache,sharing=locked`: the CSV fields
// of one --mount flag, checked the way BuildKit checks them. Values stay
// unexpanded (the builder expands them at dispatch), so checks on a value run
// only when it holds no `$`.
import type { RunMount } from "./ast.js";
import { lineError } from "./syntax-error.js";

const TYPES = ["bind", "cache", "tmpfs", "secret", "ssh"] as const;
const SHARING = ["shared", "private", "locked"];
/** Key spellings BuildKit accepts, mapped to the one name RunMount.fields uses. */
const KEYS: Record<string, string> = {
  type: "type",
  from: "from",
  source: "source",
  src: "source",
  target: "target",
  dst: "target",
  destination: "target",
  readonly: "readonly",
  ro: "readonly",
  readwrite: "readwrite",
  rw: "readwrite",
  id: "id",
  sharing: "sharing",
  required: "required",
  size: "size",
  mode: "mode",
  uid: "uid",
  gid: "gid",
  env: "env",
};
/** Keys that may stand alone, meaning "true". */
const BARE = new Set(["readonly", "readwrite", "required"]);

/**
 * One --mount value → RunMount. `fields` uses the canonical key names (src →
 * source, dst/destination → target, ro → readonly, rw → readwrite); a bare key
 * maps to "true". type defaults to bind.
 */
export function parseRunMount(value: string): RunMount {
  const fields: Record<string, string> = {};
  for (const field of csvFields(value)) {
    const eq = field.indexOf("=");
    const rawKey = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const key = Object.hasOwn(KEYS, rawKey) ? KEYS[rawKey] : undefined;
    if (eq < 0) {
      if (key === undefined || !BARE.has(key)) throw lineError(`invalid field '${field}' must be a key=value pair`);
      fields[key] = "true";
      continue;
    }
    if (key === undefined) throw lineError(`unexpected key '${rawKey}' in '${field}'`);
    fields[key] = field.slice(eq + 1);
  }
  const type = mountType(fields.type ?? "bind");
  delete fields.type;
  checkFields(type, fields);
  return { type, fields };
}

function mountType(raw: string): RunMount["type"] {
  const lower = raw.toLowerCase();
  const type = TYPES.find((t) => t === lower);
  if (!type) throw lineError(`unsupported mount type ${JSON.stringify(raw)}`);
  return type;
}

function checkFields(type: RunMount["type"], f: Record<string, string>): void {
  const literal = (k: string): string | undefined => (f[k] !== undefined && !f[k]!.includes("$") ? f[k] : undefined);
  const from = f.from;
  if (from !== undefined) {
    const dollar = from.indexOf("$");
    if (dollar >= 0 && dollar !== from.length - 1) {
      throw lineError("'from' doesn't support variable expansion, define alias stage instead");
    }
  }
  for (const k of ["readonly", "readwrite", "required"]) {
    const v = literal(k);
    if (v !== undefined && !isGoBool(v)) throw lineError(`invalid value for ${k}: ${v}`);
  }
  if (f.required !== undefined && type !== "secret" && type !== "ssh") throw lineError(`unexpected key 'required' for mount type '${type}'`);
  if (f.size !== undefined && type !== "tmpfs") throw lineError(`unexpected key 'size' for mount type '${type}'`);
  const sharing = literal("sharing");
  if (sharing !== undefined && !SHARING.includes(sharing.toLowerCase())) {
    throw lineError(`unsupported sharing value ${JSON.stringify(sharing)}`);
  }
  const mode = literal("mode");
  if (mode !== undefined && !/^[0-7]+$/.test(mode)) throw lineError(`invalid value ${mode} for mode`);
  for (const k of ["uid", "gid"]) {
    const v = literal(k);
    if (v !== undefined && !/^\d+$/.test(v)) throw lineError(`invalid value ${v} for ${k}`);
  }
  if (type !== "secret" && type !== "ssh" && type !== "cache") {
    for (const k of ["mode", "uid", "gid"]) {
      if (f[k] !== undefined) throw lineError(`${k} not allowed for ${JSON.stringify(type)} type mounts`);
    }
  }
  if (type === "secret") {
    if (f.from !== undefined) throw lineError("secret mount should not have a from");
    if (f.sharing !== undefined) throw lineError("secret mount should not define sharing");
    if (!f.source && !f.target && !f.id) throw lineError("invalid secret mount. one of source, target required");
    if (f.source && f.id) throw lineError("both source and id can't be set");
  }
  if (f.sharing !== undefined && type !== "cache") throw lineError(`invalid cache sharing set for ${type} mount`);
}

/** Go's strconv.ParseBool. */
function isGoBool(v: string): boolean {
  return ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].includes(v);
}

/** One CSV record: fields split on commas; a field may be "quoted" (with "" for a quote). */
function csvFields(value: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (value[i] === '"') {
      i++;
      for (;;) {
        if (i >= value.length) throw lineError(`failed to parse csv mounts: extraneous or missing " in quoted-field`);
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += value[i++];
      }
      if (i < value.length && value[i] !== ",") throw lineError(`failed to parse csv mounts: extraneous or missing " in quoted-field`);
    } else {
      const end = value.indexOf(",", i);
      field = value.slice(i, end < 0 ? undefined : end);
      if (field.includes('"')) throw lineError(`failed to parse csv mounts: bare " in non-quoted-field`);
      i = end < 0 ? value.length : end;
    }
    fields.push(field);
    if (i >= value.length) return fields;
    i++; // the comma
  }
}
