// berth builder prune: drops build cache entries, after asking, as the
// docker CLI does (`builder build` is `berth build`).
import type { Command } from "commander";
import { action } from "../action.js";
import { filterFlag, parsed } from "../args.js";
import type { CliContext } from "../context.js";
import { humanSize, parseBytes } from "../format/units.js";
import { confirm } from "../confirm.js";

interface Flags {
  all?: boolean;
  force?: boolean;
  filter?: Record<string, string[]>;
  keepStorage?: number;
}

const DANGLING_WARNING = "WARNING! This will remove all dangling build cache. Are you sure you want to continue?";
const ALL_WARNING = "WARNING! This will remove all build cache. Are you sure you want to continue?";


/** What `builder prune` prints for a report: the IDs, then the space, as the docker CLI words it. */
export function pruneReport(report: { CachesDeleted?: string[] | null; SpaceReclaimed?: number }): string {
  const deleted = report.CachesDeleted ?? [];
  const list = deleted.length > 0 ? `Deleted build cache objects:\n${deleted.map((id) => `${id}\n`).join("")}\n` : "";
  return `${list}Total reclaimed space: ${humanSize(report.SpaceReclaimed ?? 0)}\n`;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("")
    .description("Remove build cache")
    .option("-a, --all", "Remove all unused build cache, not just dangling ones")
    .option("--filter <filter>", 'Provide filter values (e.g. "until=24h")', filterFlag)
    .option("-f, --force", "Do not prompt for confirmation")
    .option("--keep-storage <bytes>", "Amount of disk space to keep for cache", parsed(parseBytes));
  action<Flags>(cmd, { max: 0 }, async (_args, flags) => {
    // A refusal is no failure: Docker leaves without a word and exits 0.
    if (!flags.force && !(await confirm(flags.all ? ALL_WARNING : DANGLING_WARNING, ctx))) return;
    const report = await ctx.client().build.prune({ all: flags.all, keepStorage: flags.keepStorage, filters: flags.filter });
    ctx.out(pruneReport(report));
  }, ctx);
}
