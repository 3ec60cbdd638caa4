// `berth registry garbage-collect`: mark every blob some manifest revision
// reaches (the manifest's own bytes, its config and layers, an index's
// children), then sweep the rest of <root>/blobs. With deleteUntagged, the
// revisions no tag reaches (directly, as an index child, or as a referrer of a
// reached manifest) are deleted first. Runs only while no server serves the
// root (lock.ts): a push in flight holds blobs no manifest references yet.
import { readFile, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { isErrno } from "../../errors.js";
import { acquireLock } from "./lock.js";
import { isDigestRef } from "./names.js";
import { blobPath, layerLink, readIfExists, referrersDir, removeIfExists, revisionPath, tagsDir } from "./storage/layout.js";
import { deleteManifest, listDir, listRevisions, listTags } from "./storage/manifests.js";
import { listRepositories } from "./storage/repositories.js";
import { cleanStaleUploads, UPLOAD_MAX_AGE_MS } from "./storage/uploads.js";

export interface GcOptions {
  root: string;
  /** Report what would go, delete nothing. */
  dryRun?: boolean;
  deleteUntagged?: boolean;
}

export interface GcReport {
  blobsKept: number;
  blobsDeleted: string[];
  bytesFreed: number;
  manifestsDeleted: { repository: string; digest: string }[];
  uploadsRemoved: number;
}

export async function garbageCollect(opts: GcOptions): Promise<GcReport> {
  const lock = await acquireLock(opts.root, "gc");
  try {
    return await collect(opts);
  } finally {
    await lock.release();
  }
}

async function collect({ root, dryRun = false, deleteUntagged = false }: GcOptions): Promise<GcReport> {
  const marked = new Set<string>();
  const report: GcReport = { blobsKept: 0, blobsDeleted: [], bytesFreed: 0, manifestsDeleted: [], uploadsRemoved: 0 };
  const repositories = await listRepositories(root);
  for (const name of repositories) {
    const revisions = await listRevisions(root, name);
    const keep = deleteUntagged ? await reachableFromTags(root, name) : new Set(revisions);
    for (const digest of revisions) {
      if (!keep.has(digest)) {
        report.manifestsDeleted.push({ repository: name, digest });
        if (!dryRun) await deleteManifest(root, name, digest);
        continue;
      }
      marked.add(digest);
      for (const child of await references(root, digest)) marked.add(child);
    }
  }
  for (const { digest, path } of await allBlobs(root)) {
    if (digest && marked.has(digest)) {
      report.blobsKept++;
      continue;
    }
    if (digest) {
      report.blobsDeleted.push(digest);
      report.bytesFreed += (await stat(path)).size;
    }
    if (!dryRun) await unlink(path);
  }
  if (!dryRun) {
    for (const name of repositories) await dropDanglingLinks(root, name);
    report.uploadsRemoved = await cleanStaleUploads(root, repositories, Date.now() - UPLOAD_MAX_AGE_MS);
  }
  return report;
}

/** The digests a manifest points at: config and layers, or an index's manifests. */
async function references(root: string, digest: string): Promise<string[]> {
  const doc = await readDoc(root, digest);
  const ds = [doc.config, ...(doc.layers ?? []), ...(doc.manifests ?? [])].map((d) => d?.digest);
  return ds.filter((d): d is string => typeof d === "string" && isDigestRef(d));
}

/** Revisions a tag reaches, following index children and referrers of what is reached. */
async function reachableFromTags(root: string, name: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const tag of await listTags(root, name)) {
    const digest = await readIfExists(join(tagsDir(root, name), tag));
    if (digest) queue.push(digest.trim());
  }
  while (queue.length > 0) {
    const digest = queue.pop()!;
    if (seen.has(digest) || (await readIfExists(revisionPath(root, name, digest))) === undefined) continue;
    seen.add(digest);
    const doc = await readDoc(root, digest);
    for (const m of doc.manifests ?? []) if (typeof m?.digest === "string") queue.push(m.digest);
    for (const referrer of await listDir(referrersDir(root, name, digest))) queue.push(referrer);
  }
  return seen;
}

interface ManifestDoc {
  config?: { digest?: unknown };
  layers?: { digest?: unknown }[];
  manifests?: { digest?: unknown }[];
}

/** A stored manifest's JSON; empty when its bytes are gone (it then references nothing we could keep). */
async function readDoc(root: string, digest: string): Promise<ManifestDoc> {
  try {
    return JSON.parse(await readFile(blobPath(root, digest), "utf8")) as ManifestDoc;
  } catch (err) {
    if (isErrno(err, "ENOENT") || err instanceof SyntaxError) return {};
    throw err;
  }
}

async function allBlobs(root: string): Promise<{ digest?: string; path: string }[]> {
  const base = join(root, "blobs", "sha256");
  const out: { digest?: string; path: string }[] = [];
  for (const prefix of await listDir(base)) {
    for (const file of await listDir(join(base, prefix))) {
      const digest = `sha256:${file}`;
      // Anything not named by a digest is a temp file a crash left behind.
      out.push({ digest: isDigestRef(digest) ? digest : undefined, path: join(base, prefix, file) });
    }
  }
  return out;
}

/** A repository's links to blobs that are gone would make HEAD succeed and GET fail. */
async function dropDanglingLinks(root: string, name: string): Promise<void> {
  for (const digest of await listDir(join(root, "repositories", name, "_layers"))) {
    if (!isDigestRef(digest)) {
      await rm(layerLink(root, name, digest), { force: true });
      continue;
    }
    try {
      await stat(blobPath(root, digest));
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
      await removeIfExists(layerLink(root, name, digest));
    }
  }
}

