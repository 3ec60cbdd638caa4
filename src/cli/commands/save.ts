// berth save: images as a tar archive, to -o FILE or to stdout (never a terminal).
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../usage-error.js";

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] IMAGE [IMAGE...]")
    .description("Save one or more images to a tar archive (streamed to STDOUT by default)")
    .option("-o, --output <string>", "Write to a file, instead of STDOUT");
  action<{ output?: string }>(cmd, { min: 1 }, async (names, flags) => {
    if (!flags.output && process.stdout.isTTY) {
      throw new UsageError("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    }
    const archive = await ctx.client().images.save(names);
    if (!flags.output) {
      await pipeline(archive, process.stdout, { end: false });
      return;
    }
    // Written beside the target and renamed, so a failed save leaves no half archive.
    const target = path.resolve(flags.output);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
      const file = createWriteStream(temp, { flush: true });
      await pipeline(archive, file);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }, ctx);
}
