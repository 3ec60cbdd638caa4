// berth rmi: remove images, printing "Untagged: …" and "Deleted: …" lines.
import type { Command } from "commander";
import { errorKind } from "../../errors.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { describe } from "../each.js";

interface Flags {
  force?: boolean;
  prune: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] IMAGE [IMAGE...]")
    .description("Remove one or more images")
    .option("-f, --force", "Force removal of the image")
    .option("--no-prune", "Do not delete untagged parents");
  action<Flags>(cmd, { min: 1 }, async (names, flags) => {
    let failed = false;
    for (const name of names) {
      try {
        const items = await ctx.client().images.remove(name, { force: flags.force, noPrune: !flags.prune });
        for (const item of items) {
          if (item.Untagged) ctx.out(`Untagged: ${item.Untagged}\n`);
          if (item.Deleted) ctx.out(`Deleted: ${item.Deleted}\n`);
        }
      } catch (err) {
        // As docker: with -f, a missing image is reported but does not fail the command.
        if (!flags.force || errorKind(err) !== "not-found") failed = true;
        ctx.err(`${describe(err)}\n`);
      }
    }
    return failed ? 1 : 0;
  }, ctx);
}
