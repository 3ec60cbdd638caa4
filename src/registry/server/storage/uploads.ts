// Blob upload sessions. Lifecycle: createUpload() makes _uploads/<uuid>/ with
// an empty data file and startedat; appendUpload() streams request bodies onto
// data, in order, hashing as the bytes pass; finishUpload() appends the last
// chunk, checks the digest of everything, and only then renames data into the
// blob store (commitBlob) and links it. A session that never finishes stays an
// upload dir, invisible to readers, and is removed after 24 h (cleanStaleUploads)
// or by garbage collection. The running hash lives in this process only; after a
// restart, finishUpload re-reads data to hash it.
import { createHash, randomUUID, type Hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isErrno } from "../../../errors.js";
import { RegistryError } from "../errors.js";
import { commitBlob, linkBlob } from "./blobs.js";
import { readIfExists, repoDir, uploadDir } from "./layout.js";

interface Session {
  hash: Hash;
  size: number;
  busy: boolean;
}

const sessions = new Map<string, Session>();

export const UPLOAD_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export async function createUpload(root: string, name: string): Promise<string> {
  const uuid = randomUUID();
  const dir = uploadDir(root, name, uuid);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "startedat"), new Date().toISOString());
  await writeFile(join(dir, "data"), "");
  sessions.set(dir, { hash: createHash("sha256"), size: 0, busy: false });
  return uuid;
}

/** Bytes received so far; BLOB_UPLOAD_UNKNOWN for a session that does not exist. */
export async function uploadSize(root: string, name: string, uuid: string): Promise<number> {
  const dir = checkedDir(root, name, uuid);
  try {
    return (await stat(join(dir, "data"))).size;
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) throw new RegistryError("BLOB_UPLOAD_UNKNOWN", { uuid });
    throw err;
  }
}

/**
 * Streams body onto the upload. `start` (from Content-Range) must equal the
 * bytes received so far; `length` (Content-Length), when given, must match what
 * arrived. Returns the new size.
 */
export async function appendUpload(
  root: string,
  name: string,
  opts: { uuid: string; body: Readable; start?: number; length?: number },
): Promise<number> {
  const dir = checkedDir(root, name, opts.uuid);
  const size = await uploadSize(root, name, opts.uuid);
  if (opts.start !== undefined && opts.start !== size) {
    throw new RegistryError("RANGE_INVALID", { expected: size, got: opts.start }, {
      status: 416,
      headers: { Range: rangeHeader(size), "Docker-Upload-UUID": opts.uuid },
    });
  }
  const session = await sessionFor(dir, size);
  if (session.busy) throw new RegistryError("BLOB_UPLOAD_INVALID", { uuid: opts.uuid }, { message: "upload in progress" });
  session.busy = true;
  const hash = session.hash;
  let received = 0;
  const onData = (chunk: Buffer): void => {
    hash.update(chunk);
    received += chunk.length;
  };
  opts.body.on("data", onData);
  try {
    // Large buffers keep syscalls few; the hash sees each chunk as it passes to disk.
    await pipeline(opts.body, createWriteStream(join(dir, "data"), { flags: "a", highWaterMark: 1 << 20 }));
  } catch (err) {
    // The hash no longer matches the file: drop it so the next step re-reads data.
    sessions.delete(dir);
    throw err;
  } finally {
    opts.body.off("data", onData);
    session.busy = false;
  }
  session.size = size + received;
  if (opts.length !== undefined && opts.length !== received) {
    sessions.delete(dir);
    throw new RegistryError("SIZE_INVALID", { expected: opts.length, got: received });
  }
  return session.size;
}

/**
 * Appends the last chunk (if any), verifies the digest of all the bytes and
 * commits the blob into the store and the repository. DIGEST_INVALID on a
 * mismatch, after which the session is gone and no blob exists.
 */
export async function finishUpload(
  root: string,
  name: string,
  opts: { uuid: string; digest: string; body?: Readable; start?: number; length?: number },
): Promise<number> {
  const dir = checkedDir(root, name, opts.uuid);
  let size = await uploadSize(root, name, opts.uuid);
  if (opts.body) size = await appendUpload(root, name, { uuid: opts.uuid, body: opts.body, start: opts.start, length: opts.length });
  const session = await sessionFor(dir, size);
  if (session.busy) throw new RegistryError("BLOB_UPLOAD_INVALID", { uuid: opts.uuid }, { message: "upload in progress" });
  const actual = `sha256:${session.hash.digest("hex")}`;
  sessions.delete(dir);
  if (actual !== opts.digest) {
    await rm(dir, { recursive: true, force: true });
    throw new RegistryError("DIGEST_INVALID", { expected: opts.digest, actual });
  }
  await commitBlob(root, join(dir, "data"), opts.digest);
  await linkBlob(root, name, opts.digest);
  await rm(dir, { recursive: true, force: true });
  return size;
}

export async function cancelUpload(root: string, name: string, uuid: string): Promise<void> {
  await uploadSize(root, name, uuid);
  const dir = checkedDir(root, name, uuid);
  sessions.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** "0-<last byte>", and "0-0" for an empty upload, as distribution reports it. */
export function rangeHeader(size: number): string {
  return `0-${size > 0 ? size - 1 : 0}`;
}

/** Removes upload dirs of every repository started before `olderThan`; returns how many. */
export async function cleanStaleUploads(root: string, repositories: string[], olderThan: number): Promise<number> {
  let removed = 0;
  for (const name of repositories) {
    const base = join(repoDir(root, name), "_uploads");
    let entries: string[];
    try {
      entries = await readdir(base);
    } catch (err) {
      if (isErrno(err, "ENOENT")) continue;
      throw err;
    }
    for (const uuid of entries) {
      const dir = join(base, uuid);
      if (sessions.get(dir)?.busy) continue;
      const started = Date.parse((await readIfExists(join(dir, "startedat"))) ?? "");
      if (Number.isNaN(started) || started < olderThan) {
        sessions.delete(dir);
        await rm(dir, { recursive: true, force: true });
        removed++;
      }
    }
  }
  return removed;
}

function checkedDir(root: string, name: string, uuid: string): string {
  if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new RegistryError("BLOB_UPLOAD_UNKNOWN", { uuid });
  return uploadDir(root, name, uuid);
}

/** The in-memory hash, rebuilt from the data file when this process lost it (restart, failed chunk). */
async function sessionFor(dir: string, size: number): Promise<Session> {
  const known = sessions.get(dir);
  if (known && known.size === size) return known;
  if (known?.busy) return known;
  const hash = createHash("sha256");
  await pipeline(createReadStream(join(dir, "data"), { highWaterMark: 1 << 20 }), async function* (source) {
    for await (const chunk of source) hash.update(chunk as Buffer);
  });
  const session = { hash, size, busy: false };
  sessions.set(dir, session);
  return session;
}
