// Flag conventions of Docker's pflag that commander lacks: repeatable flags,
// `--flag=true|false` for booleans, `-e=VALUE` for short flags, and values
// checked by a parser whose error reads like Docker's.
import { InvalidArgumentError, type Command, type Option } from "commander";

/** For repeatable flags: `-e A=1 -e B=2` → ["A=1", "B=2"]. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Wraps a value parser so its failure reads like Docker's flag error. */
export function parsed<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

export function integer(text: string): number {
  if (!/^[-+]?\d+$/.test(text.trim())) throw new Error(`strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(text);
}

/**
 * Rewrites the argv of one command into what commander parses: pflag lets
 * booleans take `=true`/`=false` and short flags take `=value`. Stops at the
 * first positional when the command passes the rest through (run, exec).
 */
export function normalizeArgs(cmd: Command, args: string[]): string[] {
  const options = cmd.options as readonly Option[];
  const byLong = new Map(options.filter((o) => o.long).map((o) => [o.long as string, o]));
  const byShort = new Map(options.filter((o) => o.short).map((o) => [o.short as string, o]));
  const takesValue = (o: Option | undefined): boolean => o !== undefined && (o.required || o.optional);
  const stopAtPositional = (cmd as unknown as { _passThroughOptions: boolean })._passThroughOptions;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--" || !arg.startsWith("-") || arg === "-") {
      if (stopAtPositional || arg === "--") return [...out, ...args.slice(i)];
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    if (arg.startsWith("--")) {
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      const option = byLong.get(name);
      if (option && !takesValue(option) && eq > 0) {
        const value = arg.slice(eq + 1);
        if (value === "true") out.push(name);
        else if (value === "false") {
          if (byLong.has(`--no-${name.slice(2)}`)) out.push(`--no-${name.slice(2)}`);
        } else out.push(arg);
        continue;
      }
      out.push(arg);
      if (takesValue(option) && eq < 0 && i + 1 < args.length) out.push(args[++i]);
      continue;
    }
    // Short flags: "-it", "-e A", "-eA", "-e=A", "-d=true".
    const option = byShort.get(arg.slice(0, 2));
    if (arg[2] === "=" && option) {
      const negated = option.long ? `--no-${option.long.slice(2)}` : "";
      if (takesValue(option)) out.push(arg.slice(0, 2), arg.slice(3));
      else if (arg.slice(3) !== "false") out.push(arg.slice(0, 2));
      else if (byLong.has(negated)) out.push(negated);
      continue;
    }
    out.push(arg);
    // The value of the last value-taking short flag in a group may be the next word.
    const chars = [...arg.slice(1)];
    const valueAt = chars.findIndex((c) => takesValue(byShort.get(`-${c}`)));
    if (valueAt === chars.length - 1 && i + 1 < args.length) out.push(args[++i]);
  }
  return out;
}

/** `--filter key=value`, repeatable, into the API's {"key": ["value", …]}. */
export function filterFlag(value: string, previous: Record<string, string[]> | undefined): Record<string, string[]> {
  const eq = value.indexOf("=");
  if (eq < 0) throw new InvalidArgumentError("bad format of filter (expected name=value)");
  const key = value.slice(0, eq).trim().toLowerCase();
  const out = { ...previous };
  out[key] = [...(out[key] ?? []), value.slice(eq + 1)];
  return out;
}
