// The parsing half of the `--format` template engine (see template.ts): the
// source is cut into text and {{actions}}, each action lexed into tokens and
// parsed into a pipeline; if/with/range blocks nest. The result is a tree
// that template-exec.ts runs.
import { UsageError } from "../usage-error.js";

/**
 * A template that does not parse or fails while running, worded as Go's
 * text/template words it ("template: :1:2: executing \"\" at <.Foo>: …").
 * Commands put their own prefix before it, as each of Docker's does.
 */
export class TemplateError extends UsageError {
  constructor(
    readonly phase: "parse" | "exec",
    message: string,
  ) {
    super(message);
  }
}

/** Where an operand sits, for Go's error location: "1:20" and its text "<.Foo>". */
export interface Origin {
  loc: string;
  text: string;
}

export type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: Pipeline }
  | { kind: "if"; pipe: Pipeline; then: Node[]; else: Node[] }
  | { kind: "with"; pipe: Pipeline; then: Node[]; else: Node[] }
  | { kind: "range"; pipe: Pipeline; then: Node[]; else: Node[] };

export interface Pipeline {
  decl: string[];
  cmds: Operand[][];
}

export type Operand =
  | { kind: "field"; base: "dot" | string; path: string[]; at: Origin }
  | { kind: "literal"; value: unknown; at: Origin }
  | { kind: "func"; name: string; at: Origin }
  | { kind: "pipe"; pipe: Pipeline; path: string[]; at: Origin };

/**
 * Parses a template; `isFunc` tells which identifiers name functions (others
 * are a parse error, as in Go); `name` is the template's name in errors.
 */
export function parseNodes(source: string, opts: { isFunc: (name: string) => boolean; name?: string }): Node[] {
  return new Parser(source, opts.isFunc, opts.name ?? "").parseAll();
}

type Token = { t: "field" | "chain" | "var" | "ident" | "string" | "number" | "(" | ")" | "|" | ":=" | ","; v: string; at: Origin };

class Parser {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly isFunc: (name: string) => boolean,
    private readonly name: string,
  ) {}

  parseAll(): Node[] {
    const { nodes, end } = this.parseList();
    if (end) throw this.error(`unexpected {{${end}}}`);
    return nodes;
  }

  /** Parses nodes until {{end}} / {{else …}} or the end of input; returns which ended it. */
  private parseList(): { nodes: Node[]; end?: string; elseTokens?: Token[] } {
    const nodes: Node[] = [];
    for (;;) {
      const open = this.src.indexOf("{{", this.pos);
      if (open < 0) {
        this.pushText(nodes, this.src.slice(this.pos));
        this.pos = this.src.length;
        return { nodes };
      }
      let text = this.src.slice(this.pos, open);
      let inner = open + 2;
      if (this.src.startsWith("- ", inner) || this.src.startsWith("-\t", inner) || this.src.startsWith("-\n", inner)) {
        text = text.replace(/\s+$/, "");
        inner += 1;
      }
      this.pushText(nodes, text);
      const close = this.findClose(inner);
      let body = this.src.slice(inner, close);
      this.pos = close + 2;
      if (/\s-$/.test(body)) {
        body = body.slice(0, -1);
        const after = this.src.slice(this.pos);
        this.pos += after.length - after.trimStart().length;
      }
      const start = inner + (body.length - body.trimStart().length);
      const tokens = lex(body.trim(), { error: (m) => this.error(m), origin: (offset, text) => this.origin(start + offset, text) });
      if (tokens.length === 0) throw this.error("missing value for command");
      const head = tokens[0];
      if (head.t === "ident" && (head.v === "end" || head.v === "else")) {
        return { nodes, end: head.v, elseTokens: tokens.slice(1) };
      }
      if (head.t === "ident" && (head.v === "if" || head.v === "with" || head.v === "range")) {
        nodes.push(this.parseBlock(head.v, tokens.slice(1)));
        continue;
      }
      nodes.push({ kind: "action", pipe: parsePipeline(tokens, { error: (m) => this.error(m), isFunc: this.isFunc }) });
    }
  }

  private parseBlock(kind: "if" | "with" | "range", tokens: Token[]): Node {
    const pipe = parsePipeline(tokens, { error: (m) => this.error(m), isFunc: this.isFunc });
    const body = this.parseList();
    if (!body.end) throw this.error(`unexpected EOF in ${kind}`);
    let elseNodes: Node[] = [];
    if (body.end === "else") {
      const rest = body.elseTokens ?? [];
      if (rest.length > 0 && rest[0].t === "ident" && (rest[0].v === "if" || rest[0].v === "with")) {
        // {{else if x}} is {{else}}{{if x}}…{{end}} sharing the outer {{end}}.
        elseNodes = [this.parseBlock(rest[0].v as "if" | "with", rest.slice(1))];
      } else {
        const tail = this.parseList();
        if (tail.end !== "end") throw this.error(`expected end; found ${tail.end ?? "EOF"}`);
        elseNodes = tail.nodes;
      }
    }
    return { kind, pipe, then: body.nodes, else: elseNodes };
  }

  private findClose(from: number): number {
    let i = from;
    while (i < this.src.length) {
      const c = this.src[i];
      if (c === '"' || c === "`") {
        const endQuote = c === "`" ? this.src.indexOf("`", i + 1) : findStringEnd(this.src, i);
        if (endQuote < 0) throw this.error("unterminated quoted string");
        i = endQuote + 1;
        continue;
      }
      if (this.src.startsWith("}}", i)) return i;
      i++;
    }
    throw this.error("unclosed action");
  }

  private pushText(nodes: Node[], text: string): void {
    if (text) nodes.push({ kind: "text", text });
  }

  private error(message: string): TemplateError {
    const line = 1 + (this.src.slice(0, this.pos).match(/\n/g)?.length ?? 0);
    return new TemplateError("parse", `template: ${this.name}:${line}: ${message}`);
  }

  /** Go's ErrorContext: the line, and the byte offset within it (from the template's start on line 1). */
  private origin(pos: number, text: string): Origin {
    const before = this.src.slice(0, pos);
    const nl = before.lastIndexOf("\n");
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    return { loc: `${line}:${nl < 0 ? pos : pos - nl - 1}`, text };
  }
}

function findStringEnd(src: string, start: number): number {
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === "\\") i++;
    else if (src[i] === '"') return i;
  }
  return -1;
}

function lex(body: string, opts: { error: (m: string) => Error; origin: (offset: number, text: string) => Origin }): Token[] {
  const { error, origin } = opts;
  const tokens: Token[] = [];
  let i = 0;
  const patterns: [Token["t"], RegExp][] = [
    ["field", /^\.(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?/],
    ["var", /^\$\w*(?:\.[A-Za-z_]\w*)*/],
    ["number", /^-?\d+(?:\.\d+)?/],
    ["ident", /^[A-Za-z_]\w*/],
    [":=", /^:=/],
    ["(", /^\(/],
    [")", /^\)/],
    ["|", /^\|/],
    [",", /^,/],
  ];
  while (i < body.length) {
    const rest = body.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    if (rest[0] === '"' || rest[0] === "`") {
      const end = rest[0] === '"' ? findStringEnd(rest, 0) : rest.indexOf("`", 1);
      if (end < 0) throw error("unterminated quoted string");
      const raw = rest.slice(0, end + 1);
      tokens.push({ t: "string", v: rest[0] === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1), at: origin(i, raw) });
      i += raw.length;
      continue;
    }
    const hit = patterns.map(([t, re]) => [t, re.exec(rest)] as const).find(([, m]) => m !== null);
    if (!hit || !hit[1]) throw error(`unexpected "${rest[0]}" in command`);
    // A field right after a closing paren reads a field of its result: (index .X 0).Name
    const chained = hit[0] === "field" && tokens.at(-1)?.t === ")" && i > 0 && body[i - 1] === ")";
    const text = hit[1][0];
    tokens.push({ t: chained ? "chain" : hit[0], v: text, at: origin(i + chainOffset(hit[0], text), text) });
    i += hit[1][0].length;
  }
  return tokens;
}

/**
 * Go parses `.A.B` as a chain whose position is its second element's, and
 * `$x.A` as one at `.A`: errors point there.
 */
function chainOffset(kind: Token["t"], text: string): number {
  if (kind === "var") return Math.max(text.indexOf("."), 0);
  if (kind === "field") return Math.max(text.indexOf(".", 1), 0);
  return 0;
}

function parsePipeline(tokens: Token[], opts: { error: (m: string) => Error; isFunc: (name: string) => boolean }): Pipeline {
  const { error, isFunc } = opts;
  let pos = 0;
  const decl: string[] = [];
  const declEnd = tokens.findIndex((t) => t.t === ":=");
  if (declEnd > 0 && tokens.slice(0, declEnd).every((t) => t.t === "var" || t.t === ",")) {
    for (const t of tokens.slice(0, declEnd)) if (t.t === "var") decl.push(t.v);
    pos = declEnd + 1;
  }
  const parse = (stopAtParen: boolean): Pipeline["cmds"] => {
    const cmds: Operand[][] = [[]];
    while (pos < tokens.length) {
      const tok = tokens[pos++];
      const cmd = cmds[cmds.length - 1];
      if (tok.t === ")") {
        if (stopAtParen) return cmds;
        throw error("unexpected right paren");
      }
      if (tok.t === "|") {
        if (cmd.length === 0) throw error("missing command before |");
        cmds.push([]);
      } else if (tok.t === "(") {
        const pipe: Pipeline = { decl: [], cmds: parse(true) };
        const chain = tokens[pos]?.t === "chain" ? tokens[pos++].v.split(".").filter(Boolean) : [];
        cmd.push({ kind: "pipe", pipe, path: chain, at: tok.at });
      } else if (tok.t === "field") cmd.push({ kind: "field", base: "dot", path: tok.v.split(".").filter(Boolean), at: tok.at });
      else if (tok.t === "var") {
        const [name, ...path] = tok.v.split(".");
        cmd.push({ kind: "field", base: name!, path, at: tok.at });
      } else if (tok.t === "string") cmd.push({ kind: "literal", value: tok.v, at: tok.at });
      else if (tok.t === "number") cmd.push({ kind: "literal", value: Number(tok.v), at: tok.at });
      else if (tok.t === "ident") {
        if (tok.v === "true" || tok.v === "false") cmd.push({ kind: "literal", value: tok.v === "true", at: tok.at });
        else if (tok.v === "nil") cmd.push({ kind: "literal", value: null, at: tok.at });
        else if (isFunc(tok.v)) cmd.push({ kind: "func", name: tok.v, at: tok.at });
        else throw error(`function "${tok.v}" not defined`);
      } else throw error(`unexpected "${tok.v}" in operand`);
    }
    if (stopAtParen) throw error("unclosed left paren");
    return cmds;
  };
  const cmds = parse(false);
  if (cmds.some((c) => c.length === 0)) throw error("missing command");
  // A function's errors quote its whole command: "at <index .Config.Env 5>".
  for (const cmd of cmds) {
    const head = cmd[0]!;
    if (head.kind === "func") head.at = { loc: head.at.loc, text: cmd.map(operandText).join(" ") };
  }
  return { decl, cmds };
}

/** An operand as Go's parse tree prints it. */
function operandText(op: Operand): string {
  if (op.kind === "literal" && typeof op.value === "string") return JSON.stringify(op.value);
  if (op.kind === "literal" && op.value === null) return "nil";
  if (op.kind === "pipe") return `(${op.pipe.cmds.map((c) => c.map(operandText).join(" ")).join(" | ")})${op.path.map((p) => `.${p}`).join("")}`;
  if (op.kind === "func") return op.name;
  return op.at.text;
}
