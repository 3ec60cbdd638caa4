// berth wait: print each container's exit code once it stops.
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { forEach } from "../each.js";

export function define(cmd: Command, ctx: CliContext): void {
  cmd.usage("CONTAINER [CONTAINER...]").description("Block until one or more containers stop, then print their exit codes");
  action(cmd, { min: 1 }, async (names) => {
    const { failed } = await forEach(ctx, names, async (name) => String((await ctx.client().containers.wait(name)).StatusCode));
    return failed.length > 0 ? 1 : 0;
  }, ctx);
}
