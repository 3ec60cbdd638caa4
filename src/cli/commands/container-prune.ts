// berth container prune: after asking (unless -f), removes every stopped
// container the filters (until, label) select, and reports them and the space
// their writable layers held, in the docker CLI's words.
import type { Command } from "commander";
import type { ContainerPruneReport } from "../../client/container-resources.js";
import { action } from "../action.js";
import { filterFlag } from "../args.js";
import { confirm } from "../confirm.js";
import type { CliContext } from "../context.js";
import { humanSize } from "../format/units.js";

interface Flags {
  filter?: Record<string, string[]>;
  force?: boolean;
}

const WARNING = "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?";

/** "Deleted Containers:" and one ID a line, then a blank line; nothing when nothing went. */
export function deletedContainers(report: ContainerPruneReport): string {
  const ids = report.ContainersDeleted ?? [];
  return ids.length > 0 ? `Deleted Containers:\n${ids.map((id) => `${id}\n`).join("")}\n` : "";
}

export function totalReclaimed(bytes: number): string {
  return `Total reclaimed space: ${humanSize(bytes)}\n`;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Remove all stopped containers")
    .option("--filter <filter>", 'Provide filter values (e.g. "until=<timestamp>")', filterFlag)
    .option("-f, --force", "Do not prompt for confirmation");
  action<Flags>(cmd, { max: 0 }, async (_args, flags) => {
    // A refusal is no failure: Docker leaves without a word and exits 0.
    if (!flags.force && !(await confirm(WARNING, ctx))) return;
    const report = await ctx.client().containers.prune({ filters: flags.filter });
    ctx.out(deletedContainers(report) + totalReclaimed(report.SpaceReclaimed));
  }, ctx);
}
