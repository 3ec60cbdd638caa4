// Docker's shell-word processing, applied by the builder when it dispatches
// an instruction (which ones: see ast.ts). Not a shell: no command
// substitution, no globbing, no word splitting inside one word.
//
//   'single'     literal, no escapes
//   "double"     `$` expands; the escape char escapes `"`, `$` and itself,
//                and is kept before anything else ("a\b" stays a\b)
//   \x           x, literally (the escape char is `\` or the Dockerfile's `# escape=`)
//   $V ${V}      the value, "" when unset; `$` before a non-name stays `$`;
//                $1, $12 are names (unset); $@ $* $# $? $- $$ $! $0 are one-char names
//   ${V:-w} ${V-w}   w when V is unset or empty (:) / unset
//   ${V:+w} ${V+w}   w when V is set and non-empty (:) / set, else ""
//   ${V:?m} ${V?m}   error "V: m" when unset or empty (:) / unset
//   ${V#p} ${V##p} ${V%p} ${V%%p} ${V/p/r} ${V//p/r}   shell-pattern trims and
//                replacements (BuildKit's, newer than dockerd 20.10's builder)
//
// The words inside `${…}` are processed the same way, recursively. Errors
// read as Docker's: `failed to process "${V": syntax error: missing '}'`.
import { InvalidArgumentError } from "../../errors.js";
import { PatternError, replacePattern, trimPrefix, trimSuffix } from "./shell-pattern.js";
import { isSpace } from "./words.js";

/** A variable's value, or undefined when it is not set (set-but-empty is ""). */
export type Lookup = (name: string) => string | undefined;

export interface ExpandOptions {
  /** The Dockerfile's escape character (`# escape=`); "\\" by default. */
  escape?: "\\" | "`";
}

/**
 * One word, expanded and with quotes removed. Used for the arguments of FROM,
 * ADD, COPY, ENV, ARG, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR and for flag
 * values. Whitespace in the result is kept as is.
 */
export function expandWord(word: string, lookup: Lookup, opts: ExpandOptions = {}): string {
  return run(word, lookup, opts).result;
}

/**
 * Like expandWord, then split into words on whitespace that was neither
 * quoted nor escaped — including whitespace that came from a variable's value.
 * Docker does this for EXPOSE alone: with P="80 443", `EXPOSE $P` exposes two
 * ports. `""` yields no word.
 */
export function expandWords(word: string, lookup: Lookup, opts: ExpandOptions = {}): string[] {
  return run(word, lookup, opts).words;
}

class ExpandError extends Error {}

const SPECIAL_PARAMS = new Set(["@", "*", "#", "?", "-", "$", "!", "0"]);
const DIGIT = /^\p{Nd}$/u;
const LETTER = /^\p{L}$/u;

function run(source: string, lookup: Lookup, opts: ExpandOptions): { result: string; words: string[] } {
  const escape = opts.escape ?? "\\";
  const chars = Array.from(source);
  let pos = 0;
  const peek = (): string | undefined => chars[pos];
  const next = (): string | undefined => chars[pos++];
  const fail = (message: string): never => {
    throw new ExpandError(message);
  };

  /** Reads up to `stop` (consumed) or the end; rawEscapes keeps escape chars (patterns need them). */
  function until(stop: string | undefined, rawEscapes: boolean): { result: string; words: string[] } {
    let result = "";
    const words = wordCollector();
    while (peek() !== undefined) {
      const ch = peek()!;
      if (ch === stop) {
        next();
        return { result, words: words.done() };
      }
      if (ch === "$") {
        const value = dollar();
        result += value;
        words.addExpanded(value);
        continue;
      }
      if (ch === "'" || ch === '"') {
        const value = ch === "'" ? singleQuoted() : doubleQuoted(rawEscapes);
        result += value;
        words.addQuoted(value);
        continue;
      }
      let c = next()!;
      if (c === escape) {
        if (rawEscapes) {
          words.addQuoted(c);
          result += c;
        }
        const escaped = next();
        // An escape at the very end is dropped.
        if (escaped === undefined) break;
        c = escaped;
        words.addQuoted(c);
      } else {
        words.addPlain(c);
      }
      result += c;
    }
    if (stop !== undefined) fail(`unexpected end of statement while looking for matching ${stop}`);
    return { result, words: words.done() };
  }

  function singleQuoted(): string {
    next();
    let result = "";
    for (;;) {
      const c = next();
      if (c === undefined) return fail("unexpected end of statement while looking for matching single-quote");
      if (c === "'") return result;
      result += c;
    }
  }

  function doubleQuoted(rawEscapes: boolean): string {
    next();
    let result = "";
    for (;;) {
      const p = peek();
      if (p === undefined) return fail("unexpected end of statement while looking for matching double-quote");
      if (p === '"') {
        next();
        return result;
      }
      if (p === "$") {
        result += dollar();
        continue;
      }
      let c = next()!;
      if (c === escape) {
        const q = peek();
        if (q === undefined) continue;
        if (q === '"' || q === "$" || q === escape) {
          if (rawEscapes) result += c;
          c = next()!;
        }
      }
      result += c;
    }
  }

  function name(): string {
    let n = "";
    for (let c = peek(); c !== undefined; c = peek()) {
      if (n === "" && DIGIT.test(c)) {
        while (peek() !== undefined && DIGIT.test(peek()!)) n += next();
        return n;
      }
      if (n === "" && SPECIAL_PARAMS.has(c)) return next()!;
      if (!LETTER.test(c) && !DIGIT.test(c) && c !== "_") break;
      n += next();
    }
    return n;
  }

  /** The word of `${V<op>word}` up to `stop`; running out of text is a missing closer. */
  function operand(stop: "}" | "/", rawEscapes: boolean): string {
    try {
      return until(stop, rawEscapes).result;
    } catch (err) {
      if (err instanceof ExpandError && peek() === undefined) {
        fail(stop === "}" ? "syntax error: missing '}'" : "syntax error: missing '/' in ${}");
      }
      throw err;
    }
  }

  function dollar(): string {
    next();
    if (peek() !== "{") {
      const n = name();
      return n === "" ? "$" : (lookup(n) ?? "");
    }
    next();
    const first = peek();
    if (first === undefined) return fail("syntax error: missing '}'");
    if (first === "{" || first === "}" || first === ":") fail("syntax error: bad substitution");
    const n = name();
    let op = next();
    if (op === "}") return lookup(n) ?? "";
    const colon = op === ":";
    if (colon) op = next();
    if (op === undefined) return fail("syntax error: missing '}'");
    if (op === "/" && !colon) return replace(n);
    const patternOp = op === "#" || op === "%";
    if (!colon && !patternOp && op !== "-" && op !== "+" && op !== "?") fail(`unsupported modifier (${op}) in substitution`);
    if (colon && patternOp) fail(`unsupported modifier (${op}) in substitution`);
    let word = operand("}", patternOp);
    const value = lookup(n);
    const empty = value === undefined || (colon && value === "");
    switch (op) {
      case "-":
        return empty ? word : value!;
      case "+":
        return empty ? "" : word;
      case "?":
        if (value === undefined) fail(`${n}: ${word || "is not allowed to be unset"}`);
        if (empty) fail(`${n}: ${word || "is not allowed to be empty"}`);
        return value!;
      case "#":
      case "%": {
        const greedy = word.startsWith(op);
        if (greedy) word = word.slice(1);
        return pattern(word, () => (op === "#" ? trimPrefix : trimSuffix)(word, value ?? "", greedy));
      }
      default:
        return fail(`unsupported modifier (${op}) in substitution`);
    }
  }

  function replace(n: string): string {
    const all = peek() === "/";
    if (all) next();
    const pat = operand("/", true);
    const replacement = operand("}", true);
    return pattern(pat, () => replacePattern(pat, lookup(n) ?? "", replacement, all));
  }

  function pattern(pat: string, apply: () => string): string {
    try {
      return apply();
    } catch (err) {
      if (err instanceof PatternError) fail(`invalid pattern (${pat}) in substitution: ${err.message}`);
      throw err;
    }
  }

  try {
    return until(undefined, false);
  } catch (err) {
    if (err instanceof ExpandError) throw new InvalidArgumentError(`failed to process ${JSON.stringify(source)}: ${err.message}`);
    throw err;
  }
}

/**
 * Collects words for expandWords: plain whitespace separates words, quoted
 * or escaped characters never do, and a variable's value is split like plain text.
 */
function wordCollector() {
  const words: string[] = [];
  let buf = "";
  let inWord = false;
  const addQuoted = (s: string): void => {
    buf += s;
    inWord = true;
  };
  const addPlain = (c: string): void => {
    if (!isSpace(c)) addQuoted(c);
    else if (inWord && buf !== "") {
      words.push(buf);
      buf = "";
      inWord = false;
    }
  };
  return {
    addQuoted,
    addPlain,
    addExpanded: (s: string): void => {
      for (const c of s) addPlain(c);
    },
    done: (): string[] => {
      if (buf !== "") words.push(buf);
      buf = "";
      inWord = false;
      return words;
    },
  };
}
