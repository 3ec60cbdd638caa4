// Manifests: the bytes live in the blob store like any blob; a repository holds
// a revision link ({"mediaType"}) per manifest digest, a tag file per tag (the
// digest, replaced atomically), and, for manifests with a `subject`, a
// descriptor under the subject's referrers dir (the referrers API reads those).
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { isErrno } from "../../../errors.js";
import type { Descriptor } from "../../../oci/types.js";
import { RegistryError } from "../errors.js";
import { blobSize, putBlobBytes } from "./blobs.js";
import { atomicWrite, blobPath, readIfExists, referrersDir, removeIfExists, revisionPath, tagsDir } from "./layout.js";

export interface StoredManifest {
  digest: string;
  mediaType: string;
  size: number;
}

/** A referrer as the referrers index lists it. */
export interface ReferrerDescriptor extends Descriptor {
  artifactType?: string;
}

export async function putManifest(
  root: string,
  name: string,
  opts: { digest: string; mediaType: string; bytes: Buffer; tag?: string; subject?: string; referrer?: ReferrerDescriptor },
): Promise<void> {
  await putBlobBytes(root, opts.digest, opts.bytes);
  await atomicWrite(revisionPath(root, name, opts.digest), JSON.stringify({ mediaType: opts.mediaType }));
  if (opts.subject && opts.referrer) {
    await atomicWrite(join(referrersDir(root, name, opts.subject), opts.digest), JSON.stringify(opts.referrer));
  }
  if (opts.tag) await atomicWrite(join(tagsDir(root, name), opts.tag), opts.digest);
}

/** Resolves a tag or digest to a manifest the repository holds, or undefined. */
export async function statManifest(root: string, name: string, ref: { tag: string } | { digest: string }): Promise<StoredManifest | undefined> {
  const digest = "tag" in ref ? await readIfExists(join(tagsDir(root, name), ref.tag)) : ref.digest;
  if (digest === undefined) return undefined;
  const revision = await readIfExists(revisionPath(root, name, digest));
  if (revision === undefined) return undefined;
  const size = await blobSize(root, digest);
  if (size === undefined) return undefined;
  return { digest, mediaType: (JSON.parse(revision) as { mediaType: string }).mediaType, size };
}

export async function readManifest(root: string, digest: string): Promise<Buffer> {
  return readFile(blobPath(root, digest));
}

/** Deletes a manifest revision, every tag pointing at it and its referrer entry. */
export async function deleteManifest(root: string, name: string, digest: string): Promise<void> {
  const revision = await readIfExists(revisionPath(root, name, digest));
  if (revision === undefined) throw new RegistryError("MANIFEST_UNKNOWN", { digest });
  for (const tag of await listTags(root, name)) {
    if ((await readIfExists(join(tagsDir(root, name), tag))) === digest) await removeIfExists(join(tagsDir(root, name), tag));
  }
  await removeReferrer(root, name, digest);
  await removeIfExists(revisionPath(root, name, digest));
}

export async function deleteTag(root: string, name: string, tag: string): Promise<void> {
  if (!(await removeIfExists(join(tagsDir(root, name), tag)))) throw new RegistryError("MANIFEST_UNKNOWN", { tag });
}

export async function listTags(root: string, name: string): Promise<string[]> {
  return (await listDir(tagsDir(root, name))).filter((t) => !t.includes(".tmp-")).sort();
}

export async function listRevisions(root: string, name: string): Promise<string[]> {
  return (await listDir(join(root, "repositories", name, "_manifests", "revisions"))).filter((d) => !d.includes(".tmp-"));
}

export async function listReferrers(root: string, name: string, subject: string): Promise<ReferrerDescriptor[]> {
  const dir = referrersDir(root, name, subject);
  const out: ReferrerDescriptor[] = [];
  for (const digest of (await listDir(dir)).sort()) {
    if (digest.includes(".tmp-")) continue;
    const text = await readIfExists(join(dir, digest));
    // A referrer whose revision was deleted is no longer served.
    if (text !== undefined && (await readIfExists(revisionPath(root, name, digest))) !== undefined) {
      out.push(JSON.parse(text) as ReferrerDescriptor);
    }
  }
  return out;
}

async function removeReferrer(root: string, name: string, digest: string): Promise<void> {
  const base = join(root, "repositories", name, "_manifests", "referrers");
  for (const subject of await listDir(base)) {
    if (await removeIfExists(join(base, subject, digest))) {
      if ((await listDir(join(base, subject))).length === 0) await rm(join(base, subject), { recursive: true, force: true });
    }
  }
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return [];
    throw err;
  }
}
