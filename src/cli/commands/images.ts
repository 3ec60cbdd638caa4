// berth images: list images, one row per repository:tag.
import type { Command } from "commander";
import { action } from "../action.js";
import { filterFlag } from "../args.js";
import type { CliContext } from "../context.js";
import { DIGEST_TABLE, IMAGE_FORMAT, imageRows } from "../format/image-context.js";
import { renderList } from "../format/render.js";

interface Flags {
  all?: boolean;
  digests?: boolean;
  filter?: Record<string, string[]>;
  format?: string;
  trunc: boolean;
  quiet?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] [REPOSITORY[:TAG]]")
    .description("List images")
    .option("-a, --all", "Show all images (default hides intermediate images)")
    .option("--digests", "Show digests")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", filterFlag)
    .option("--format <string>", "Format output using a custom template")
    .option("--no-trunc", "Don't truncate output")
    .option("-q, --quiet", "Only show image IDs");
  action<Flags>(cmd, { max: 1 }, async ([reference], flags) => {
    const filters = { ...flags.filter };
    if (reference) filters.reference = [...(filters.reference ?? []), reference];
    const list = await ctx.client().images.list({ all: flags.all, digests: flags.digests, filters });
    const now = Date.now() / 1000;
    const opts = { trunc: flags.trunc, digests: flags.digests ?? false, now };
    if (flags.quiet) {
      // One ID per row (an image with two tags prints twice), as Docker prints it.
      ctx.out(list.flatMap((img) => imageRows(img, opts)).map((row) => `${String(row.ID)}\n`).join(""));
      return;
    }
    const spec = flags.digests ? { ...IMAGE_FORMAT, defaultTable: DIGEST_TABLE } : IMAGE_FORMAT;
    ctx.out(renderList(flags.format, list.flatMap((img) => imageRows(img, opts)), spec));
  }, ctx);
}
