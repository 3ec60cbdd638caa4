// The executing half of the `--format` template engine (see template.ts):
// walks the parsed tree against the data, resolving fields as Go does for
// maps (an absent key is "<no value>") or, in strict mode, for structs (an
// absent field is an error), and prints values the way Go's fmt does.
import { UsageError } from "../usage-error.js";
import { GoNil, goPrint } from "./go-print.js";
import { truthy, type Func } from "./template-funcs.js";
import type { Node, Operand, Pipeline } from "./template-parser.js";

export class Executor {
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
            : value && typeof value === "object" && !(value instanceof GoNil)
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
