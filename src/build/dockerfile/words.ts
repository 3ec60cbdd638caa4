// How the classic builder cuts an instruction's text into words before any
// expansion: the keyword, the leading `--flags`, and then per instruction
// either whitespace-separated words, quote-aware words (quotes and escapes
// kept for expand.ts), or a JSON array of strings.
import { fileError } from "./syntax-error.js";

export type Escape = "\\" | "`";

/** Go's regexp `[\t\v\f\r ]+`, which Docker splits plain word lists on. */
const WHITESPACE = /[\t\v\f\r ]+/;

/** Go's unicode.IsSpace. */
export function isSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return /^[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(ch);
}

/** Go's strings.TrimSpace. */
export function trimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s[start]!)) start++;
  while (end > start && isSpace(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/** Whitespace-separated words, no quote handling (EXPOSE, FROM, COPY/ADD/VOLUME without JSON). */
export function splitWhitespace(rest: string): string[] {
  return rest === "" ? [] : rest.split(WHITESPACE);
}

/** Splits `s` at the first run of whitespace: ["ENV", "a b  c"]. */
export function splitFirstWord(s: string): [string, string] | [string] {
  const m = WHITESPACE.exec(s);
  return m ? [s.slice(0, m.index), s.slice(m.index + m[0].length)] : [s];
}

/**
 * Words separated by unquoted whitespace, with quotes and escapes kept in
 * place (ENV, LABEL, ARG): `a="b c" d\ e` → [`a="b c"`, `d\ e`]. An escape at
 * the very end is dropped.
 */
export function parseWords(rest: string, escape: Escape): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let word = "";
  let inWord = false;
  let quote = "";
  // A quoted empty string ('' or "") is a word even though it is blank.
  let blankOK = false;
  const flush = (): void => {
    if (blankOK || word !== "") words.push(word);
    word = "";
    blankOK = false;
    inWord = false;
  };
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i]!;
    if (quote !== "") {
      if (ch === quote) quote = "";
      else if (ch === escape && quote !== "'") {
        if (i + 1 === chars.length) {
          quote = "";
          continue;
        }
        word += ch;
        ch = chars[++i]!;
      }
      word += ch;
      continue;
    }
    if (isSpace(ch)) {
      if (inWord) flush();
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOK = true;
    } else if (ch === escape) {
      if (i + 1 === chars.length) continue;
      word += ch;
      ch = chars[++i]!;
    }
    word += ch;
  }
  if (inWord) flush();
  return words;
}

/**
 * The JSON (exec) form: `["a", "b"]` → ["a", "b"]; undefined when the text is
 * not a JSON array, which makes Docker fall back to the shell form. An array
 * holding anything but strings is an error, not a fallback.
 */
export function parseJsonStrings(rest: string): string[] | undefined {
  const text = rest.trimStart();
  if (!text.startsWith("[")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (!Array.isArray(parsed)) return undefined;
  if (!parsed.every((v): v is string => typeof v === "string")) {
    throw fileError("when using JSON array syntax, arrays must be comprised of strings only");
  }
  return parsed;
}

/**
 * Cuts an instruction into keyword, leading flags and the rest:
 * `COPY --from=b --chown="a b" x /y` → COPY, [`--from=b`, `--chown=a b`], `x /y`.
 * Flags are the words starting with `--` right after the keyword; quotes and
 * escapes inside them are resolved; a bare `--` ends them.
 */
export function splitCommand(line: string, escape: Escape): { keyword: string; flags: string[]; rest: string } {
  const [keyword, args] = splitFirstWord(trimSpace(line));
  if (args === undefined) return { keyword, flags: [], rest: "" };
  const { flags, rest } = extractFlags(args, escape);
  return { keyword, flags, rest: trimSpace(rest) };
}

function extractFlags(args: string, escape: Escape): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let i = 0;
  for (;;) {
    while (i < args.length && isSpace(args[i]!)) i++;
    if (i >= args.length) return { flags, rest: "" };
    if (!args.startsWith("--", i)) return { flags, rest: args.slice(i) };
    let word = "";
    let quote = "";
    let blankOK = false;
    for (; i < args.length; i++) {
      let ch = args[i]!;
      if (quote === "" && isSpace(ch)) break;
      if (quote === "" && (ch === "'" || ch === '"')) {
        quote = ch;
        blankOK = true;
        continue;
      }
      if (quote !== "" && ch === quote) {
        quote = "";
        continue;
      }
      if (ch === escape) {
        if (i + 1 === args.length) continue;
        ch = args[++i]!;
      }
      word += ch;
    }
    if (word === "--") return { flags, rest: args.slice(i) };
    if (blankOK || word !== "") flags.push(word);
  }
}
