// berth network ls: networks sorted by name, as a table, IDs or a template.
import type { Command } from "commander";
import { action } from "../action.js";
import { filterFlag } from "../args.js";
import type { CliContext } from "../context.js";
import { renderList } from "../format/render.js";
import { NETWORK_FORMAT, naturalLess, networkContext } from "./network-format.js";

interface Flags {
  filter?: Record<string, string[]>;
  format?: string;
  trunc: boolean;
  quiet?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("List networks")
    .option("-f, --filter <filter>", "Provide filter values (e.g. \"driver=bridge\")", filterFlag)
    .option("--format <string>", "Format output using a custom template")
    .option("--no-trunc", "Do not truncate the output")
    .option("-q, --quiet", "Only display network IDs");
  action<Flags>(cmd, { max: 0 }, async (_args, flags) => {
    const list = await ctx.client().networks.list({ filters: flags.filter });
    list.sort((a, b) => (naturalLess(a.Name ?? "", b.Name ?? "") ? -1 : naturalLess(b.Name ?? "", a.Name ?? "") ? 1 : 0));
    const rows = list.map((n) => networkContext(n, { trunc: flags.trunc }));
    // -q replaces the default table only; an explicit template still wins, as in Docker.
    const format = flags.quiet && (!flags.format || flags.format === "table") ? "{{.ID}}" : flags.format;
    ctx.out(renderList(format, rows, NETWORK_FORMAT));
  }, ctx);
}
