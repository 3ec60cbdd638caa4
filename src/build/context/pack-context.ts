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
import { lstat, open, readdir, readFile, readlink, realpath } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { encodeHeader, fileData, padLength, tarTrailer } from "../../archive/tar-write.js";
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
  const entries = await walkContext(root, createIgnoreMatcher(patterns));

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

/** Everything that will be sent, checked readable: docker's ValidateContextDirectory and its walk in one. */
async function walkContext(root: string, ignore: IgnoreMatcher): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  const cantStat = (abs: string) => new InvalidArgumentError(`error checking context: can't stat '${abs}'`);
  async function visit(rel: string): Promise<void> {
    const dirAbs = rel === "" ? root : join(root, rel);
    let names: string[];
    try {
      names = await readdir(dirAbs);
    } catch (err) {
      if (isErrno(err, "EACCES")) throw cantStat(dirAbs);
      throw err;
    }
    for (const name of names.sort()) {
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const abs = join(root, childRel);
      let st: Stats;
      try {
        st = await lstat(abs);
      } catch (err) {
        if (isErrno(err, "EACCES")) throw cantStat(abs);
        if (isErrno(err, "ENOENT")) continue; // removed while we walk
        throw err;
      }
      const skip = ignore.ignores(childRel);
      if (st.isDirectory()) {
        if (skip && !ignore.mayContainIncluded(childRel)) continue;
        if (!skip) out.push({ rel: childRel, abs, st });
        await visit(childRel);
      } else if (!skip && st.isSymbolicLink()) {
        out.push({ rel: childRel, abs, st, linkname: await readlink(abs) });
      } else if (!skip && st.isFile()) {
        await checkReadable(abs);
        out.push({ rel: childRel, abs, st });
      }
    }
  }
  await visit("");
  return out;
}

async function checkReadable(abs: string): Promise<void> {
  try {
    await (await open(abs, "r")).close();
  } catch (err) {
    if (isErrno(err, "EACCES")) throw new InvalidArgumentError(`error checking context: no permission to read from '${abs}'`);
    throw err;
  }
}

async function* stream(entries: WalkEntry[], extra: { name: string; content: Buffer } | undefined): AsyncGenerator<Buffer> {
  const now = Math.floor(Date.now() / 1000);
  const inodes = new Map<string, string>();
  let sawIgnore = false;
  const fresh = { mode: 0o600, uid: 0, gid: 0, mtime: now };
  const generatedFile = (name: string, content: Buffer, meta = fresh): Buffer[] => [
    encodeHeader({ ...meta, name, type: "file", size: content.length }),
    content,
    Buffer.alloc(padLength(content.length)),
  ];
  for (const { rel, abs, st, linkname } of entries) {
    const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
    if (st.isDirectory()) {
      yield encodeHeader({ ...base, name: `${rel}/`, type: "dir", size: 0 });
    } else if (st.isSymbolicLink()) {
      yield encodeHeader({ ...base, name: rel, type: "symlink", size: 0, linkname });
    } else if (extra !== undefined && rel === ".dockerignore") {
      // The generated Dockerfile's name goes into .dockerignore, as docker does.
      sawIgnore = true;
      yield* generatedFile(rel, Buffer.concat([await readFile(abs), Buffer.from(`\n${extra.name}\n`)]), base);
    } else {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? inodes.get(key) : undefined;
      if (first !== undefined) {
        yield encodeHeader({ ...base, name: rel, type: "link", size: 0, linkname: first });
        continue;
      }
      if (st.nlink > 1) inodes.set(key, rel);
      yield encodeHeader({ ...base, name: rel, type: "file", size: st.size });
      yield* fileData(abs, st.size);
    }
  }
  if (extra !== undefined) {
    if (!sawIgnore) yield* generatedFile(".dockerignore", Buffer.from(`.dockerignore\n${extra.name}\n`));
    yield* generatedFile(extra.name, extra.content);
  }
  yield tarTrailer;
}
