// Dockerfile word processing (the builder's shell lexer, `ProcessWord`):
// quotes are removed, backslash escapes, and $VAR, ${VAR}, ${VAR:-word},
// ${VAR:+word} and ${VAR:?message} are replaced from the image's environment.
// ENV, LABEL, WORKDIR, USER, EXPOSE, VOLUME and STOPSIGNAL words go through
// this, both in `--change` and (later) in a Dockerfile; CMD and ENTRYPOINT do not.
import { InvalidArgumentError } from "../errors.js";

/** Expands one word against `env` ("KEY=value" entries; the last one of a key wins). */
export function processWord(word: string, env: readonly string[]): string {
  try {
    return new Lexer(word, lookupIn(env)).run();
  } catch (err) {
    if (!(err instanceof LexError)) throw err;
    throw new InvalidArgumentError(`failed to process ${JSON.stringify(word)}: ${err.message}`);
  }
}

class LexError extends Error {}

function lookupIn(env: readonly string[]): (name: string) => string | undefined {
  const vars = new Map<string, string>();
  for (const e of env) {
    const i = e.indexOf("=");
    if (i > 0) vars.set(e.slice(0, i), e.slice(i + 1));
  }
  return (name) => vars.get(name);
}

class Lexer {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly lookup: (name: string) => string | undefined,
  ) {}

  run(): string {
    return this.until(undefined);
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private next(): string | undefined {
    return this.src[this.pos++];
  }

  /** Reads up to `stop` (consumed) or the end; `stop` is only "}" inside ${…:-word}. */
  private until(stop: string | undefined): string {
    let out = "";
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (ch === stop) {
        this.next();
        return out;
      }
      this.next();
      if (ch === "\\") {
        // A backslash escapes any next character; one at the very end is dropped.
        const escaped = this.next();
        if (escaped !== undefined) out += escaped;
      } else if (ch === "'") out += this.singleQuoted();
      else if (ch === '"') out += this.doubleQuoted();
      else if (ch === "$") out += this.dollar();
      else out += ch;
    }
    if (stop !== undefined) throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
    return out;
  }

  private singleQuoted(): string {
    let out = "";
    for (let ch = this.next(); ch !== "'"; ch = this.next()) {
      if (ch === undefined) throw new LexError("unexpected end of statement while looking for matching single-quote");
      out += ch;
    }
    return out;
  }

  private doubleQuoted(): string {
    let out = "";
    for (let ch = this.next(); ch !== '"'; ch = this.next()) {
      if (ch === undefined) throw new LexError("unexpected end of statement while looking for matching double-quote");
      if (ch === "$") out += this.dollar();
      else if (ch === "\\" && ['"', "$", "\\"].includes(this.peek() ?? "")) out += this.next();
      else out += ch;
    }
    return out;
  }

  /** After a "$": a name, a ${…} form, or a literal "$" when neither follows. */
  private dollar(): string {
    if (this.peek() !== "{") {
      const name = this.name();
      return name === "" ? "$" : (this.lookup(name) ?? "");
    }
    this.next();
    const name = this.name();
    const ch = this.next();
    if (ch === "}") return this.lookup(name) ?? "";
    if (ch !== ":") throw new LexError("missing ':' in substitution");
    const modifier = this.next();
    const word = this.until("}");
    const value = this.lookup(name) ?? "";
    switch (modifier) {
      case "-":
        return value === "" ? word : value;
      case "+":
        return value === "" ? "" : word;
      case "?":
        if (value === "") throw new LexError(`${name}: ${word === "" ? "is not allowed to be unset" : word}`);
        return value;
      default:
        throw new LexError(`unsupported modifier (${modifier ?? ""}) in substitution`);
    }
  }

  /** A variable name: one digit (a positional parameter), or letters, digits and underscores. */
  private name(): string {
    const first = this.peek();
    if (first === undefined) return "";
    if (/[0-9]/.test(first)) {
      this.next();
      return first;
    }
    let out = "";
    for (let ch = this.peek(); ch !== undefined && /[A-Za-z0-9_]/.test(ch); ch = this.peek()) out += this.next();
    return out;
  }
}
