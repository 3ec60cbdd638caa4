// berth import: make a one-layer image from a tarball (a file, stdin or a URL).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { Command } from "commander";
import { isErrno } from "../../errors.js";
import { action } from "../action.js";
import { collect } from "../args.js";
import type { CliContext } from "../context.js";
import { splitTag } from "../format/image-context.js";
import { showJSONMessages } from "../json-messages.js";
import { UsageError } from "../usage-error.js";

interface Flags {
  change?: string[];
  message?: string;
  platform?: string;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] file|URL|- [REPOSITORY[:TAG]]")
    .description("Import the contents from a tarball to create a filesystem image")
    .option("-c, --change <list>", "Apply Dockerfile instruction to the created image", collect)
    .option("-m, --message <string>", "Set commit message for imported image")
    .option("--platform <string>", "Set platform if server is multi-platform capable");
  action<Flags>(cmd, { min: 1, max: 2 }, async ([source, reference], flags) => {
    const [repo, tag] = reference ? splitTag(reference) : [undefined, undefined];
    const messages = await ctx.client().images.import({
      source: await openSource(source),
      repo,
      tag: reference ? tag : undefined,
      message: flags.message,
      changes: flags.change,
      platform: flags.platform,
    });
    await showJSONMessages(messages, process.stdout);
  }, ctx);
}

async function openSource(source: string): Promise<Readable | { url: string }> {
  if (source === "-") return process.stdin;
  if (/^https?:\/\//.test(source)) return { url: source };
  try {
    await stat(source);
  } catch (err) {
    if (isErrno(err, "ENOENT")) throw new UsageError(`open ${source}: no such file or directory`);
    throw err;
  }
  return createReadStream(source);
}
