// berth commit: a new image from a container's changes; prints the image ID.
import { Option, type Command } from "commander";
import { action } from "../action.js";
import { collect } from "../args.js";
import type { CliContext } from "../context.js";
import { splitTag } from "../format/image-context.js";

interface Flags {
  author?: string;
  change?: string[];
  message?: string;
  pause: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] CONTAINER [REPOSITORY[:TAG]]")
    .description("Create a new image from a container's changes")
    .option("-a, --author <string>", 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option("-c, --change <list>", "Apply Dockerfile instruction to the created image", collect)
    .option("-m, --message <string>", "Commit message")
    .option("-p, --pause", "Pause container during commit", true)
    .addOption(new Option("--no-pause").hideHelp());
  action<Flags>(cmd, { min: 1, max: 2 }, async ([container, reference], flags) => {
    const [repo, tag] = reference ? splitTag(reference) : [undefined, undefined];
    const { Id } = await ctx.client().containerFs.commit({
      container: container!,
      repo,
      tag: reference ? tag : undefined,
      comment: flags.message,
      author: flags.author,
      pause: flags.pause,
      changes: flags.change,
    });
    ctx.out(`${Id}\n`);
  }, ctx);
}
