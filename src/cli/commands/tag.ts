// berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";

export function define(cmd: Command, ctx: CliContext): void {
  // As Docker, flags end at the first operand: `tag busybox -x` names "-x".
  cmd.usage("SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]").passThroughOptions().description("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  action(cmd, { min: 2, max: 2 }, async ([source, target]) => {
    await ctx.client().images.tag(source, target);
  }, ctx);
}
