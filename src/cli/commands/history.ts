// berth history: the layers an image was built from, newest first.
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { HISTORY_FORMAT, historyContext } from "../format/history-context.js";
import { renderList } from "../format/render.js";

interface Flags {
  human: boolean;
  trunc: boolean;
  quiet?: boolean;
  format?: string;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] IMAGE")
    .description("Show the history of an image")
    .helpOption("--help", "Print usage")
    .option("--format <string>", "Format output using a custom template")
    .option("-H, --human", "Print sizes and dates in human readable format", true)
    .option("--no-human", "Print sizes and dates as numbers")
    .option("--no-trunc", "Don't truncate output")
    .option("-q, --quiet", "Only show image IDs");
  action<Flags>(cmd, { min: 1, max: 1 }, async ([name], flags) => {
    const items = await ctx.client().images.history(name);
    const now = Date.now() / 1000;
    const rows = items.map((h) => historyContext(h, { trunc: flags.trunc, human: flags.human, now }));
    ctx.out(renderList(flags.quiet ? "{{.ID}}" : (flags.format ?? (flags.human ? undefined : "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}")), rows, HISTORY_FORMAT));
  }, ctx);
}
