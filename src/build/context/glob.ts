// Go's filepath.Match, which the classic builder uses for COPY/ADD source
// globs: `*` is any run of non-"/" characters, `?` one non-"/" character,
// `[a-z]` / `[^a-z]` a class, `\x` the character x. A glob never matches
// across "/" (except through a negated class, as in Go). A malformed pattern
// matches nothing, as in copyWithWildcards, which ignores Match's error.

/** True when the word holds a glob character that is not escaped by "\". */
export function hasGlobMeta(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    if (c === "\\") i++;
    else if (c === "*" || c === "?" || c === "[") return true;
  }
  return false;
}

export function globMatch(pattern: string, name: string): boolean {
  return match(Array.from(pattern), Array.from(name)) === true;
}

/** False when Go would answer ErrBadPattern (an unclosed class, a trailing "\"…). */
export function isValidGlob(pattern: string): boolean {
  return match(Array.from(pattern), []) !== "bad";
}

type Result = boolean | "bad";

function match(pattern: string[], name: string[]): Result {
  let pat = pattern;
  let s = name;
  outer: while (pat.length > 0) {
    const { star, chunk, rest } = scanChunk(pat);
    pat = rest;
    if (star && chunk.length === 0) return !s.includes("/");
    const first = matchChunk(chunk, s);
    if (first === "bad") return "bad";
    if (first !== false && (first.length === 0 || pat.length > 0)) {
      s = first;
      continue;
    }
    if (star) {
      for (let i = 0; i < s.length && s[i] !== "/"; i++) {
        const t = matchChunk(chunk, s.slice(i + 1));
        if (t === "bad") return "bad";
        if (t !== false) {
          if (pat.length === 0 && t.length > 0) continue;
          s = t;
          continue outer;
        }
      }
    }
    // Go still reports a malformed remainder of the pattern.
    while (pat.length > 0) {
      const next = scanChunk(pat);
      pat = next.rest;
      if (matchChunk(next.chunk, []) === "bad") return "bad";
    }
    return false;
  }
  return s.length === 0;
}

function scanChunk(pattern: string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let i = 0;
  let star = false;
  while (i < pattern.length && pattern[i] === "*") {
    i++;
    star = true;
  }
  const start = i;
  let inRange = false;
  for (; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (i + 1 < pattern.length) i++;
    } else if (c === "[") inRange = true;
    else if (c === "]") inRange = false;
    else if (c === "*" && !inRange) break;
  }
  return { star, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

/** The rest of s after chunk matched its start, false when it did not, "bad" for a malformed chunk. */
function matchChunk(chunkIn: string[], sIn: string[]): string[] | false | "bad" {
  let chunk = chunkIn;
  let s = sIn;
  // After a mismatch Go keeps scanning the chunk, only to report a malformed pattern.
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === "[") {
      const r = failed ? "" : s[0]!;
      if (!failed) s = s.slice(1);
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk[0] === "^") {
        negated = true;
        chunk = chunk.slice(1);
      }
      let matched = false;
      let nrange = 0;
      for (;;) {
        if (chunk[0] === "]" && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk);
        if (lo === "bad") return "bad";
        chunk = lo.rest;
        let hi = lo.char;
        if (chunk[0] === "-") {
          const h = getEsc(chunk.slice(1));
          if (h === "bad") return "bad";
          chunk = h.rest;
          hi = h.char;
        }
        const cp = r.codePointAt(0)!;
        if (!failed && lo.char.codePointAt(0)! <= cp && cp <= hi.codePointAt(0)!) matched = true;
        nrange++;
      }
      if (matched === negated) failed = true;
      continue;
    }
    if (c === "?") {
      if (!failed) {
        if (s[0] === "/") failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      continue;
    }
    if (c === "\\") {
      chunk = chunk.slice(1);
      if (chunk.length === 0) return "bad";
    }
    if (!failed) {
      if (chunk[0] !== s[0]) failed = true;
      s = s.slice(1);
    }
    chunk = chunk.slice(1);
  }
  return failed ? false : s;
}

/** One possibly escaped character of a class; the class must go on after it. */
function getEsc(chunkIn: string[]): { char: string; rest: string[] } | "bad" {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") return "bad";
  if (chunk[0] === "\\") {
    chunk = chunk.slice(1);
    if (chunk.length === 0) return "bad";
  }
  const rest = chunk.slice(1);
  if (rest.length === 0) return "bad";
  return { char: chunk[0]!, rest };
}
