// The shell patterns of `${V#pat}`, `${V%pat}` and `${V/pat/repl}`: `*` any
// string, `?` one character, `\` escapes `*`, `?` and `\` (and drops before
// `}` and `/`, which only needed escaping inside `${}`). No bracket expressions,
// as in BuildKit.

export class PatternError extends Error {}

function toRegExp(pattern: string, opts: { greedy: boolean; anchored: boolean }): RegExp {
  const chars = Array.from(pattern);
  let out = opts.anchored ? "^" : "";
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "*") out += opts.greedy ? "[^]*" : "[^]*?";
    else if (ch === "?") out += "[^]";
    else if (ch === "\\") {
      const next = chars[i + 1];
      if (next === "}" || next === "/") continue;
      if (next !== "*" && next !== "?" && next !== "\\") throw new PatternError(`invalid escape '\\${next ?? ""}'`);
      out += `\\${next}`;
      i++;
    } else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(out, "u");
}

/** `${V#pat}` / `${V##pat}`: the shortest / longest matching prefix removed. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = toRegExp(pattern, { greedy, anchored: true }).exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** `${V%pat}` / `${V%%pat}`: the shortest / longest matching suffix removed (a prefix search on the reversed strings). */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

/** `${V/pat/repl}` (first match) and `${V//pat/repl}` (every match); the longest match wins. */
export function replacePattern(pattern: string, value: string, replacement: string, all: boolean): string {
  const re = toRegExp(pattern, { greedy: true, anchored: false });
  if (!all) {
    const m = re.exec(value);
    return m ? value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length) : value;
  }
  const global = new RegExp(re.source, "gu");
  return value.replace(global, () => replacement);
}

function reverse(s: string): string {
  return Array.from(s).reverse().join("");
}

/** Reverses a pattern keeping each escape in front of the character it escapes: `a\*c` → `c\*a`. */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const units: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === "\\" && i + 1 < chars.length) {
      units.push(`\\${chars[i + 1]}`);
      i++;
    } else units.push(chars[i]!);
  }
  return units.reverse().join("");
}
