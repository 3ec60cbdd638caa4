// berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { splitTag } from "../format/image-context.js";

export function define(cmd: Command, ctx: CliContext): void {
  cmd.usage("SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]").description("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  action(cmd, { min: 2, max: 2 }, async ([source, target]) => {
    const [repo, tag] = target.includes("@") ? [target, undefined] : splitTag(target);
    await ctx.client().images.tag(source, { repo, tag });
  }, ctx);
}
