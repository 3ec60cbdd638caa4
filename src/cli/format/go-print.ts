// How Go's fmt prints the values a template produces, so `--format` output
// reads as Docker's: maps as map[k:v], lists as [a b], nil as <nil>, a
// missing map key as <no value>, a nil slice or map of a typed struct as
// [] or map[], a struct as {a b} in field order — and how encoding/json
// writes them.
import { GoDuration, GoNil, GoNilPtr, GoPtrValue, GoStruct, GoTime } from "./go-values.js";

export function goPrint(value: unknown): string {
  // Most of what a table prints: spared the type tests below.
  return typeof value === "string" ? value : print(value, false);
}

/**
 * fmt's %v. At the top a template prints through a pointer (text/template
 * dereferences it first); inside a struct, slice or map fmt prints the
 * pointer itself, an address that differs per run, and nil as <nil>.
 */
function print(value: unknown, nested: boolean): string {
  if (value === undefined) return nested ? "<nil>" : "<no value>";
  if (value === null || value instanceof GoNilPtr) return "<nil>";
  if (value instanceof GoNil) return value.kind === "slice" ? "[]" : "map[]";
  if (value instanceof GoStruct) {
    if (value.type.stringer) return value.type.stringer(value.json);
    if (nested && value.pointer) return address();
    return `{${value.values().map((v) => print(v, true)).join(" ")}}`;
  }
  if (value instanceof GoPtrValue) return nested ? address() : print(value.value, false);
  if (value instanceof GoTime) return goTimeString(value.text);
  if (value instanceof GoDuration) return goDuration(value.ns);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => print(v, true)).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.keys(value).sort().map((k) => `${k}:${print((value as Record<string, unknown>)[k], true)}`);
    return `map[${entries.join(" ")}]`;
  }
  return String(value);
}

let addresses = 0;

/** Where Go would print a heap address (0xc0001847e0): never the same twice, like Go's. */
function address(): string {
  addresses += 1;
  return `0xc000${(0x100000 + addresses * 0x60).toString(16)}`;
}

/** fmt's %v of an operand of printf: a pointer to a struct prints as &{…}. */
function printfValue(value: unknown): string {
  if (value instanceof GoPtrValue) return address();
  return value instanceof GoStruct && value.pointer ? `&${goPrint(value)}` : goPrint(value);
}

/**
 * Go's time.Time.String() of an RFC 3339 time as encoding/json decodes it:
 * in the zone the text names ("Z" is UTC), fraction without trailing zeros.
 */
export function goTimeString(rfc3339: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(rfc3339);
  if (!m) return rfc3339;
  const fraction = (m[3] ?? "").replace(/0+$/, "");
  const clock = `${m[1]} ${m[2]}${fraction ? `.${fraction}` : ""}`;
  if (m[4]!.toUpperCase() === "Z") return `${clock} +0000 UTC`;
  const offset = m[4]!.replace(":", "");
  const minutes = (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3)));
  // Go names the zone only when the offset is the local zone's at that time.
  const local = new Date(Date.parse(rfc3339));
  if (-local.getTimezoneOffset() === minutes) {
    const name = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(local).find((p) => p.type === "timeZoneName")?.value;
    if (name && !/^GMT/.test(name)) return `${clock} ${offset} ${name}`;
  }
  return `${clock} ${offset} ${offset}`;
}

/** Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  const abs = Math.abs(ns);
  const trim = (n: number, digits: number): string => n.toFixed(digits).replace(/\.?0+$/, "");
  if (abs < 1e3) return `${sign}${abs}ns`;
  if (abs < 1e6) return `${sign}${trim(abs / 1e3, 3)}µs`;
  if (abs < 1e9) return `${sign}${trim(abs / 1e6, 6)}ms`;
  const h = Math.floor(abs / 3.6e12);
  const m = Math.floor((abs % 3.6e12) / 6e10);
  const s = trim((abs % 6e10) / 1e9, 9);
  return `${sign}${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${s}s`;
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

const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f]/;

/** Go's strconv.Quote for the characters containers' commands contain. */
export function goQuote(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
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
        text = goQuote(printfValue(arg));
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
        text = printfValue(arg);
        if (prec && verb === "s") text = [...text].slice(0, Number(prec)).join("");
    }
    const w = Number(width || 0);
    if (text.length >= w) return text;
    if (flag === "-") return text.padEnd(w);
    return text.padStart(w, flag === "0" ? "0" : " ");
  });
}
