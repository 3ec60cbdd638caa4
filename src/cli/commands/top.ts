// berth top CONTAINER [ps OPTIONS]: the container's processes as ps shows them.
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { tabulate } from "../format/tabwriter.js";

export function define(cmd: Command, ctx: CliContext): void {
  cmd.usage("CONTAINER [ps OPTIONS]").description("Display the running processes of a container").passThroughOptions();
  action(cmd, { min: 1 }, async ([name, ...psArgs]) => {
    const top = await ctx.client().containers.top(name, { psArgs: psArgs.length > 0 ? psArgs.join(" ") : undefined });
    const lines = [top.Titles ?? [], ...(top.Processes ?? [])].map((row) => `${row.join("\t")}\n`).join("");
    ctx.out(tabulate(lines, { minWidth: 20, padding: 3 }));
  }, ctx);
}
