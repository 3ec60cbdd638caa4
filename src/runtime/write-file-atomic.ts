// Files that matter are replaced whole: a temp file beside the target,
// fsync, rename; a crash leaves the old file or the new one, never half of
// one. Used for a bundle's config.json and an exec's process.json here, and
// by container/ (which sits above runtime/) for a container's /etc files.
// Files rewritten before every use (the /etc files and the bundle's
// config.json at each start, an exec's process.json) skip the fsync with
// `durable: false`: on ext4 it costs a journal commit per file on the start
// path, and a copy lost in a crash is never read again.
//
// The opens, writes and renames are synchronous: for files this small each
// takes microseconds, where an async call is a round trip to libuv's pool that
// costs the event loop ten times that. Only the fsync, which waits for the
// disk, goes to the pool.
import { randomBytes } from "node:crypto";
import { closeSync, fsync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const fsyncAsync = promisify(fsync);

export interface WriteFileAtomicOptions {
  /** Default 0o600. */
  mode?: number;
  /** fsync before the rename (default true); false for files rewritten before each use. */
  durable?: boolean;
}

export async function writeFileAtomic(file: string, data: string | Buffer, opts: WriteFileAtomicOptions = {}): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", opts.mode ?? 0o600);
  try {
    writeFileSync(fd, data);
    if (opts.durable ?? true) await fsyncAsync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
