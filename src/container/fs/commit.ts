// POST /commit (docker commit): the container's changes become one layer on
// its image, under a config built by commit-config.ts. The container stays
// frozen (unless pause=false) and locked while its changes are read.
import { Readable } from "node:stream";
import { peek } from "../../archive/peek.js";
import { createTarReader } from "../../archive/tar-read.js";
import { encodeHeader, padLength, tarTrailer } from "../../archive/tar-write.js";
import { SystemError } from "../../errors.js";
import { parseNormalizedNamed } from "../../oci/reference.js";
import { publish, type Context } from "../context.js";
import type { CommitOptions } from "./container-fs-service.js";
import { commitImageConfig } from "./commit-config.js";
import { openView } from "./fs-view.js";

export async function commitContainer(ctx: Context, idOrName: string, opts: CommitOptions): Promise<{ id: string }> {
  const target = opts.repo ? `${opts.repo}${opts.tag ? `:${opts.tag}` : ""}` : undefined;
  // Checked before any work, so a bad name leaves no unnamed image behind.
  if (target !== undefined) parseNormalizedNamed(target);
  const commitLayer = ctx.images.commitLayer;
  if (!commitLayer) throw new SystemError("this image service cannot commit layers");
  const view = await openView(ctx, idOrName, { freeze: opts.pause });
  const rec = view.rec;
  let id: string;
  try {
    const parent = await ctx.images.resolve(rec.imageId);
    const placeholders = new Set(view.mounts.slice(1).map((m) => m.destination.slice(1)));
    const { head, rest } = await peek(Readable.from(withoutPlaceholders(ctx.images.containerDiff(rec.id), placeholders), { objectMode: false }), 512);
    const emptyLayer = head.length < 512 || head.every((b) => b === 0);
    if (emptyLayer) rest.destroy();
    const config = commitImageConfig(rec, parent.config, { author: opts.author, comment: opts.comment, changes: opts.changes, config: opts.config, emptyLayer });
    id = await commitLayer(rec.imageId, emptyLayer ? undefined : rest, config);
  } finally {
    await view.close();
  }
  if (target !== undefined) await ctx.images.tag(id, target);
  publish(ctx, rec, "commit", { comment: opts.comment ?? "", imageID: id, imageRef: target ?? "" });
  return { id };
}

/**
 * The layer tar without the empty files berth's /etc binds left in the upper
 * directory (dockerd keeps those in an init layer that is never committed).
 */
async function* withoutPlaceholders(tar: Readable, placeholders: Set<string>): AsyncGenerator<Buffer> {
  const reader = createTarReader();
  let skipping = false;
  let pad = 0;
  for await (const chunk of tar as AsyncIterable<Buffer>) {
    for (const ev of reader.feed(chunk)) {
      if (ev.kind === "entry") {
        const e = ev.entry;
        skipping = e.type === "file" && e.size === 0 && placeholders.has(e.name.replace(/^\.?\//, ""));
        if (!skipping) yield encodeHeader({ ...e, linkname: e.linkname || undefined });
        pad = e.type === "file" ? padLength(e.size) : 0;
      } else if (ev.kind === "data") {
        if (!skipping) yield ev.chunk;
      } else if (!skipping && pad > 0) yield Buffer.alloc(pad);
    }
  }
  reader.end();
  yield tarTrailer;
}
