// berth rename CONTAINER NEW_NAME
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";

export function define(cmd: Command, ctx: CliContext): void {
  cmd.usage("CONTAINER NEW_NAME").description("Rename a container");
  action(cmd, { min: 2, max: 2 }, async ([name, newName]) => {
    await ctx.client().containers.rename(name, newName.trim());
  }, ctx);
}
