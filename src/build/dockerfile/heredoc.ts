// Heredoc words (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`, `<< EOF`) in RUN,
// COPY and ADD lines, found as BuildKit finds them: the line is cut into
// shell words (quotes and escapes kept), and each word that looks like
// `[fd]<<[-]name` opens a heredoc whose body follows the instruction.
import type { Heredoc } from "./ast.js";
import { isSpace } from "./words.js";

export type HeredocStart = Omit<Heredoc, "content">;

// Go's \s is [\t\n\f\r ].
const HEREDOC_WORD = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

/** The heredoc a single word opens, or undefined when it is an ordinary word. */
export function parseHeredocWord(word: string): HeredocStart | undefined {
  const m = HEREDOC_WORD.exec(word);
  if (!m || m[3] === "") return undefined;
  const name = unquote(m[3]!);
  if (name === undefined) return undefined;
  // A quoted delimiter (any part of it) means the body is taken literally, as in sh.
  return { name: name.text, expand: !name.quoted, chomp: m[2] === "-" };
}

/** The heredocs a line opens, in order. */
export function heredocStarts(line: string): HeredocStart[] {
  const starts: HeredocStart[] = [];
  for (const word of rawWords(line)) {
    const start = parseHeredocWord(word);
    if (start) starts.push(start);
  }
  return starts;
}

/**
 * Shell words with quotes and `\` escapes kept as written. `<<` followed by
 * blanks stays glued to the next word, so `cat << EOF` has the word `<< EOF`.
 * An unbalanced quote makes BuildKit's lexer fail, and then it finds no heredoc.
 */
function rawWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (isSpace(ch)) {
      if (word !== "") words.push(word);
      word = "";
    } else if (ch === "'" || ch === '"') {
      const end = closingQuote(line, i);
      if (end < 0) return [];
      word += line.slice(i, end + 1);
      i = end;
    } else if (ch === "\\" && i + 1 < line.length) {
      word += line.slice(i, i + 2);
      i++;
    } else if (ch === "<" && line[i + 1] === "<") {
      let j = i + 2;
      while (j < line.length && (line[j] === " " || line[j] === "\t" || line[j] === "\r")) j++;
      word += line.slice(i, j);
      i = j - 1;
    } else {
      word += ch;
    }
  }
  if (word !== "") words.push(word);
  return words;
}

function closingQuote(s: string, open: number): number {
  const q = s[open]!;
  for (let i = open + 1; i < s.length; i++) {
    if (q === '"' && s[i] === "\\") i++;
    else if (s[i] === q) return i;
  }
  return -1;
}

/** The delimiter with quotes and escapes removed; undefined when it is not a single word. */
function unquote(raw: string): { text: string; quoted: boolean } | undefined {
  let text = "";
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === "'" || ch === '"') {
      const end = closingQuote(raw, i);
      if (end < 0) return undefined;
      const body = raw.slice(i + 1, end);
      text += ch === '"' ? body.replace(/\\(["$\\])/g, "$1") : body;
      quoted = true;
      i = end;
    } else if (ch === "\\") {
      if (i + 1 < raw.length) text += raw[++i];
    } else if (isSpace(ch)) {
      return undefined;
    } else {
      text += ch;
    }
  }
  return { text, quoted };
}
