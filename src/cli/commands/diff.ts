// berth diff: the files a container changed, one "A|C|D path" line each, as docker prints them.
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";

const KIND = ["C", "A", "D"] as const;

export function define(cmd: Command, ctx: CliContext): void {
  cmd.usage("CONTAINER").description("Inspect changes to files or directories on a container's filesystem");
  action<Record<string, never>>(cmd, { min: 1, max: 1 }, async ([container]) => {
    const changes = await ctx.client().containerFs.changes(container!);
    ctx.out(changes.map((c) => `${KIND[c.Kind]} ${c.Path}\n`).join(""));
  }, ctx);
}
