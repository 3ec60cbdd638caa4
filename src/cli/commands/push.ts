// berth push [-a] [-q] NAME[:TAG]: as `docker push`, with the registry's
// credentials from login sent along.
import type { Command } from "commander";
import { InvalidArgumentError } from "../../errors.js";
import { parseNormalizedNamed, referenceString, repositoryName } from "../../oci/reference.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { loadCredentials } from "../credentials.js";
import { showJSONMessages } from "../json-messages.js";

interface Flags {
  allTags?: boolean;
  quiet?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] NAME[:TAG]")
    .description("Upload an image to a registry")
    .option("-a, --all-tags", "Push all tags of an image to the repository")
    .option("-q, --quiet", "Suppress verbose output");
  action<Flags>(cmd, { min: 1, max: 1 }, async ([name], flags) => {
    let ref = parseNormalizedNamed(name);
    if (ref.digest !== undefined) throw new InvalidArgumentError("cannot push a digest reference");
    if (flags.allTags && ref.tag !== undefined) throw new InvalidArgumentError("tag can't be used with --all-tags/-a");
    if (!flags.allTags && ref.tag === undefined) {
      ref = { ...ref, tag: "latest" };
      if (!flags.quiet) ctx.out("Using default tag: latest\n");
    }
    const messages = await ctx.client().images.push(repositoryName(ref), {
      tag: ref.tag,
      allTags: flags.allTags,
      auth: await loadCredentials(ref.domain),
    });
    await showJSONMessages(messages, flags.quiet ? { write: () => true } : process.stdout, { errors: "plain" });
    if (flags.quiet) ctx.out(`${referenceString(ref)}\n`);
  }, ctx);
}
