// berth load: images from a tar archive (-i FILE or stdin).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Command } from "commander";
import { isErrno } from "../../errors.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { showJSONMessages } from "../json-messages.js";
import { UsageError } from "../usage-error.js";

interface Flags {
  input?: string;
  quiet?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Load an image from a tar archive or STDIN")
    .option("-i, --input <string>", "Read from tar archive file, instead of STDIN")
    .option("-q, --quiet", "Suppress the load output");
  action<Flags>(cmd, { max: 0 }, async (_args, flags) => {
    if (!flags.input && process.stdin.isTTY) {
      throw new UsageError("requested load from stdin, but stdin is empty");
    }
    if (flags.input) {
      try {
        await stat(flags.input);
      } catch (err) {
        if (isErrno(err, "ENOENT")) throw new UsageError(`open ${flags.input}: no such file or directory`);
        throw err;
      }
    }
    const archive = flags.input ? createReadStream(flags.input) : process.stdin;
    // Progress bars only make sense on a terminal; -q asks the daemon for none.
    const quiet = flags.quiet || !process.stdout.isTTY;
    await showJSONMessages(await ctx.client().images.load(archive, { quiet }), process.stdout);
  }, ctx);
}
