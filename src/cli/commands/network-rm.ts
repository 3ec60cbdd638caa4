// berth network rm: one network after the other, the name printed when it
// went, the daemon's error when not; any failure makes the exit status 1.
import type { Command } from "commander";
import { NotFoundError } from "../../errors.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { describe } from "../each.js";

interface Flags {
  force?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("NETWORK [NETWORK...]")
    .description("Remove one or more networks")
    .option("-f, --force", "Do not error if the network does not exist");
  action<Flags>(cmd, { min: 1 }, async (names, flags) => {
    let status = 0;
    for (const name of names) {
      try {
        await ctx.client().networks.remove(name);
        ctx.out(`${name}\n`);
      } catch (err) {
        if (flags.force && err instanceof NotFoundError) continue;
        ctx.err(`${describe(err)}\n`);
        status = 1;
      }
    }
    return status;
  }, ctx);
}
