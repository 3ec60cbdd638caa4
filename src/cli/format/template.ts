// The subset of Go's text/template that `--format` uses, with Docker's extra
// functions. A template is parsed once and executed per item:
//
//   const t = parseTemplate('{{.Name}}\t{{index .Config.Labels "app"}}');
//   t.execute(container)  // → "web\tshop"
//
// Supported: {{.Field.Sub}}, {{.}}, {{$}}, {{$var}}, pipelines with |,
// (sub pipelines), string/number/bool literals, {{if}}/{{else if}}/{{else}},
// {{range}} (with `$i, $v :=`), {{with}}, {{- trim -}} markers, and the
// functions of template-funcs.ts. A field whose value is a function is called
// with the arguments that follow it ({{.Label "k"}}), as Go calls a method.
// Parsing is template-parser.ts, running it template-exec.ts; errors are
// TemplateErrors worded as Go's.
import { goJson, goPrint } from "./go-print.js";
import { Executor } from "./template-exec.js";
import { FUNCS, HEADER_FUNCS } from "./template-funcs.js";
import { parseNodes, type Node } from "./template-parser.js";

export interface Template {
  execute(data: unknown): string;
}

export interface TemplateOptions {
  /**
   * Docker's formatter contexts are structs: an unknown field is an error
   * naming this type ("*formatter.ContainerContext").
   */
  rootType?: string;
  /** Go's missingkey=error: a key missing from a map is an error, not "<no value>". */
  missingKeyError?: boolean;
  /** The template's name in Go's errors: "" except for `version`. */
  name?: string;
  /**
   * Table headers run the row template against a map of header names; as in
   * Docker, functions that would alter a header (lower, json, join…) pass it through.
   */
  headers?: boolean;
  /**
   * The data is one of Docker's formatter contexts (a ps or images row), which
   * marshals itself through encoding/json: `{{json .}}` escapes <, > and & as
   * \u003c, \u003e, \u0026, while `{{json .Field}}` does not.
   */
  context?: boolean;
}

/** Parses a template; a TemplateError (phase "parse") when it does not. */
export function parseTemplate(source: string, opts: TemplateOptions = {}): Template {
  const name = opts.name ?? "";
  const nodes = parseNodes(source, { isFunc: (fn) => Object.hasOwn(FUNCS, fn), name });
  // Made once, not per item: ps runs the template for each of thousands of rows.
  let data: unknown;
  let funcs = opts.headers ? { ...FUNCS, ...HEADER_FUNCS } : FUNCS;
  if (opts.context && !opts.headers) funcs = { ...funcs, json: (v) => goJson(v, { escapeHtml: v === data }) };
  const execOptions = {
    funcs,
    name,
    missingKey: opts.missingKeyError ? ("error" as const) : ("default" as const),
    ...(opts.rootType && !opts.headers ? { rootType: opts.rootType } : {}),
  };
  const flat = flatFields(nodes);
  return {
    execute(item) {
      if (flat && isPlainObject(item) && flat.every((part) => typeof part === "string" || Object.hasOwn(item, part.field))) {
        return flat.map((part) => (typeof part === "string" ? part : goPrint(valueOf(item[part.field])))).join("");
      }
      data = item;
      const out: string[] = [];
      new Executor(item, execOptions).run(nodes, item, new Map([["$", item]]), out);
      return out.join("");
    },
  };
}

/**
 * A template of text and lone {{.Field}} actions, as the default tables are:
 * its parts, which a row's own keys fill in without the executor (what
 * the executor would do with them; anything else, errors included, is left
 * to it). Undefined for any other template.
 */
function flatFields(nodes: Node[]): (string | { field: string })[] | undefined {
  const parts: (string | { field: string })[] = [];
  for (const node of nodes) {
    if (node.kind === "text") parts.push(node.text);
    else if (node.kind !== "action" || node.pipe.decl.length > 0 || node.pipe.cmds.length !== 1 || node.pipe.cmds[0]!.length !== 1) return undefined;
    else {
      const op = node.pipe.cmds[0]![0]!;
      if (op.kind !== "field" || op.base !== "dot" || op.path.length !== 1) return undefined;
      parts.push({ field: op.path[0]! });
    }
  }
  return parts;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A method used without arguments ({{.Label}}) is still called, as by the executor. */
function valueOf(value: unknown): unknown {
  return typeof value === "function" ? (value as () => unknown)() : value;
}
