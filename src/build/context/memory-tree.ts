// Heredoc sources (`COPY <<EOF /f`): files that exist only in the Dockerfile.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { NotFoundError } from "../../errors.js";
import type { SourceTree } from "./build-context.js";
import { contextEntryPath } from "./clean-path.js";
import { realPathOf, selectionChecksum, selectSources } from "./select.js";
import { createTreeIndex } from "./tree-index.js";

export function createMemoryTree(files: Array<{ name: string; content: Buffer; mode?: number }>): SourceTree {
  const now = Date.now();
  const index = createTreeIndex({ rootMtimeMs: now });
  files.forEach((f, i) => {
    index.set({
      path: contextEntryPath(f.name),
      type: "file",
      mode: f.mode ?? 0o644,
      uid: 0,
      gid: 0,
      size: f.content.length,
      mtimeMs: now,
      offset: i,
      sha256: createHash("sha256").update(f.content).digest("hex"),
    });
  });
  const record = (path: string) => {
    const rec = index.get(path);
    if (rec?.type !== "file") throw new NotFoundError(`file not found: ${path}`);
    return rec;
  };
  return {
    select: (sources, opts) => selectSources(index, sources, opts),
    checksum: (selection) => selectionChecksum(selection, async (e) => record(realPathOf(e)).sha256),
    open: async (entry) => Readable.from([files[record(realPathOf(entry)).offset]!.content]),
    bytes: async (entry) => files[record(realPathOf(entry)).offset]!.content,
  };
}
