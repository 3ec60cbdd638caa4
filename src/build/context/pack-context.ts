// The client side of a build context (`berth build DIR`), as docker/cli packs
// one for the classic builder (cli/command/image/build.go, build/context.go):
//   1. The Dockerfile is -f (relative to the current directory) or
//      DIR/Dockerfile (DIR/dockerfile when only that exists). One outside
//      DIR, or read from stdin (-f -), is added to the tar under a generated
//      name ".dockerfile.<20 hex>", which is also appended to .dockerignore
//      so the daemon can drop it from the context, as docker does.
//   2. Ignore patterns come from "<Dockerfile>.dockerignore" beside the
//      Dockerfile when it exists (BuildKit's rule), else DIR/.dockerignore.
//      .dockerignore and the Dockerfile are always sent.
//   3. The whole tree is walked and checked first (docker's "error checking
//      context": every file that will be sent must be readable), so a bad
//      file fails the build before any byte is uploaded; then the tar is
//      streamed, each file read from disk as it goes.
// Entries: directories, files (a second name of a hard-linked file as a
// hard link), symlinks as symlinks; owners as on disk. Sockets, fifos and
// devices are left out: no COPY can use them.
import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from "node:fs";
import { lstat, readFile, realpath } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { encodeHeader, padLength, tarTrailer } from "../../archive/tar-write.js";
import { InvalidArgumentError, isErrno } from "../../errors.js";
import { createIgnoreMatcher, parseDockerignore, type IgnoreMatcher } from "./dockerignore.js";

interface WalkEntry {
  rel: string;
  abs: string;
  st: Stats;
  linkname?: string;
}

export async function packContext(
  contextDir: string,
  opts: { dockerfile?: string; dockerfileContent?: Buffer } = {},
): Promise<{ tar: Readable; dockerfile: string }> {
  const root = await contextRoot(contextDir);
  let extra: Buffer | undefined = opts.dockerfileContent;
  let relDockerfile: string | undefined;
  let ignoreCandidates = [join(root, ".dockerignore")];
  if (extra === undefined) {
    const given = opts.dockerfile !== undefined && opts.dockerfile !== "" ? resolve(opts.dockerfile) : await defaultDockerfile(root);
    const real = await realpath(given).catch((err: unknown) => {
      if (!isErrno(err, "ENOENT")) throw err;
      throw new InvalidArgumentError(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${given}: no such file or directory`);
    });
    ignoreCandidates = [`${given}.dockerignore`, ...ignoreCandidates];
    const rel = relative(root, real);
    if (rel === ".." || rel.startsWith(`..${sep}`)) extra = await readFile(real);
    else relDockerfile = rel.split(sep).join("/");
  }

  const patterns = await readIgnoreFile(ignoreCandidates);
  const probe = createIgnoreMatcher(patterns);
  if (probe.ignores(".dockerignore")) patterns.push("!.dockerignore");
  if (relDockerfile !== undefined && probe.ignores(relDockerfile)) patterns.push(`!${relDockerfile}`);
  const entries = walkContext(root, createIgnoreMatcher(patterns));

  const generated = extra === undefined ? undefined : `.dockerfile.${randomBytes(10).toString("hex")}`;
  return {
    tar: Readable.from(stream(entries, generated === undefined ? undefined : { name: generated, content: extra! }), { objectMode: false }),
    dockerfile: relDockerfile ?? generated!,
  };
}

async function contextRoot(dir: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(resolve(dir));
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
    throw new InvalidArgumentError(`unable to prepare context: path ${JSON.stringify(dir)} not found`);
  }
  if (!(await lstat(real)).isDirectory()) throw new InvalidArgumentError(`unable to prepare context: context must be a directory: ${real}`);
  return real;
}

async function defaultDockerfile(root: string): Promise<string> {
  const upper = join(root, "Dockerfile");
  const lower = join(root, "dockerfile");
  const exists = (p: string) =>
    lstat(p).then(
      () => true,
      (err: unknown) => {
        if (isErrno(err, "ENOENT")) return false;
        throw err;
      },
    );
  return !(await exists(upper)) && (await exists(lower)) ? lower : upper;
}

async function readIgnoreFile(candidates: string[]): Promise<string[]> {
  for (const path of candidates) {
    try {
      return parseDockerignore(await readFile(path, "utf8"));
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
  return [];
}

/**
 * Everything that will be sent, checked readable: docker's
 * ValidateContextDirectory and its walk in one. Synchronous on purpose: the
 * CLI has nothing else to do meanwhile, and thousands of small files would
 * otherwise cost a thread-pool round trip per call.
 */
function walkContext(root: string, ignore: IgnoreMatcher): WalkEntry[] {
  const out: WalkEntry[] = [];
  const isRoot = process.getuid?.() === 0;
  const cantStat = (abs: string) => new InvalidArgumentError(`error checking context: can't stat '${abs}'`);
  function visit(rel: string): void {
    const dirAbs = rel === "" ? root : join(root, rel);
    let names: string[];
    try {
      names = readdirSync(dirAbs);
    } catch (err) {
      if (isErrno(err, "EACCES")) throw cantStat(dirAbs);
      throw err;
    }
    for (const name of names.sort()) {
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const abs = join(root, childRel);
      let st: Stats;
      try {
        st = lstatSync(abs);
      } catch (err) {
        if (isErrno(err, "EACCES")) throw cantStat(abs);
        if (isErrno(err, "ENOENT")) continue; // removed while we walk
        throw err;
      }
      const skip = ignore.ignores(childRel);
      if (st.isDirectory()) {
        if (skip && !ignore.mayContainIncluded(childRel)) continue;
        if (!skip) out.push({ rel: childRel, abs, st });
        visit(childRel);
      } else if (!skip && st.isSymbolicLink()) {
        out.push({ rel: childRel, abs, st, linkname: readlinkSync(abs) });
      } else if (!skip && st.isFile()) {
        // Root reads everything: only others need the check, and only they pay for it.
        if (!isRoot) checkReadable(abs);
        out.push({ rel: childRel, abs, st });
      }
    }
  }
  visit("");
  return out;
}

function checkReadable(abs: string): void {
  try {
    closeSync(openSync(abs, "r"));
  } catch (err) {
    if (isErrno(err, "EACCES")) throw new InvalidArgumentError(`error checking context: no permission to read from '${abs}'`);
    throw err;
  }
}

/**
 * The tar, in 1 MiB chunks that file contents are read straight into (no
 * per-file buffers to allocate, copy and collect). Synchronous like the walk:
 * the CLI does nothing else meanwhile, and the consumer pulls chunk by chunk.
 */
function* stream(entries: WalkEntry[], extra: { name: string; content: Buffer } | undefined): Generator<Buffer> {
  const out = createChunker();
  const now = Math.floor(Date.now() / 1000);
  const inodes = new Map<string, string>();
  let sawIgnore = false;
  const fresh = { mode: 0o600, uid: 0, gid: 0, mtime: now };
  function* generatedFile(name: string, content: Buffer, meta = fresh): Generator<Buffer> {
    yield* out.put(encodeHeader({ ...meta, name, type: "file", size: content.length }));
    yield* out.put(content);
    yield* out.zeros(padLength(content.length));
  }
  for (const { rel, abs, st, linkname } of entries) {
    const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
    if (st.isDirectory()) {
      yield* out.put(encodeHeader({ ...base, name: `${rel}/`, type: "dir", size: 0 }));
    } else if (st.isSymbolicLink()) {
      yield* out.put(encodeHeader({ ...base, name: rel, type: "symlink", size: 0, linkname }));
    } else if (extra !== undefined && rel === ".dockerignore") {
      // The generated Dockerfile's name goes into .dockerignore, as docker does.
      sawIgnore = true;
      yield* generatedFile(rel, Buffer.concat([readFileSync(abs), Buffer.from(`\n${extra.name}\n`)]), base);
    } else {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? inodes.get(key) : undefined;
      if (first !== undefined) {
        yield* out.put(encodeHeader({ ...base, name: rel, type: "link", size: 0, linkname: first }));
        continue;
      }
      if (st.nlink > 1) inodes.set(key, rel);
      yield* out.put(encodeHeader({ ...base, name: rel, type: "file", size: st.size }));
      yield* out.file(abs, st.size);
      yield* out.zeros(padLength(st.size));
    }
  }
  if (extra !== undefined) {
    if (!sawIgnore) yield* generatedFile(".dockerignore", Buffer.from(`.dockerignore\n${extra.name}\n`));
    yield* generatedFile(extra.name, extra.content);
  }
  yield* out.put(tarTrailer);
  yield* out.flush();
}

const CHUNK = 1024 * 1024;

function createChunker() {
  let buf = Buffer.allocUnsafe(CHUNK);
  let len = 0;
  function* flush(): Generator<Buffer> {
    if (len === 0) return;
    yield buf.subarray(0, len);
    buf = Buffer.allocUnsafe(CHUNK);
    len = 0;
  }
  function* room(): Generator<Buffer> {
    if (len === CHUNK) yield* flush();
  }
  return {
    flush,
    *put(data: Buffer): Generator<Buffer> {
      for (let at = 0; at < data.length; ) {
        yield* room();
        const n = data.copy(buf, len, at);
        len += n;
        at += n;
      }
    },
    *zeros(n: number): Generator<Buffer> {
      while (n > 0) {
        yield* room();
        const k = Math.min(n, CHUNK - len);
        buf.fill(0, len, len + k);
        len += k;
        n -= k;
      }
    },
    /** Exactly `size` bytes of the file: short reads (it shrank since the walk) are zero-filled, extra bytes left out. */
    *file(path: string, size: number): Generator<Buffer> {
      const fd = openSync(path, "r");
      try {
        let left = size;
        while (left > 0) {
          yield* room();
          const n = readSync(fd, buf, len, Math.min(left, CHUNK - len), null);
          if (n === 0) break;
          len += n;
          left -= n;
        }
        yield* this.zeros(left);
      } finally {
        closeSync(fd);
      }
    },
  };
}
