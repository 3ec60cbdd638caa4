// .dockerignore, exactly as the docker CLI applies it when it packs a context
// (moby/patternmatcher and the walk in pkg/archive's TarWithOptions):
//   - parseDockerignore: lines starting with "#" are comments, blank lines
//     are skipped, each pattern is trimmed and cleaned ("./a/" is "a", a
//     leading "/" is dropped), "!" marks an exception.
//   - A path is ignored when the last pattern that matches it, or matches a
//     directory above it, is not an exception. `*` and `?` never match "/",
//     `**` matches any number of directories, "\\" escapes.
//   - A directory that is ignored is still walked when some exception pattern
//     starts with the directory's path ("dir" + "!dir/keep"); the directory
//     itself stays out of the context, the exceptions inside it come in.
// Why not @balena/dockerignore: it follows the older fileutils rules (no
// parent-result walk, no prefix/suffix match kinds), which differ from what
// today's docker CLI sends in the corner cases this file reproduces.
import { InvalidArgumentError } from "../../errors.js";
import { cleanPath, dirName } from "./clean-path.js";
import { isValidGlob } from "./glob.js";

export interface IgnoreMatcher {
  /** Whether the path (relative to the context, "/"-separated, cleaned) is left out. Files and directories alike. */
  ignores(relPath: string): boolean;
  /** For an ignored directory: whether an exception pattern may bring back something beneath it, so the walk must descend. */
  mayContainIncluded(relDir: string): boolean;
  /** True when there are no patterns at all (nothing can be ignored). */
  readonly empty: boolean;
}

/** The patterns of a .dockerignore file, normalised as the docker CLI reads them. */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  for (const raw of lines) {
    if (raw.startsWith("#")) continue;
    let p = raw.trim();
    if (p === "") continue;
    const invert = p.startsWith("!");
    if (invert) p = p.slice(1).trim();
    if (p.length > 0) {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith("/")) p = p.slice(1);
    }
    out.push(invert ? `!${p}` : p);
  }
  return out;
}

interface Pattern {
  text: string;
  exclusion: boolean;
  test(path: string): boolean;
}

export function createIgnoreMatcher(lines: string[]): IgnoreMatcher {
  const patterns: Pattern[] = [];
  for (const line of lines) {
    let p = line.trim();
    if (p === "") continue;
    p = cleanPath(p);
    const exclusion = p.startsWith("!");
    if (exclusion) {
      if (p.length === 1) throw new InvalidArgumentError('illegal exclusion pattern: "!"');
      p = p.slice(1);
    }
    if (!isValidGlob(p)) throw new InvalidArgumentError(`syntax error in pattern: ${JSON.stringify(line)}`);
    patterns.push({ text: p, exclusion, test: compile(p, line) });
  }
  // Per directory, which patterns matched it or a directory above it: what
  // the CLI's walk hands from a directory to its children.
  const dirInfo = new Map<string, boolean[]>();

  function evaluate(path: string, parent: boolean[] | undefined): { matched: boolean; info: boolean[] } {
    let matched = false;
    const info = new Array<boolean>(patterns.length).fill(false);
    patterns.forEach((pat, i) => {
      let m = parent?.[i] ?? false;
      if (!m) {
        // Once matched, only exceptions can change the answer, and vice versa.
        if (pat.exclusion !== matched) return;
        m = pat.test(path);
        if (!m && parent === undefined) {
          const dirs = dirName(path).split("/").filter(Boolean);
          for (let k = 1; k <= dirs.length && !m; k++) m = pat.test(dirs.slice(0, k).join("/"));
        }
      }
      info[i] = m;
      if (m) matched = !pat.exclusion;
    });
    return { matched, info };
  }

  function infoOf(dir: string): boolean[] | undefined {
    if (dir === "") return undefined;
    let info = dirInfo.get(dir);
    if (info === undefined) {
      info = evaluate(dir, infoOf(dirName(dir))).info;
      dirInfo.set(dir, info);
    }
    return info;
  }

  const exceptions = patterns.filter((p) => p.exclusion);
  return {
    empty: patterns.length === 0,
    ignores(relPath) {
      if (patterns.length === 0 || relPath === "") return false;
      return evaluate(relPath, infoOf(dirName(relPath))).matched;
    },
    mayContainIncluded(relDir) {
      const prefix = `${relDir}/`;
      return exceptions.some((p) => `${p.text}/`.startsWith(prefix));
    },
  };
}

/**
 * patternmatcher's compile: a pattern becomes an exact, prefix ("a/**"),
 * suffix ("**\/a") or regular-expression match.
 */
function compile(p: string, line: string): (path: string) => boolean {
  const chars = Array.from(p);
  let re = "^";
  let kind: "exact" | "prefix" | "suffix" | "regexp" = "exact";
  for (let pos = 0, iter = 0; pos < chars.length; iter++) {
    const ch = chars[pos++]!;
    if (ch === "*") {
      if (chars[pos] === "*") {
        pos++;
        if (chars[pos] === "/") pos++;
        if (pos >= chars.length) {
          if (kind === "exact") kind = "prefix";
          else {
            re += ".*";
            kind = "regexp";
          }
        } else {
          re += "(.*/)?";
          kind = "regexp";
        }
        if (iter === 0) kind = "suffix";
      } else {
        re += "[^/]*";
        kind = "regexp";
      }
    } else if (ch === "?") {
      re += "[^/]";
      kind = "regexp";
    } else if (".+()|{}$".includes(ch)) {
      re += `\\${ch}`;
    } else if (ch === "\\") {
      if (pos < chars.length) {
        re += `\\${chars[pos++]}`;
        kind = "regexp";
      } else re += "\\\\";
    } else if (ch === "[" || ch === "]") {
      re += ch;
      kind = "regexp";
    } else {
      re += ch;
    }
  }
  switch (kind) {
    case "exact":
      return (path) => path === p;
    case "prefix": {
      const prefix = p.slice(0, -2);
      return (path) => path.startsWith(prefix);
    }
    case "suffix": {
      const suffix = p.slice(2);
      return (path) => path.endsWith(suffix) || (suffix.startsWith("/") && path === suffix.slice(1));
    }
    case "regexp": {
      let regexp: RegExp;
      try {
        regexp = new RegExp(`${re}$`);
      } catch (err) {
        if (err instanceof SyntaxError) throw new InvalidArgumentError(`syntax error in pattern: ${JSON.stringify(line)}`);
        throw err;
      }
      return (path) => regexp.test(path);
    }
  }
}
