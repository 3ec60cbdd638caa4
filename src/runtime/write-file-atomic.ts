// Files that matter are replaced whole: a temp file beside the target,
// fsync, rename; a crash leaves the old file or the new one, never half of
// one. Used for a bundle's config.json and an exec's process.json here, and
// by container/ (which sits above runtime/) for a container's /etc files.
// Files rewritten before every use (the /etc files at each start, an exec's
// process.json) skip the fsync with `durable: false`: on ext4 it costs a
// journal commit per file on the start path, and a copy lost in a crash is
// never read again.
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";

export interface WriteFileAtomicOptions {
  /** Default 0o600. */
  mode?: number;
  /** fsync before the rename (default true); false for files rewritten before each use. */
  durable?: boolean;
}

export async function writeFileAtomic(file: string, data: string | Buffer, opts: WriteFileAtomicOptions = {}): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", opts.mode ?? 0o600);
  try {
    await fh.writeFile(data);
    if (opts.durable ?? true) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
