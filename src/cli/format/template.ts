// The subset of Go's text/template that `--format` uses, with Docker's extra
// functions. A template is parsed once and executed per item:
//
//   const t = parseTemplate('{{.Name}}\t{{index .Config.Labels "app"}}');
//   t.execute(container)  // → "web\tshop"
//
// Supported: {{.Field.Sub}}, {{.}}, {{$}}, {{$var}}, pipelines with |,
// (sub pipelines), string/number/bool literals, {{if}}/{{else if}}/{{else}},
// {{range}} (with `$i, $v :=`), {{with}}, {{- trim -}} markers, and the
// functions below. A field whose value is a function is called with the
// arguments that follow it ({{.Label "k"}}), as Go calls a method.
import { UsageError } from "../usage-error.js";
import { goPrint, goSprintf } from "./go-print.js";

export interface Template {
  execute(data: unknown): string;
}

export interface TemplateOptions {
  /**
   * Docker's formatter contexts are structs: an unknown field is an error.
   * Inspect output is decoded JSON (maps): an unknown key prints "<no value>".
   */
  strictFields?: boolean;
  /**
   * Table headers run the row template against a map of header names; as in
   * Docker, functions that would alter a header (lower, json, join…) pass it through.
   */
  headers?: boolean;
}

type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: Pipeline }
  | { kind: "if"; pipe: Pipeline; then: Node[]; else: Node[] }
  | { kind: "with"; pipe: Pipeline; then: Node[]; else: Node[] }
  | { kind: "range"; pipe: Pipeline; then: Node[]; else: Node[] };

interface Pipeline {
  decl: string[];
  cmds: Operand[][];
}

type Operand =
  | { kind: "field"; base: "dot" | string; path: string[] }
  | { kind: "literal"; value: unknown }
  | { kind: "func"; name: string }
  | { kind: "pipe"; pipe: Pipeline; path: string[] };

type Func = (...args: unknown[]) => unknown;

const identity: Func = (v) => v;
const HEADER_FUNCS: Record<string, Func> = {
  json: identity,
  join: identity,
  split: identity,
  lower: identity,
  upper: identity,
  title: identity,
  pad: identity,
  truncate: identity,
};

const FUNCS: Record<string, Func> = {
  json: (v) => JSON.stringify(v ?? null),
  join: (list, sep) => toArray(list).map(goPrint).join(String(sep)),
  split: (s, sep) => String(s).split(String(sep)),
  lower: (s) => String(goPrint(s)).toLowerCase(),
  upper: (s) => String(goPrint(s)).toUpperCase(),
  title: (s) => String(goPrint(s)).replace(/\b\w/g, (c) => c.toUpperCase()),
  pad: (s, before, after) => " ".repeat(Number(before)) + goPrint(s) + " ".repeat(Number(after)),
  truncate: (s, n) => [...goPrint(s)].slice(0, Number(n)).join(""),
  print: (...args) => args.map(goPrint).join(""),
  println: (...args) => args.map(goPrint).join(" ") + "\n",
  printf: (format, ...args) => goSprintf(String(format), args),
  index: (v, ...keys) => keys.reduce((acc: unknown, k) => (acc == null ? undefined : (acc as Record<string, unknown>)[String(k)]), v),
  len: (v) => (typeof v === "string" ? v.length : toArray(v).length),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  not: (v) => !truthy(v),
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
};

export function parseTemplate(source: string, opts: TemplateOptions = {}): Template {
  const nodes = new Parser(source).parseAll();
  return {
    execute(data) {
      const out: string[] = [];
      const funcs = opts.headers ? { ...FUNCS, ...HEADER_FUNCS } : FUNCS;
      const exec = new Executor(data, { strict: opts.strictFields ?? false, funcs });
      exec.run(nodes, data, new Map([["$", data]]), out);
      return out.join("");
    },
  };
}

// ---- lexing and parsing ----------------------------------------------------

type Token = { t: "field" | "chain" | "var" | "ident" | "string" | "number" | "(" | ")" | "|" | ":=" | ","; v: string };

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

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
      const tokens = lex(body.trim(), (m) => this.error(m));
      if (tokens.length === 0) throw this.error("missing value for command");
      const head = tokens[0];
      if (head.t === "ident" && (head.v === "end" || head.v === "else")) {
        return { nodes, end: head.v, elseTokens: tokens.slice(1) };
      }
      if (head.t === "ident" && (head.v === "if" || head.v === "with" || head.v === "range")) {
        nodes.push(this.parseBlock(head.v, tokens.slice(1)));
        continue;
      }
      nodes.push({ kind: "action", pipe: parsePipeline(tokens, (m) => this.error(m)) });
    }
  }

  private parseBlock(kind: "if" | "with" | "range", tokens: Token[]): Node {
    const pipe = parsePipeline(tokens, (m) => this.error(m));
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

  private error(message: string): UsageError {
    return new UsageError(`template parsing error: template: :1: ${message}`);
  }
}

function findStringEnd(src: string, start: number): number {
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === "\\") i++;
    else if (src[i] === '"') return i;
  }
  return -1;
}

function lex(body: string, error: (m: string) => Error): Token[] {
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
      tokens.push({ t: "string", v: rest[0] === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1) });
      i += raw.length;
      continue;
    }
    const hit = patterns.map(([t, re]) => [t, re.exec(rest)] as const).find(([, m]) => m !== null);
    if (!hit || !hit[1]) throw error(`unexpected "${rest[0]}" in command`);
    // A field right after a closing paren reads a field of its result: (index .X 0).Name
    const chained = hit[0] === "field" && tokens.at(-1)?.t === ")" && i > 0 && body[i - 1] === ")";
    tokens.push({ t: chained ? "chain" : hit[0], v: hit[1][0] });
    i += hit[1][0].length;
  }
  return tokens;
}

function parsePipeline(tokens: Token[], error: (m: string) => Error): Pipeline {
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
        cmd.push({ kind: "pipe", pipe, path: chain });
      }
      else if (tok.t === "field") cmd.push({ kind: "field", base: "dot", path: tok.v.split(".").filter(Boolean) });
      else if (tok.t === "var") {
        const [name, ...path] = tok.v.split(".");
        cmd.push({ kind: "field", base: name, path });
      } else if (tok.t === "string") cmd.push({ kind: "literal", value: tok.v });
      else if (tok.t === "number") cmd.push({ kind: "literal", value: Number(tok.v) });
      else if (tok.t === "ident") {
        if (tok.v === "true" || tok.v === "false") cmd.push({ kind: "literal", value: tok.v === "true" });
        else if (tok.v === "nil") cmd.push({ kind: "literal", value: null });
        else if (FUNCS[tok.v]) cmd.push({ kind: "func", name: tok.v });
        else throw error(`function "${tok.v}" not defined`);
      } else throw error(`unexpected "${tok.v}" in operand`);
    }
    if (stopAtParen) throw error("unclosed left paren");
    return cmds;
  };
  const cmds = parse(false);
  if (cmds.some((c) => c.length === 0)) throw error("missing command");
  return { decl, cmds };
}

// ---- execution -------------------------------------------------------------

class Executor {
  private readonly strict: boolean;
  private readonly funcs: Record<string, Func>;
  constructor(
    private readonly root: unknown,
    opts: { strict: boolean; funcs: Record<string, Func> },
  ) {
    this.strict = opts.strict;
    this.funcs = opts.funcs;
  }

  run(nodes: Node[], dot: unknown, vars: Map<string, unknown>, out: string[]): void {
    for (const node of nodes) {
      switch (node.kind) {
        case "text":
          out.push(node.text);
          break;
        case "action": {
          const value = this.pipeline(node.pipe, dot, vars);
          if (node.pipe.decl.length === 0) out.push(goPrint(value));
          break;
        }
        case "if":
        case "with": {
          const value = this.pipeline(node.pipe, dot, vars);
          if (truthy(value)) this.run(node.then, node.kind === "with" ? value : dot, vars, out);
          else this.run(node.else, dot, vars, out);
          break;
        }
        case "range": {
          const value = this.pipeline({ decl: [], cmds: node.pipe.cmds }, dot, vars);
          const entries: [unknown, unknown][] = Array.isArray(value)
            ? value.map((v, i) => [i, v])
            : value && typeof value === "object"
              ? Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]])
              : [];
          if (entries.length === 0) this.run(node.else, dot, vars, out);
          for (const [key, item] of entries) {
            const scope = new Map(vars);
            if (node.pipe.decl.length === 1) scope.set(node.pipe.decl[0], item);
            if (node.pipe.decl.length === 2) {
              scope.set(node.pipe.decl[0], key);
              scope.set(node.pipe.decl[1], item);
            }
            this.run(node.then, item, scope, out);
          }
          break;
        }
      }
    }
  }

  private pipeline(pipe: Pipeline, dot: unknown, vars: Map<string, unknown>): unknown {
    let value: unknown;
    pipe.cmds.forEach((cmd, i) => {
      value = this.command(cmd, dot, vars, i === 0 ? [] : [value]);
    });
    for (const name of pipe.decl) vars.set(name, value);
    return value;
  }

  private command(cmd: Operand[], dot: unknown, vars: Map<string, unknown>, piped: unknown[]): unknown {
    const [head, ...rest] = cmd;
    const args = (): unknown[] => [...rest.map((op) => this.operand(op, dot, vars)), ...piped];
    if (head.kind === "func") return this.funcs[head.name](...args());
    if (head.kind === "field" && (rest.length > 0 || piped.length > 0)) {
      const target = this.resolve(head, dot, vars);
      if (typeof target === "function") return (target as Func)(...args());
      throw new UsageError(`template: :1: can't give argument to non-function ${head.path.join(".")}`);
    }
    if (rest.length > 0 || piped.length > 0) throw new UsageError("template: :1: can't give argument to non-function");
    return this.operand(head, dot, vars);
  }

  private operand(op: Operand, dot: unknown, vars: Map<string, unknown>): unknown {
    switch (op.kind) {
      case "literal":
        return op.value;
      case "pipe":
        return op.path.reduce(
          (value: unknown, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined),
          this.pipeline(op.pipe, dot, vars),
        );
      case "func":
        return this.funcs[op.name]();
      case "field": {
        const value = this.resolve(op, dot, vars);
        // A method used without arguments ({{.Label}}) is still called.
        return typeof value === "function" ? (value as Func)() : value;
      }
    }
  }

  private resolve(op: Extract<Operand, { kind: "field" }>, dot: unknown, vars: Map<string, unknown>): unknown {
    let value: unknown;
    if (op.base === "dot") value = dot;
    else if (op.base === "$") value = this.root;
    else if (vars.has(op.base)) value = vars.get(op.base);
    else throw new UsageError(`template: :1: undefined variable "${op.base}"`);
    for (const key of op.path) {
      if (value === null || value === undefined) return undefined;
      if (typeof value !== "object") {
        throw new UsageError(`template: :1: can't evaluate field ${key} in type ${typeof value}`);
      }
      if (!(key in value)) {
        if (this.strict) throw new UsageError(`template: :1: can't evaluate field ${key}`);
        return undefined;
      }
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  }
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

function toArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v && typeof v === "object") return Object.values(v);
  return [];
}
