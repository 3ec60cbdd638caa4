// The physical-line layer of the parser: parser directives at the top,
// comments and blank lines dropped, continuation lines joined into one
// logical line, and heredoc bodies read when the caller asks for them.
//
// Joining follows the classic builder exactly, since "Step n/m : …" shows the
// result: the escape character at the end of a line (blanks may follow it)
// is removed and the next line is appended as written — its leading blanks
// kept, no space added. Comment lines inside a continuation are skipped;
// blank ones too, with a warning.
import type { Directives, Heredoc } from "./ast.js";
import { directiveReader } from "./directives.js";
import type { HeredocStart } from "./heredoc.js";
import { lineError } from "./syntax-error.js";
import { isSpace } from "./words.js";

export interface LogicalLine {
  /** The joined text, leading whitespace of the first line removed. */
  text: string;
  /** 1-based first and last physical line. */
  line: number;
  endLine: number;
  /** A blank line sat inside the continuation (Docker warns). */
  emptyContinuation: boolean;
}

export interface LineReader {
  /** Final once the first logical line has been read. */
  readonly directives: Directives;
  /** The next logical line, or undefined at the end of the text. */
  next(): LogicalLine | undefined;
  /** Reads the body of a heredoc the line just returned opened; extends its endLine. */
  readHeredoc(start: HeredocStart, of: LogicalLine): Heredoc;
}

export function lineReader(text: string): LineReader {
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  // A final newline ends the last line; it does not start an empty one.
  if (lines[lines.length - 1] === "") lines.pop();
  const reader = directiveReader();
  let continuation = continuationPattern(reader.directives.escape);
  let at = 0;

  function next(): LogicalLine | undefined {
    while (at < lines.length) {
      let first = trimStartSpace(trimNewline(lines[at]!));
      if (reader.offer(first)) continuation = continuationPattern(reader.directives.escape);
      at++;
      const line = at;
      if (first.startsWith("#")) first = "";
      let [text, ended] = trimContinuation(first, continuation);
      if (ended && text === "") continue;
      let emptyContinuation = false;
      while (!ended && at < lines.length) {
        const raw = trimNewline(lines[at]!);
        at++;
        const trimmed = trimStartSpace(raw);
        if (trimmed.startsWith("#")) continue;
        if (trimmed === "") {
          emptyContinuation = true;
          continue;
        }
        let part: string;
        [part, ended] = trimContinuation(raw, continuation);
        text += part;
      }
      return { text, line, endLine: at, emptyContinuation };
    }
    return undefined;
  }

  function readHeredoc(start: HeredocStart, of: LogicalLine): Heredoc {
    let content = "";
    while (at < lines.length) {
      const raw = lines[at]!;
      at++;
      of.endLine = at;
      const candidate = start.chomp ? trimNewline(raw).replace(/^\t+/, "") : trimNewline(raw);
      if (candidate === start.name) return { ...start, content };
      const body = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      content += (start.chomp ? body.replace(/^\t+/, "") : body) + "\n";
    }
    throw lineError("unterminated heredoc", of.line);
  }

  return { directives: reader.directives, next, readHeredoc };
}

function trimNewline(s: string): string {
  return s.replace(/[\r\n]+$/, "");
}

function trimStartSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  return s.slice(i);
}

/**
 * Docker's rule: the escape character is a continuation when it is the last
 * non-blank character and not itself escaped (`foo \\` is no continuation),
 * or when it stands alone on the line.
 */
function continuationPattern(escape: "\\" | "`"): RegExp {
  const e = escape === "\\" ? "\\\\" : "`";
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

function trimContinuation(line: string, pattern: RegExp): [string, boolean] {
  return pattern.test(line) ? [line.replace(pattern, "$1"), false] : [line, true];
}
