// GET /containers/{id}/export (docker export): the container's root
// filesystem — image plus changes, as the container sees it without its
// volumes, binds and berth's /etc files — as a tar, read from the rootfs mount
// while the container is frozen (or stopped).
import type { Readable } from "node:stream";
import { packDirectory } from "../../archive/diff.js";
import { pathsOf, type Context } from "../context.js";
import { openView } from "./fs-view.js";

export async function exportContainer(ctx: Context, idOrName: string): Promise<Readable> {
  const view = await openView(ctx, idOrName);
  try {
    const tar = packDirectory(pathsOf(ctx, view.rec.id).rootfs);
    tar.once("close", () => void view.close());
    return tar;
  } catch (err) {
    await view.close();
    throw err;
  }
}
