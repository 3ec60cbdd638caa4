// The executing half of the `--format` template engine (see template.ts):
// walks the parsed tree against the data, resolving fields as Go does on
// typed structs (go-values.ts: an absent field is an error), on Docker's
// formatter contexts (`rootType`: a struct whose fields are the object's
// keys), and on maps (an absent key is "<no value>", or an error with
// missingkey=error), and prints values the way Go's fmt does.
import { goPrint } from "./go-print.js";
import { GoNil, GoNilPtr, GoStruct, NO_FIELD } from "./go-values.js";
import { truthy, type Func } from "./template-funcs.js";
import { TemplateError, type Node, type Operand, type Origin, type Pipeline } from "./template-parser.js";

export interface ExecOptions {
  funcs: Record<string, Func>;
  /** The template's name in errors ("" for most commands, "version" for `version`). */
  name: string;
  /** Go's missingkey option: "error" makes a missing map key fail instead of printing <no value>. */
  missingKey: "default" | "error";
  /** When the data is one of Docker's formatter structs, its Go type ("*formatter.ContainerContext"). */
  rootType?: string;
}

const noArgs: unknown[] = [];

export class Executor {
  constructor(
    private readonly root: unknown,
    private readonly opts: ExecOptions,
  ) {}

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
          const entries = this.rangeEntries(value, node.pipe.cmds[0]![0]!.at);
          if (entries.length === 0) this.run(node.else, dot, vars, out);
          for (const [key, item] of entries) {
            const scope = new Map(vars);
            if (node.pipe.decl.length === 1) scope.set(node.pipe.decl[0]!, item);
            if (node.pipe.decl.length === 2) {
              scope.set(node.pipe.decl[0]!, key);
              scope.set(node.pipe.decl[1]!, item);
            }
            this.run(node.then, item, scope, out);
          }
          break;
        }
      }
    }
  }

  private rangeEntries(value: unknown, at: Origin): [unknown, unknown][] {
    if (Array.isArray(value)) return value.map((v, i) => [i, v]);
    if (value === null || value === undefined || value instanceof GoNil || value instanceof GoNilPtr) return [];
    if (value instanceof GoStruct || typeof value !== "object") throw this.fail(at, `range can't iterate over ${goPrint(value)}`);
    return Object.keys(value)
      .sort()
      .map((k) => [k, (value as Record<string, unknown>)[k]]);
  }

  private pipeline(pipe: Pipeline, dot: unknown, vars: Map<string, unknown>): unknown {
    let value: unknown;
    for (let i = 0; i < pipe.cmds.length; i++) value = this.command(pipe.cmds[i]!, dot, vars, i === 0 ? noArgs : [value]);
    for (const name of pipe.decl) vars.set(name, value);
    return value;
  }

  private command(cmd: Operand[], dot: unknown, vars: Map<string, unknown>, piped: unknown[]): unknown {
    const head = cmd[0]!;
    // The common case, a lone {{.Field}} or function, without an argument list.
    if (cmd.length === 1 && piped.length === 0) return this.operand(head, dot, vars);
    const rest = cmd.slice(1);
    const args = (): unknown[] => [...rest.map((op) => this.operand(op, dot, vars)), ...piped];
    if (head.kind === "func") return this.call(head.name, head.at, args());
    if (head.kind === "field" && (rest.length > 0 || piped.length > 0)) {
      const target = this.resolve(head, dot, vars);
      if (typeof target === "function") return (target as Func)(...args());
      throw this.fail(head.at, `can't give argument to non-function ${head.at.text}`);
    }
    if (rest.length > 0 || piped.length > 0) throw this.fail(head.at, `can't give argument to non-function ${head.at.text}`);
    return this.operand(head, dot, vars);
  }

  private call(name: string, at: Origin, args: unknown[]): unknown {
    try {
      return this.opts.funcs[name]!(...args);
    } catch (err) {
      // A function's own complaint (index out of range, a bad argument) is Go's "error calling".
      if (err instanceof TemplateError) throw err;
      throw this.fail(at, `error calling ${name}: ${(err as Error).message}`);
    }
  }

  private operand(op: Operand, dot: unknown, vars: Map<string, unknown>): unknown {
    switch (op.kind) {
      case "literal":
        return op.value;
      case "pipe": {
        let value = this.pipeline(op.pipe, dot, vars);
        for (const key of op.path) value = this.step(value, key, { at: op.at, isRoot: false });
        return value;
      }
      case "func":
        return this.call(op.name, op.at, []);
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
    else throw this.fail(op.at, `undefined variable "${op.base}"`);
    for (const key of op.path) {
      value = this.step(value, key, { at: op.at, isRoot: value === this.root });
    }
    return value;
  }

  /** One `.key` of a field chain, as Go's evalField does it for the value's kind. */
  private step(value: unknown, key: string, ctx: { at: Origin; isRoot: boolean }): unknown {
    if (value instanceof GoStruct) {
      const found = value.field(key);
      if (found === NO_FIELD) throw this.fail(ctx.at, `can't evaluate field ${key} in type ${value.typeName()}`);
      return found;
    }
    if (value instanceof GoNilPtr) throw this.fail(ctx.at, `nil pointer evaluating *${value.to.name}.${key}`);
    if (value === null || value === undefined) {
      if (this.opts.missingKey === "error") throw this.fail(ctx.at, `nil data; no entry for key "${key}"`);
      return undefined;
    }
    if (value instanceof GoNil) {
      if (value.kind === "map") return undefined;
      throw this.fail(ctx.at, `can't evaluate field ${key} in type []string`);
    }
    if (typeof value !== "object" || Array.isArray(value)) {
      throw this.fail(ctx.at, `can't evaluate field ${key} in type ${goTypeOf(value)}`);
    }
    if (Object.hasOwn(value, key) || (ctx.isRoot && this.opts.rootType && key in value)) return (value as Record<string, unknown>)[key];
    if (ctx.isRoot && this.opts.rootType) throw this.fail(ctx.at, `can't evaluate field ${key} in type ${this.opts.rootType}`);
    if (this.opts.missingKey === "error") throw this.fail(ctx.at, `map has no entry for key "${key}"`);
    return undefined;
  }

  private fail(at: Origin, message: string): TemplateError {
    const { name } = this.opts;
    return new TemplateError("exec", `template: ${name}:${at.loc}: executing "${name}" at <${at.text}>: ${message}`);
  }
}

/** The Go type a decoded JSON value has, as errors name it. */
function goTypeOf(value: unknown): string {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "float64";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "[]interface {}";
  return "interface {}";
}
