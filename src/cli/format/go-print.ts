// How Go's fmt prints the values a template produces, so `--format` output
// reads as Docker's: maps as map[k:v], lists as [a b], nil as <nil>, a
// missing map key as <no value>, a nil slice or map of a typed struct as
// [] or map[] — and how encoding/json writes them.

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

export function goPrint(value: unknown): string {
  if (value === undefined) return "<no value>";
  if (value === null) return "<nil>";
  if (value instanceof GoNil) return value.kind === "slice" ? "[]" : "map[]";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(nested).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.keys(value).sort().map((k) => `${k}:${nested((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(" ")}]`;
  }
  return String(value);
}

function nested(value: unknown): string {
  return value === undefined || value === null ? "<nil>" : goPrint(value);
}

/**
 * encoding/json's output: as JSON.stringify, but U+2028 and U+2029 always
 * escaped and, with escapeHtml (json.Marshal's default), <, > and & too. Those
 * characters only occur inside strings, so replacing them is safe.
 */
export function goJson(value: unknown, opts: { escapeHtml?: boolean } = {}): string {
  const text = JSON.stringify(value ?? null) ?? "null";
  const pattern = opts.escapeHtml ? /[<>&\u2028\u2029]/g : /[\u2028\u2029]/g;
  return text.replace(pattern, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Go's strconv.Quote for the characters containers' commands contain. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The verbs of fmt.Sprintf that formats use: %s %v %d %q %f %t %%, with widths. */
export function goSprintf(format: string, args: unknown[]): string {
  let next = 0;
  return format.replace(/%([-0]?)(\d*)(?:\.(\d+))?([svdqftx%])/g, (_all, flag: string, width: string, prec: string, verb: string) => {
    if (verb === "%") return "%";
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    let text: string;
    switch (verb) {
      case "q":
        text = goQuote(goPrint(arg));
        break;
      case "f":
        text = Number(arg).toFixed(prec ? Number(prec) : 6);
        break;
      case "d":
        text = typeof arg === "number" ? String(Math.trunc(arg)) : `%!d(${goPrint(arg)})`;
        break;
      case "x":
        text = typeof arg === "number" ? arg.toString(16) : Buffer.from(goPrint(arg)).toString("hex");
        break;
      default:
        text = goPrint(arg);
        if (prec && verb === "s") text = [...text].slice(0, Number(prec)).join("");
    }
    const w = Number(width || 0);
    if (text.length >= w) return text;
    if (flag === "-") return text.padEnd(w);
    return text.padStart(w, flag === "0" ? "0" : " ");
  });
}
