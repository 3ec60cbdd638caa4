// The ContainerFsService over a container Context: each verb opens the
// container's view (fs-view.ts), does its work and closes the view — at once,
// or for a stream once the client has read or dropped it.
import type { Readable } from "node:stream";
import type { Context } from "../context.js";
import { archiveTarget, findTarget, statTarget } from "./archive-get.js";
import { extractInto } from "./archive-put.js";
import { containerChanges } from "./changes.js";
import { commitContainer } from "./commit.js";
import type { ContainerFsService } from "./container-fs-service.js";
import { exportContainer } from "./export.js";
import { openView, type FsView } from "./fs-view.js";

async function withView<T>(ctx: Context, idOrName: string, fn: (view: FsView) => Promise<T>): Promise<T> {
  const view = await openView(ctx, idOrName);
  try {
    return await fn(view);
  } finally {
    await view.close();
  }
}

export function createContainerFs(ctx: Context): ContainerFsService {
  return {
    statPath: (idOrName, path) => withView(ctx, idOrName, async (view) => statTarget(view, await findTarget(view, path, idOrName))),
    async getArchive(idOrName, path) {
      const view = await openView(ctx, idOrName);
      let tar: Readable | undefined;
      try {
        const target = await findTarget(view, path, idOrName);
        const stat = await statTarget(view, target);
        tar = archiveTarget(view, target, () => view.close());
        return { stat, tar };
      } finally {
        if (tar === undefined) await view.close();
      }
    },
    putArchive: (idOrName, path, tar, opts) => withView(ctx, idOrName, (view) => extractInto(view, path, tar, { ...opts, containerName: idOrName })),
    changes: (idOrName) => withView(ctx, idOrName, containerChanges),
    export: (idOrName) => exportContainer(ctx, idOrName),
    commit: (idOrName, opts) => commitContainer(ctx, idOrName, opts),
  };
}
