// The bytes a volume holds, as dockerd's directory.Size counts them: regular
// files' sizes, a hard-linked file once, symlinks not followed.
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { isErrno } from "../errors.js";

export async function treeSize(dir: string): Promise<number> {
  const seen = new Set<string>();
  const walk = async (path: string): Promise<number> => {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (err) {
      // Removed meanwhile: a container is still writing to it.
      if (isErrno(err, "ENOENT")) return 0;
      throw err;
    }
    let total = 0;
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) total += await walk(child);
      else if (entry.isFile()) {
        const st = await lstat(child);
        const inode = `${st.dev}:${st.ino}`;
        if (st.nlink > 1) {
          if (seen.has(inode)) continue;
          seen.add(inode);
        }
        total += st.size;
      }
    }
    return total;
  };
  return walk(dir);
}
