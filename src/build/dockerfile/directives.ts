// Parser directives: `# escape=`` `, `# syntax=…`, `# check=…` at the very top
// of a Dockerfile. They are read only until the first line that is not one —
// an instruction, a blank line, any other comment, an unknown directive — and
// each may appear once.
import type { Directives } from "./ast.js";
import { fileError } from "./syntax-error.js";

const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

export interface DirectiveReader {
  readonly directives: Directives;
  /** Offers one line (newline and leading whitespace already trimmed); true when it was a directive. */
  offer(line: string): boolean;
}

export function directiveReader(): DirectiveReader {
  const directives: Directives = { escape: "\\" };
  const seen = new Set<string>();
  let done = false;
  return {
    directives,
    offer(line) {
      if (done) return false;
      const m = line.startsWith("#") ? DIRECTIVE.exec(line.slice(1).trimStart()) : null;
      const key = m?.[1]!.toLowerCase();
      if (!m || (key !== "escape" && key !== "syntax" && key !== "check")) {
        done = true;
        return false;
      }
      if (seen.has(key)) throw fileError(`only one ${key} parser directive can be used`);
      seen.add(key);
      const value = m[2]!;
      if (key === "escape") {
        if (value !== "`" && value !== "\\") throw fileError(`invalid escape token '${value}' does not match \` or \\`);
        directives.escape = value;
      } else {
        directives[key] = value;
      }
      return true;
    },
  };
}
