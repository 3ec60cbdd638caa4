// The build context as it arrives in POST /build: read once, indexed, hashed.
//
// The body is sniffed (sniff-archive.ts): a tar, plain or compressed, is
// parsed with the repo's own tar reader (binary-safe PAX); anything else is
// the Dockerfile itself, as `docker build - < Dockerfile` sends it. File
// contents are appended to one spool file, <dir>/context.data, and only the
// index (path → metadata, offset in the spool, sha256) stays in memory. The
// spool holds content only, not the tar: offsets are then simply where each
// file was appended, and a hard link needs no second copy of its data.
// Hashing happens as the bytes go by, so a cached rebuild reads no file.
import { createHash, type Hash } from "node:crypto";
import { readSync, writevSync } from "node:fs";
import { mkdir, open, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { applyLayer } from "../../archive/apply.js";
import { createTarReader, type TarEntry } from "../../archive/tar-read.js";
import { encodeHeader, tarTrailer } from "../../archive/tar-write.js";
import { InvalidArgumentError, NotFoundError } from "../../errors.js";
import type { BuildContext, SourceEntry } from "./build-context.js";
import { cleanPath, contextEntryPath } from "./clean-path.js";
import { createIgnoreMatcher, parseDockerignore } from "./dockerignore.js";
import { exactly, readRange } from "./entry-data.js";
import { resolveInTree } from "./resolve-in-tree.js";
import { realPathOf, selectionChecksum, selectSources } from "./select.js";
import { sniffArchive } from "./sniff-archive.js";
import { createTreeIndex, type IndexRecord, type TreeIndex } from "./tree-index.js";

/**
 * `opts.dockerfile` (the ?dockerfile= value), when given, makes the context
 * behave like dockerd's: the Dockerfile and .dockerignore are dropped from
 * what COPY sees when the context's .dockerignore matches them (the CLI
 * always sends both), yet readFile still returns them.
 */
export async function receiveContext(body: Readable, opts: { dir: string; dockerfile?: string }): Promise<BuildContext> {
  const spoolPath = join(opts.dir, "context.data");
  const index = createTreeIndex({ rootMtimeMs: Date.now() });
  const spool = await open(spoolPath, "wx+", 0o600);
  try {
    const sniffed = await sniffArchive(body);
    if (sniffed.isTar || sniffed.compression !== "none") await spoolTar(sniffed.stream, spool, index);
    else await spoolDockerfile(sniffed.stream, spool, index);
  } catch (err) {
    await spool.close();
    await rm(spoolPath, { force: true });
    throw err;
  }
  const hidden = opts.dockerfile === undefined ? new Map<string, IndexRecord>() : await hideBuildFiles(spool, index, opts.dockerfile);
  return spooledContext(opts.dir, spool, index, hidden);
}

async function hideBuildFiles(spool: FileHandle, index: TreeIndex, dockerfile: string): Promise<Map<string, IndexRecord>> {
  const hidden = new Map<string, IndexRecord>();
  const ignore = index.get(".dockerignore");
  if (ignore?.type !== "file") return hidden;
  const matcher = createIgnoreMatcher(parseDockerignore((await readAll(spool, ignore)).toString("utf8")));
  for (const path of [".dockerignore", contextEntryPath(dockerfile || "Dockerfile")]) {
    const rec = index.get(path);
    if (rec?.type === "file" && matcher.ignores(path)) {
      hidden.set(path, rec);
      index.delete(path);
    }
  }
  return hidden;
}

/**
 * A file's bytes with synchronous positional reads: the spool is in the page
 * cache, and a COPY of thousands of small files would otherwise pay a
 * thread-pool round trip per file.
 */
async function readAll(spool: FileHandle, rec: IndexRecord): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(rec.size);
  let done = 0;
  while (done < rec.size) {
    const n = readSync(spool.fd, buf, done, rec.size - done, rec.offset + done);
    if (n === 0) break;
    done += n;
  }
  return done === rec.size ? buf : buf.subarray(0, done);
}

async function spoolTar(tar: Readable, spool: FileHandle, index: TreeIndex): Promise<void> {
  const reader = createTarReader();
  let pos = 0;
  let current: { record: IndexRecord; hash: Hash } | undefined;
  for await (const chunk of tar as AsyncIterable<Buffer>) {
    const batch: Buffer[] = [];
    for (const ev of reader.feed(chunk)) {
      if (ev.kind === "data") {
        batch.push(ev.chunk);
        current?.hash.update(ev.chunk);
        pos += ev.chunk.length;
      } else if (ev.kind === "entry") {
        current = addEntry(ev.entry, index, pos);
      } else if (current !== undefined) {
        current.record.sha256 = current.hash.digest("hex");
        index.set(current.record);
        current = undefined;
      }
    }
    writeAll(spool, batch);
  }
  reader.end();
}

/** Records a header; returns the record still waiting for its content when it is a regular file. */
function addEntry(entry: TarEntry, index: TreeIndex, offset: number): { record: IndexRecord; hash: Hash } | undefined {
  const path = contextEntryPath(entry.name);
  const base = { path, mode: entry.mode, uid: entry.uid, gid: entry.gid, mtimeMs: entry.mtime * 1000, offset: 0, sha256: "" };
  switch (entry.type) {
    case "file":
      return { record: { ...base, type: "file", size: entry.size, offset }, hash: createHash("sha256") };
    case "dir":
      index.set({ ...base, type: "dir", size: 0 });
      return undefined;
    case "symlink":
      index.set({ ...base, type: "symlink", size: 0, linkname: entry.linkname });
      return undefined;
    case "link": {
      // A hard link is a regular file with its target's content.
      const target = index.get(contextEntryPath(entry.linkname));
      if (target?.type !== "file") {
        throw new InvalidArgumentError(`invalid build context: hard link ${JSON.stringify(entry.name)} to missing file ${JSON.stringify(entry.linkname)}`);
      }
      index.set({ ...base, type: "file", size: target.size, offset: target.offset, sha256: target.sha256 });
      return undefined;
    }
    default:
      // Devices and fifos cannot be COPY sources berth represents; dockerd would create them, we leave them out.
      return undefined;
  }
}

async function spoolDockerfile(body: Readable, spool: FileHandle, index: TreeIndex): Promise<void> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    writeAll(spool, [chunk]);
  }
  // An empty body is an empty context; the builder then reports the missing Dockerfile.
  if (size === 0) return;
  const now = Date.now();
  index.set({ path: "Dockerfile", type: "file", mode: 0o644, uid: 0, gid: 0, size, mtimeMs: now, offset: 0, sha256: hash.digest("hex") });
}

/**
 * Appends to the spool synchronously, like archive/apply.ts: an async write per
 * 64 KiB chunk costs a thread-pool round trip each, which was most of the
 * receive time; one chunk's write holds the event loop only briefly.
 */
function writeAll(fh: FileHandle, buffers: Buffer[]): void {
  let left = buffers.filter((b) => b.length > 0);
  while (left.length > 0) {
    let n = writevSync(fh.fd, left);
    while (left.length > 0 && n >= left[0]!.length) n -= left.shift()!.length;
    if (n > 0) left[0] = left[0]!.subarray(n);
  }
}

function spooledContext(dir: string, spool: FileHandle, index: TreeIndex, hidden: Map<string, IndexRecord>): BuildContext {
  let tree: Promise<string> | undefined;

  const record = (entry: SourceEntry): IndexRecord => {
    const rec = index.get(realPathOf(entry));
    if (rec?.type !== "file") throw new NotFoundError(`file not found in build context: ${entry.path}`);
    return rec;
  };
  const content = (rec: IndexRecord): Readable => Readable.from(readRange(spool, rec.offset, rec.size), { objectMode: false });

  async function* asTar(): AsyncGenerator<Buffer> {
    for (const rec of index.all()) {
      if (rec.path === "") continue;
      yield encodeHeader({
        name: rec.type === "dir" ? `${rec.path}/` : rec.path,
        type: rec.type,
        mode: rec.mode,
        uid: rec.uid,
        gid: rec.gid,
        size: rec.type === "file" ? rec.size : 0,
        mtime: Math.floor(rec.mtimeMs / 1000),
        linkname: rec.linkname,
      });
      if (rec.type === "file") yield* exactly(content(rec), rec.size);
    }
    yield tarTrailer;
  }

  return {
    select: (sources, opts) => selectSources(index, sources, opts),
    checksum: (selection) => selectionChecksum(selection, async (entry) => record(entry).sha256),
    open: async (entry) => content(record(entry)),
    bytes: (entry) => readAll(spool, record(entry)),
    async readFile(path) {
      const cleaned = cleanPath(path);
      if (cleaned === ".." || cleaned.startsWith("../")) {
        throw new InvalidArgumentError(`forbidden path outside the build context: ${path} ()`);
      }
      const resolved = await resolveInTree(index, cleaned);
      const rec = resolved.exists ? index.get(resolved.path) : hidden.get(resolved.path);
      if (rec?.type !== "file") return undefined;
      return readAll(spool, rec);
    },
    materialize() {
      tree ??= (async () => {
        const root = join(dir, "tree");
        await mkdir(root, { mode: 0o755 });
        await applyLayer(root, Readable.from(asTar(), { objectMode: false }), { whiteouts: "remove" });
        return root;
      })();
      return tree;
    },
    async close() {
      await spool.close();
      await rm(join(dir, "context.data"), { force: true });
      if (tree !== undefined) {
        // A failed materialize already reported its error to its caller; here only its leftovers matter.
        await tree.catch(() => undefined);
        await rm(join(dir, "tree"), { recursive: true, force: true });
      }
    },
  };
}
