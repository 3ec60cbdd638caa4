// JSON query parameters (buildargs, labels, cachefrom) decoded the way
// dockerd's json.Unmarshal reports them: clients and scripts see Go's
// wording ("invalid character 'x' looking for beginning of object key
// string"), which V8's messages do not match. The scanner only finds the
// first syntax error; JSON.parse does the decoding once the text is valid.

const WS = new Set([" ", "\t", "\n", "\r"]);

class GoSyntaxError extends Error {}

/** Go's quoteChar: 'x', or '\'' and the escaped forms for control characters. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const code = c.charCodeAt(0);
  if (code < 0x20) return `'${JSON.stringify(c).slice(1, -1)}'`;
  return `'${c}'`;
}

function scan(text: string): void {
  let i = 0;
  const fail = (context: string): never => {
    if (i >= text.length) throw new GoSyntaxError("unexpected end of JSON input");
    throw new GoSyntaxError(`invalid character ${quoteChar(text[i])} ${context}`);
  };
  const skip = (): void => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  const literal = (word: string): void => {
    for (let k = 0; k < word.length; k++, i++) {
      if (text[i] !== word[k]) fail(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail("in string literal");
      if (text[i] === "\\") {
        i++;
        if (i < text.length && !'"\\/bfnrtu'.includes(text[i])) fail("in string escape code");
        if (text[i] === "u") {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i < text.length && !/[0-9a-fA-F]/.test(text[i])) fail("in \\u hexadecimal character escape");
          }
        }
      }
      i++;
    }
    if (i >= text.length) fail("");
    i++;
  };
  const number = (): void => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else if (/[1-9]/.test(text[i] ?? "")) while (/[0-9]/.test(text[i] ?? "")) i++;
    else fail("in numeric literal");
    if (text[i] === ".") {
      i++;
      if (!/[0-9]/.test(text[i] ?? "")) fail("after decimal point in numeric literal");
      while (/[0-9]/.test(text[i] ?? "")) i++;
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (!/[0-9]/.test(text[i] ?? "")) fail("in exponent of numeric literal");
      while (/[0-9]/.test(text[i] ?? "")) i++;
    }
  };
  const value = (): void => {
    skip();
    const c = text[i];
    if (c === "{") {
      i++;
      skip();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail("looking for beginning of object key string");
        string();
        skip();
        if (text[i] !== ":") fail("after object key");
        i++;
        value();
        skip();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail("after object key:value pair");
      }
    }
    if (c === "[") {
      i++;
      skip();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        skip();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail("after array element");
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    if (c === "-" || /[0-9]/.test(c ?? "")) return number();
    fail("looking for beginning of value");
  };
  value();
  skip();
  if (i < text.length) fail("after top-level value");
}

/** Go's name for a JSON value's type in "cannot unmarshal X into …". */
function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value === "object" ? "object" : typeof value;
}

/** Parses text as Go would; throws an Error carrying Go's message. */
function parseGo(text: string): unknown {
  try {
    scan(text);
  } catch (err) {
    if (err instanceof GoSyntaxError) throw new Error(err.message);
    throw err;
  }
  return JSON.parse(text);
}

const mismatch = (value: unknown, goType: string): Error => new Error(`json: cannot unmarshal ${jsonType(value)} into Go value of type ${goType}`);

/**
 * A JSON object of strings, as Go decodes it into map[string]string (or
 * map[string]*string when `nullable`): null members become "" (or null), a
 * top-level null is an empty map.
 */
export function goStringMap(text: string, opts: { nullable: true }): Record<string, string | null>;
export function goStringMap(text: string, opts?: { nullable?: false }): Record<string, string>;
export function goStringMap(text: string, opts: { nullable?: boolean } = {}): Record<string, string | null> {
  const value = parseGo(text);
  if (value === null) return {};
  const goType = opts.nullable ? "map[string]*string" : "map[string]string";
  if (typeof value !== "object" || Array.isArray(value)) throw mismatch(value, goType);
  const out: Record<string, string | null> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === null) out[key] = opts.nullable ? null : "";
    else if (typeof member === "string") out[key] = member;
    else throw mismatch(member, "string");
  }
  return out;
}

/** A JSON array of strings, as Go decodes it into []string. */
export function goStringList(text: string): string[] {
  const value = parseGo(text);
  if (value === null) return [];
  if (!Array.isArray(value)) throw mismatch(value, "[]string");
  return value.map((item: unknown) => {
    if (item === null) return "";
    if (typeof item !== "string") throw mismatch(item, "string");
    return item;
  });
}
