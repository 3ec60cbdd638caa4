// berth ps: list containers as a table, IDs (-q) or a --format template.
import type { Command } from "commander";
import { action } from "../action.js";
import { filterFlag, integer, parsed } from "../args.js";
import type { CliContext } from "../context.js";
import { CONTAINER_FORMAT, SIZE_TABLE_SUFFIX, containerContext } from "../format/container-context.js";
import { formatUses, renderList } from "../format/render.js";

interface Flags {
  all?: boolean;
  filter?: Record<string, string[]>;
  format?: string;
  last: number;
  latest?: boolean;
  trunc: boolean;
  quiet?: boolean;
  size?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("List containers")
    .option("-a, --all", "Show all containers (default shows just running)")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", filterFlag)
    .option("--format <string>", "Format output using a custom template")
    .option("-n, --last <int>", "Show n last created containers (includes all states)", parsed(integer), -1)
    .option("-l, --latest", "Show the latest created container (includes all states)")
    .option("--no-trunc", "Don't truncate output")
    .option("-q, --quiet", "Only display container IDs")
    .option("-s, --size", "Display total file sizes");
  action<Flags>(cmd, { max: 0 }, async (_args, flags) => {
    const limit = flags.latest && flags.last === -1 ? 1 : flags.last;
    if (flags.quiet && flags.format) ctx.err("WARNING: Ignoring custom format, because both --format and --quiet are set.\n");
    const format = flags.quiet ? "{{.ID}}" : flags.format;
    // As the docker CLI: sizes are fetched when the template shows them,
    // `{{json .}}` included; `--format json` is not a template and fetches none.
    const size = !flags.quiet && (flags.size || formatUses(format, "Size") || showsWholeRow(format));
    const list = await ctx.client().containers.list({
      all: flags.all || limit > 0,
      limit: limit > 0 ? limit : undefined,
      size,
      filters: flags.filter,
    });
    const spec = flags.size && !flags.format ? { ...CONTAINER_FORMAT, defaultTable: CONTAINER_FORMAT.defaultTable + SIZE_TABLE_SUFFIX } : CONTAINER_FORMAT;
    const now = Date.now() / 1000;
    ctx.out(renderList(format, list.map((c) => containerContext(c, { trunc: flags.trunc, now })), spec));
  }, ctx);
}

function showsWholeRow(format: string | undefined): boolean {
  return format !== undefined && /\{\{-?\s*json\s+\.\s*-?\}\}/.test(format);
}
