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
import { goJson } from "./go-print.js";
import { Executor } from "./template-exec.js";
import { FUNCS, HEADER_FUNCS } from "./template-funcs.js";
import { parseNodes } from "./template-parser.js";

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
  return {
    execute(data) {
      const out: string[] = [];
      let funcs = opts.headers ? { ...FUNCS, ...HEADER_FUNCS } : FUNCS;
      if (opts.context && !opts.headers) funcs = { ...funcs, json: (v) => goJson(v, { escapeHtml: v === data }) };
      const exec = new Executor(data, {
        funcs,
        name,
        missingKey: opts.missingKeyError ? "error" : "default",
        ...(opts.rootType && !opts.headers ? { rootType: opts.rootType } : {}),
      });
      exec.run(nodes, data, new Map([["$", data]]), out);
      return out.join("");
    },
  };
}
