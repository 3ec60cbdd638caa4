// berth export: a container's filesystem as a tar archive, to -o FILE or to stdout (never a terminal).
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../usage-error.js";

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] CONTAINER")
    .description("Export a container's filesystem as a tar archive")
    .option("-o, --output <string>", "Write to a file, instead of STDOUT");
  action<{ output?: string }>(cmd, { min: 1, max: 1 }, async ([container], flags) => {
    if (!flags.output && process.stdout.isTTY) {
      throw new UsageError("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    }
    const tar = await ctx.client().containerFs.export(container!);
    if (!flags.output) {
      await pipeline(tar, process.stdout, { end: false });
      return;
    }
    // Written beside the target and renamed, so a failed export leaves no half archive.
    const target = path.resolve(flags.output);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
      await pipeline(tar, createWriteStream(temp, { flush: true }));
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }, ctx);
}
