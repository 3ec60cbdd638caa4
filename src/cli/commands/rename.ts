// berth rename CONTAINER NEW_NAME
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { describe } from "../each.js";

export function define(cmd: Command, ctx: CliContext): void {
  cmd.usage("CONTAINER NEW_NAME").description("Rename a container");
  action(cmd, { min: 2, max: 2 }, async ([name, newName]) => {
    const oldName = name.trim();
    const wanted = newName.trim();
    if (!oldName || !wanted) {
      ctx.err("Error: Neither old nor new names may be empty\n");
      return 1;
    }
    try {
      await ctx.client().containers.rename(oldName, wanted);
      return 0;
    } catch (err) {
      ctx.err(`${describe(err)}\nError: failed to rename container named ${oldName}\n`);
      return 1;
    }
  }, ctx);
}
