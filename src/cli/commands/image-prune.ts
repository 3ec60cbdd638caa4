// berth image prune [-a]: after asking (unless -f), removes dangling images —
// or, with -a, every image no container uses — and lists what was untagged
// and deleted, then the space reclaimed, in the docker CLI's words.
import type { Command } from "commander";
import type { ImagePruneReport } from "../../client/container-resources.js";
import { action } from "../action.js";
import { filterFlag } from "../args.js";
import { confirm } from "../confirm.js";
import type { CliContext } from "../context.js";
import { totalReclaimed } from "./container-prune.js";

interface Flags {
  all?: boolean;
  filter?: Record<string, string[]>;
  force?: boolean;
}

const DANGLING_WARNING = "WARNING! This will remove all dangling images.\nAre you sure you want to continue?";
const ALL_WARNING = "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?";

/** The filters the docker CLI sends: the user's, plus dangling=true unless -a. */
export function imagePruneFilters(all: boolean, filters: Record<string, string[]> | undefined): Record<string, string[]> {
  return { ...filters, dangling: [String(!all)] };
}

/** "Deleted Images:", one "untagged: x" or "deleted: x" a line, then a blank line; nothing when nothing went. */
export function deletedImages(report: ImagePruneReport): string {
  const items = report.ImagesDeleted ?? [];
  if (items.length === 0) return "";
  const lines = items.map((i) => (i.Untagged ? `untagged: ${i.Untagged}\n` : `deleted: ${i.Deleted}\n`));
  return `Deleted Images:\n${lines.join("")}\n`;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Remove unused images")
    .option("-a, --all", "Remove all unused images, not just dangling ones")
    .option("--filter <filter>", 'Provide filter values (e.g. "until=<timestamp>")', filterFlag)
    .option("-f, --force", "Do not prompt for confirmation");
  action<Flags>(cmd, { max: 0 }, async (_args, flags) => {
    // A refusal is no failure: Docker leaves without a word and exits 0.
    if (!flags.force && !(await confirm(flags.all ? ALL_WARNING : DANGLING_WARNING, ctx))) return;
    const report = await ctx.client().images.prune({ filters: imagePruneFilters(flags.all ?? false, flags.filter) });
    ctx.out(deletedImages(report) + totalReclaimed(report.SpaceReclaimed));
  }, ctx);
}
