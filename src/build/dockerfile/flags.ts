// An instruction's `--name=value` flags, checked against the ones Docker
// allows for it. Wording is the classic builder's (dockerd 20.10):
// `Unknown flag: foo`, `Missing a value on flag: from`,
// `Duplicate flag specified: from`, `Expecting boolean value for flag link, not: x`.
import { lineError } from "./syntax-error.js";

/** string: needs `=value`; bool: bare or `=true`/`=false`; strings: repeatable, collected in order. */
export type FlagType = "string" | "bool" | "strings";

export interface FlagValues {
  strings: Map<string, string>;
  bools: Map<string, boolean>;
  lists: Map<string, string[]>;
}

export function parseFlags(flags: string[], spec: Record<string, FlagType>): FlagValues {
  const values: FlagValues = { strings: new Map(), bools: new Map(), lists: new Map() };
  const used = new Set<string>();
  for (const flag of flags) {
    // splitCommand never yields a flag without "--"; the check keeps this function honest on its own.
    if (!flag.startsWith("--")) throw lineError(`Arg should start with -- : ${flag}`);
    const eq = flag.indexOf("=");
    const name = flag.slice(2, eq < 0 ? undefined : eq);
    const value = eq < 0 ? undefined : flag.slice(eq + 1);
    const type = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (type === undefined) throw lineError(`Unknown flag: ${name}`);
    if (used.has(name) && type !== "strings") throw lineError(`Duplicate flag specified: ${name}`);
    used.add(name);
    switch (type) {
      case "bool": {
        if (value === "") throw lineError(`Missing a value on flag: ${name}`);
        const lower = (value ?? "true").toLowerCase();
        if (lower !== "true" && lower !== "false") throw lineError(`Expecting boolean value for flag ${name}, not: ${value}`);
        values.bools.set(name, lower === "true");
        break;
      }
      case "string":
        if (value === undefined) throw lineError(`Missing a value on flag: ${name}`);
        values.strings.set(name, value);
        break;
      case "strings": {
        if (value === undefined) throw lineError(`Missing a value on flag: ${name}`);
        const list = values.lists.get(name) ?? [];
        list.push(value);
        values.lists.set(name, list);
        break;
      }
    }
  }
  return values;
}
