// The functions `--format` templates may call: Go's text/template builtins
// and Docker's additions (json, join, split, lower, upper, title, pad, truncate).
import { goJson, goPrint, goSprintf } from "./go-print.js";
import { GoNil, GoNilPtr, GoPtrValue, GoStruct, mapElem, zero } from "./go-values.js";

export type Func = (...args: unknown[]) => unknown;

const identity: Func = (v) => v;
export const HEADER_FUNCS: Record<string, Func> = {
  json: identity,
  join: identity,
  split: identity,
  lower: identity,
  upper: identity,
  title: identity,
  pad: identity,
  truncate: identity,
};

export const FUNCS: Record<string, Func> = {
  json: (v) => goJson(v),
  join: (list, sep) => toArray(list).map(goPrint).join(String(sep)),
  split: (s, sep) => String(s).split(String(sep)),
  lower: (s) => String(goPrint(s)).toLowerCase(),
  upper: (s) => String(goPrint(s)).toUpperCase(),
  title: (s) => String(goPrint(s)).replace(/\b\w/g, (c) => c.toUpperCase()),
  // Docker pads only what is there: an empty value stays empty.
  pad: (s, before, after) => (goPrint(s) === "" ? "" : " ".repeat(Number(before)) + goPrint(s) + " ".repeat(Number(after))),
  truncate: (s, n) => [...goPrint(s)].slice(0, Number(n)).join(""),
  print: (...args) => goSprint(args),
  println: (...args) => args.map(goPrint).join(" ") + "\n",
  printf: (format, ...args) => goSprintf(String(format), args),
  index: (v, ...keys) => keys.reduce(index, v),
  slice: (v, ...bounds) => {
    const [from = 0, to] = bounds.map(Number);
    if (typeof v === "string") return v.slice(from, to ?? v.length);
    return toArray(v).slice(from, to);
  },
  html: (...args) => goSprint(args).replace(/[&'<>"\0]/g, (c) => HTML_ESCAPES[c] ?? c),
  urlquery: (...args) => encodeURIComponent(goSprint(args)).replace(/%20/g, "+").replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  len: (v) => (typeof v === "string" ? v.length : toArray(v).length),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  not: (v) => !truthy(v),
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
};

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "'": "&#39;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "\0": "\uFFFD" };

/** fmt.Sprint: a space goes between two operands only when neither is a string. */
function goSprint(args: unknown[]): string {
  return args.map((a, i) => (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string" ? " " : "") + goPrint(a)).join("");
}

/**
 * Go's index: a list by position (out of range is an error), a map by key;
 * a key a typed map lacks gives its element's zero value, as in Go.
 */
function index(v: unknown, key: unknown): unknown {
  if (v === null || v === undefined || v instanceof GoNil) return undefined;
  if (Array.isArray(v)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= v.length) throw new Error(`index out of range: ${goPrint(key)}`);
    return v[i];
  }
  if (typeof v !== "object" || v instanceof GoStruct) throw new Error(`can't index item of type ${typeof v}`);
  const k = String(key);
  if (Object.hasOwn(v, k)) return (v as Record<string, unknown>)[k];
  const elem = mapElem(v);
  return elem ? zero(elem) : undefined;
}

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "" || v instanceof GoNil || v instanceof GoNilPtr) return false;
  if (v instanceof GoStruct || v instanceof GoPtrValue) return true;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

export function toArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof GoNil || v instanceof GoStruct) return [];
  if (v && typeof v === "object") return Object.values(v);
  return [];
}
