// `--format` for list commands (ps, images, history…): "" or "table" → the
// command's default table, "json" → one JSON object per line, "table TEMPLATE"
// → a header row plus aligned rows, anything else → the template per item;
// and for single objects (inspect, version, info): the template per object.
import { tabulate } from "./tabwriter.js";
import { parseTemplate, type Template } from "./template.js";
import { TemplateError } from "./template-parser.js";

export interface ListFormat {
  /** The template after "table " that the command prints by default. */
  defaultTable: string;
  /** Header names by field, e.g. { ID: "CONTAINER ID" }. */
  headers: Record<string, unknown>;
  /** The Go type of Docker's formatter context, named by "can't evaluate field" errors. */
  typeName?: string;
  /** What Docker puts before a template's errors; "template parsing error: " unless said. */
  errorPrefix?: ErrorPrefix;
}

export interface ErrorPrefix {
  parse: string;
  exec: string;
}

const PARSING_ERROR: ErrorPrefix = { parse: "template parsing error: ", exec: "template parsing error: " };

export function renderList(format: string | undefined, rows: object[], spec: ListFormat): string {
  let source = format ?? "";
  if (source === "" || source === "table") source = `table ${spec.defaultTable}`;
  if (source === "json") source = "{{json .}}";
  const table = source.startsWith("table");
  if (table) source = source.slice("table".length);
  // Docker lets a shell-quoted format say \t and \n literally.
  source = source.trim().replaceAll("\\t", "\t").replaceAll("\\n", "\n");
  const prefix = spec.errorPrefix ?? PARSING_ERROR;
  const template = prefixed(prefix, () => parseTemplate(source, { rootType: spec.typeName ?? "*formatter.Context", context: true }));
  const body = rows.map((row) => `${prefixed(prefix, () => template.execute(row))}\n`).join("");
  if (!table) return body;
  const header = parseTemplate(source, { headers: true }).execute(spec.headers);
  return tabulate(`${header}\n${body}`);
}

export interface EachOptions {
  /**
   * The objects as decoded JSON, when `items` are typed structs: as Docker's
   * inspect, a template that fails on the struct (a field named as in the
   * JSON, not in Go) runs again on the JSON, where a missing key is an error.
   */
  raw?: unknown[];
  /** The template's name in errors ("version" for `version`). */
  name?: string;
  /** The Go type of the object when it is a plain object standing for a struct (`info`). */
  rootType?: string;
  errorPrefix?: ErrorPrefix;
}

/** Runs a template once per item (inspect --format): one line per item. */
export function renderEach(format: string, items: unknown[], opts: EachOptions = {}): string {
  const prefix = opts.errorPrefix ?? PARSING_ERROR;
  const base = { ...(opts.name !== undefined ? { name: opts.name } : {}), ...(opts.rootType ? { rootType: opts.rootType } : {}) };
  const template = prefixed(prefix, () => parseTemplate(format, base));
  let raw: Template | undefined;
  return items
    .map((item, i) => {
      const text = prefixed(prefix, () => {
        try {
          return template.execute(item);
        } catch (err) {
          if (!(err instanceof TemplateError) || opts.raw === undefined) throw err;
          raw ??= parseTemplate(format, { ...base, missingKeyError: true });
          return raw.execute(opts.raw[i]);
        }
      });
      return `${text}\n`;
    })
    .join("");
}

/** Docker's wording around a template's error: "template parsing error: template: :1: …". */
function prefixed<T>(prefix: ErrorPrefix, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new TemplateError(err.phase, `${err.phase === "parse" ? prefix.parse : prefix.exec}${err.message}`);
  }
}

/** True when the format mentions a field, e.g. ps asks for sizes only if .Size is shown. */
export function formatUses(format: string | undefined, field: string): boolean {
  return format !== undefined && new RegExp(`\\.${field}\\b`).test(format);
}
