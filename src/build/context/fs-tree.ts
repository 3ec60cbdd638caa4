// A directory tree on disk as a COPY --from source: another stage's or an
// image's rootfs, mounted and not changing while the step runs. Paths are
// resolved inside the root (resolve-in-tree.ts) before anything is opened,
// and the last component is opened with O_NOFOLLOW, so no symlink in the
// rootfs can lead the copy out of it. Owners are kept (CopyPlan.keepOwners).
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { isErrno, NotFoundError } from "../../errors.js";
import type { SourceEntry, SourceTree } from "./build-context.js";
import { resolveInTree } from "./resolve-in-tree.js";
import { knownRealPath, selectionChecksum, selectSources, type TreeAccess } from "./select.js";

export function createFsTree(root: string): SourceTree {
  const abs = (rel: string): string => (rel === "" ? root : join(root, rel));
  const access: TreeAccess = {
    async lstat(path) {
      let st;
      try {
        st = await lstat(abs(path));
      } catch (err) {
        if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return undefined;
        throw err;
      }
      const type = st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : undefined;
      // Devices, fifos and sockets are no COPY material.
      if (type === undefined) return undefined;
      const entry: SourceEntry = { path, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: type === "file" ? st.size : 0, mtimeMs: st.mtimeMs };
      if (type === "symlink") entry.linkname = await readlink(abs(path));
      return entry;
    },
    readdir: (dir) => readdir(abs(dir)),
  };
  const hashes = new Map<string, string>();

  /** The real relative path of a file entry: known for selected entries, resolved again for others. */
  async function filePath(entry: SourceEntry): Promise<string> {
    const known = knownRealPath(entry);
    if (known !== undefined) return known;
    const resolved = await resolveInTree(access, entry.path);
    if (!resolved.exists) throw new NotFoundError(`file not found: ${entry.path}`);
    return resolved.path;
  }

  async function openFile(entry: SourceEntry): Promise<Readable> {
    const fh = await open(abs(await filePath(entry)), constants.O_RDONLY | constants.O_NOFOLLOW);
    // The stream owns the handle and closes it when it ends or is destroyed.
    return fh.createReadStream();
  }

  return {
    select: (sources, opts) => selectSources(access, sources, opts),
    async checksum(selection) {
      return selectionChecksum(selection, async (entry) => {
        const real = await filePath(entry);
        let hash = hashes.get(real);
        if (hash === undefined) {
          const h = createHash("sha256");
          for await (const chunk of await openFile(entry)) h.update(chunk as Buffer);
          hash = h.digest("hex");
          hashes.set(real, hash);
        }
        return hash;
      });
    },
    open: openFile,
    async bytes(entry) {
      const chunks: Buffer[] = [];
      for await (const chunk of await openFile(entry)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}
