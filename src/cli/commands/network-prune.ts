// berth network prune: after asking (unless -f), removes the user networks no
// container uses and lists them, as the docker CLI words it.
import type { Command } from "commander";
import { action } from "../action.js";
import { filterFlag } from "../args.js";
import type { CliContext } from "../context.js";
import { confirm } from "../confirm.js";

interface Flags {
  filter?: Record<string, string[]>;
  force?: boolean;
}

const WARNING = "WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?";


/** "Deleted Networks:" and one name a line, then a blank line; nothing when nothing went. */
export function pruneReport(deleted: string[]): string {
  return deleted.length > 0 ? `Deleted Networks:\n${deleted.map((n) => `${n}\n`).join("")}\n` : "";
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Remove all unused networks")
    .option("--filter <filter>", 'Provide filter values (e.g. "until=<timestamp>")', filterFlag)
    .option("-f, --force", "Do not prompt for confirmation");
  action<Flags>(cmd, { max: 0 }, async (_args, flags) => {
    // A refusal is no failure: Docker leaves without a word and exits 0.
    if (!flags.force && !(await confirm(WARNING, ctx))) return;
    const report = await ctx.client().networks.prune({ filters: flags.filter });
    ctx.out(pruneReport(report.NetworksDeleted));
  }, ctx);
}
