// Where everything lives under the registry root, and the one atomic write.
//
//   <root>/blobs/sha256/<2 hex>/<hex>                 content, shared by all repositories
//   <root>/repositories/<name>/_layers/<digest>       link: the repository holds this blob
//   <root>/repositories/<name>/_manifests/revisions/<digest>   {"mediaType"} of a manifest
//   <root>/repositories/<name>/_manifests/tags/<tag>           the digest a tag points at
//   <root>/repositories/<name>/_manifests/referrers/<subject>/<digest>  descriptor of a referrer
//   <root>/repositories/<name>/_uploads/<uuid>/{data,startedat}
//
// Names, tags and digests are validated (names.ts) before they reach here, so
// joining them under the root cannot escape it.
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isErrno } from "../../../errors.js";

export function blobPath(root: string, digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(root, "blobs", "sha256", hex.slice(0, 2), hex);
}

export function repoDir(root: string, name: string): string {
  return join(root, "repositories", name);
}

export function layerLink(root: string, name: string, digest: string): string {
  return join(repoDir(root, name), "_layers", digest);
}

export function revisionPath(root: string, name: string, digest: string): string {
  return join(repoDir(root, name), "_manifests", "revisions", digest);
}

export function tagsDir(root: string, name: string): string {
  return join(repoDir(root, name), "_manifests", "tags");
}

export function referrersDir(root: string, name: string, subject: string): string {
  return join(repoDir(root, name), "_manifests", "referrers", subject);
}

export function uploadDir(root: string, name: string, uuid: string): string {
  return join(repoDir(root, name), "_uploads", uuid);
}

/** Temp file, fsync, rename: readers see the old content or the new, never a part. */
export async function atomicWrite(path: string, data: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${randomBytes(6).toString("hex")}`;
  const fh = await open(tmp, "wx");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Unlinks a file that may already be gone. */
export async function removeIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (isErrno(err, "ENOENT")) return false;
    throw err;
  }
}

/** The text of a small file, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return undefined;
    throw err;
  }
}
