// The functions `--format` templates may call: Go's text/template builtins
// and Docker's additions (json, join, split, lower, upper, title, pad, truncate).
import { GoNil, goJson, goPrint, goSprintf } from "./go-print.js";

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
  pad: (s, before, after) => " ".repeat(Number(before)) + goPrint(s) + " ".repeat(Number(after)),
  truncate: (s, n) => [...goPrint(s)].slice(0, Number(n)).join(""),
  print: (...args) => args.map(goPrint).join(""),
  println: (...args) => args.map(goPrint).join(" ") + "\n",
  printf: (format, ...args) => goSprintf(String(format), args),
  index: (v, ...keys) => keys.reduce((acc: unknown, k) => (acc == null ? undefined : (acc as Record<string, unknown>)[String(k)]), v),
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

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "" || v instanceof GoNil) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

export function toArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof GoNil) return [];
  if (v && typeof v === "object") return Object.values(v);
  return [];
}
