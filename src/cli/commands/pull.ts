// berth pull [-a] [--platform] [-q] NAME[:TAG|@DIGEST]: as `docker pull`,
// with the registry's credentials from login sent along, progress on stdout,
// and the full reference printed last.
import type { Command } from "commander";
import { InvalidArgumentError } from "../../errors.js";
import { parseNormalizedNamed, referenceString, repositoryName } from "../../oci/reference.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { loadCredentials } from "../credentials.js";
import { showJSONMessages } from "../json-messages.js";

interface Flags {
  allTags?: boolean;
  platform?: string;
  quiet?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] NAME[:TAG|@DIGEST]")
    .description("Download an image from a registry")
    .option("-a, --all-tags", "Download all tagged images in the repository")
    .option("--platform <string>", "Set platform if server is multi-platform capable", process.env.DOCKER_DEFAULT_PLATFORM)
    .option("-q, --quiet", "Suppress verbose output");
  action<Flags>(cmd, { min: 1, max: 1 }, async ([name], flags) => {
    let ref = parseNormalizedNamed(name);
    const nameOnly = ref.tag === undefined && ref.digest === undefined;
    if (flags.allTags && !nameOnly) throw new InvalidArgumentError("tag can't be used with --all-tags/-a");
    if (!flags.allTags && nameOnly) {
      ref = { ...ref, tag: "latest" };
      if (!flags.quiet) ctx.out("Using default tag: latest\n");
    }
    const messages = await ctx.client().images.pull(repositoryName(ref), {
      tag: ref.digest ?? ref.tag,
      platform: flags.platform || undefined,
      allTags: flags.allTags,
      auth: await loadCredentials(ref.domain),
    });
    // -q still reads the whole stream: an error may come at its end.
    await showJSONMessages(messages, flags.quiet ? { write: () => true } : process.stdout, { errors: "plain" });
    ctx.out(`${referenceString(ref)}\n`);
  }, ctx);
}
