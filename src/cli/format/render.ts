// `--format` for list commands (ps, images, history): "" or "table" → the
// command's default table, "json" → one JSON object per line, "table TEMPLATE"
// → a header row plus aligned rows, anything else → the template per item.
import { tabulate } from "./tabwriter.js";
import { parseTemplate } from "./template.js";

export interface ListFormat {
  /** The template after "table " that the command prints by default. */
  defaultTable: string;
  /** Header names by field, e.g. { ID: "CONTAINER ID" }. */
  headers: Record<string, unknown>;
}

export function renderList(format: string | undefined, rows: object[], spec: ListFormat): string {
  let source = format ?? "";
  if (source === "" || source === "table") source = `table ${spec.defaultTable}`;
  if (source === "json") source = "{{json .}}";
  const table = source.startsWith("table");
  if (table) source = source.slice("table".length);
  // Docker lets a shell-quoted format say \t and \n literally.
  source = source.trim().replaceAll("\\t", "\t").replaceAll("\\n", "\n");
  const template = parseTemplate(source, { strictFields: true, context: true });
  const body = rows.map((row) => `${template.execute(row)}\n`).join("");
  if (!table) return body;
  const header = parseTemplate(source, { headers: true }).execute(spec.headers);
  return tabulate(`${header}\n${body}`);
}

/** Runs a template once per item (inspect --format): one line per item. */
export function renderEach(format: string, items: unknown[]): string {
  const template = parseTemplate(format);
  return items.map((item) => `${template.execute(item)}\n`).join("");
}

/** True when the format mentions a field, e.g. ps asks for sizes only if .Size is shown. */
export function formatUses(format: string | undefined, field: string): boolean {
  return format !== undefined && new RegExp(`\\.${field}\\b`).test(format);
}
