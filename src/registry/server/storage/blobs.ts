// Blobs: content-addressed files shared by every repository, and the per-
// repository links that say which blobs a repository may serve. A blob file
// appears only by rename of a verified, fsynced file (commitBlob), so a crash
// never leaves a partial blob under its digest.
import { mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { isErrno } from "../../../errors.js";
import { atomicWrite, blobPath, layerLink, readIfExists, removeIfExists } from "./layout.js";

/** Size of a blob the repository holds, or undefined when it holds none. */
export async function statBlob(root: string, name: string, digest: string): Promise<number | undefined> {
  if ((await readIfExists(layerLink(root, name, digest))) === undefined) return undefined;
  return blobSize(root, digest);
}

/** Size of a blob in the shared store, whichever repository holds it. */
export async function blobSize(root: string, digest: string): Promise<number | undefined> {
  try {
    return (await stat(blobPath(root, digest))).size;
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

export async function linkBlob(root: string, name: string, digest: string): Promise<void> {
  await atomicWrite(layerLink(root, name, digest), digest);
}

/** Removes the repository's link; the data stays until garbage collection. */
export async function unlinkBlob(root: string, name: string, digest: string): Promise<boolean> {
  return removeIfExists(layerLink(root, name, digest));
}

/** Moves a verified file into the store under its digest (fsync first, then rename). */
export async function commitBlob(root: string, file: string, digest: string): Promise<void> {
  const fh = await open(file, "r+");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  const target = blobPath(root, digest);
  if ((await blobSize(root, digest)) !== undefined) {
    await unlink(file);
    return;
  }
  await mkdir(dirname(target), { recursive: true });
  await rename(file, target);
  await syncDir(dirname(target));
}

/** Small content (manifests) written straight to the store. */
export async function putBlobBytes(root: string, digest: string, bytes: Buffer): Promise<void> {
  if ((await blobSize(root, digest)) !== undefined) return;
  await atomicWrite(blobPath(root, digest), bytes);
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
