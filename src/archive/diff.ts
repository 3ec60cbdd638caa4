// Producing layer tars from trees: the changes in an overlay upper directory,
// the differences between two full trees (vfs), or a whole tree (export).
//
// Entries come in Docker's order: a depth-first walk with each directory's
// children sorted by name (byte order), so parents precede children. Hard
// links are found by inode; only `security.capability` travels as an xattr,
// as in Docker.
import type { BigIntStats } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { Readable } from "node:stream";
import { isErrno } from "../errors.js";
import { opaqueWhiteout, whiteoutPrefix } from "./apply.js";
import { encodeHeader, fileData, tarEntryType, tarTrailer, type TarHeader } from "./tar-write.js";
import { readXattrs, type XattrTable } from "./xattrs.js";

const capability = "security.capability";

/** A layer tar of an overlay upperdir: char 0/0 nodes become `.wh.<name>`, opaque dirs get `.wh..wh..opq`. */
export function diffOverlay(upper: string): Readable {
  return Readable.from(
    (async function* () {
      const attrs = await readXattrs(upper, [capability, "trusted.overlay.opaque"]);
      const out = createEmitter(upper, attrs);
      for await (const { rel, st } of walk(upper, "")) {
        if (st.isCharacterDevice() && st.rdev === 0n) {
          yield encodeHeader({ ...meta(st), name: sibling(rel, whiteoutPrefix), type: "file", mode: 0o600, size: 0 });
          continue;
        }
        yield* out.entry(rel, st);
        if (st.isDirectory() && attrs.get(`${upper}/${rel}`)?.get("trusted.overlay.opaque")?.toString() === "y") {
          yield encodeHeader({ ...meta(st), name: `${rel}/${opaqueWhiteout}`, type: "file", mode: Number(st.mode) & 0o777, size: 0 });
        }
      }
      yield tarTrailer;
    })(),
    { objectMode: false },
  );
}

/** A layer tar turning `lower` into `upper`: what was added or changed, and whiteouts for what is gone. */
export function diffTrees(lower: string, upper: string): Readable {
  return Readable.from(
    (async function* () {
      const out = createEmitter(upper, await readXattrs(upper, [capability]));
      // Unchanged directories wait here until something below them changes,
      // so that every changed entry arrives after its parents.
      const ancestors: Array<{ rel: string; st: BigIntStats; emitted: boolean }> = [];
      async function* parents(): AsyncGenerator<Buffer> {
        for (const a of ancestors) {
          if (!a.emitted) yield* out.entry(a.rel, a.st);
          a.emitted = true;
        }
      }
      async function* compare(rel: string): AsyncGenerator<Buffer> {
        const [below, above] = await Promise.all([sortedNames(join(lower, rel)), sortedNames(join(upper, rel))]);
        const upperSet = new Set(above);
        const lowerSet = new Set(below);
        for (const name of mergeSorted(below, above)) {
          const childRel = rel === "" ? name : `${rel}/${name}`;
          const l = lowerSet.has(name) ? await lstat(join(lower, childRel), { bigint: true }) : undefined;
          if (!upperSet.has(name)) {
            yield* parents();
            yield encodeHeader({ ...meta(l!), name: sibling(childRel, whiteoutPrefix), type: "file", mode: 0o600, size: 0 });
            continue;
          }
          const u = await lstat(join(upper, childRel), { bigint: true });
          if (l !== undefined && u.isDirectory() && l.isDirectory()) {
            ancestors.push({ rel: childRel, st: u, emitted: false });
            if (!sameMeta(l, u)) yield* parents();
            yield* compare(childRel);
            ancestors.pop();
            continue;
          }
          if (l !== undefined && (await sameEntry(join(lower, childRel), l, join(upper, childRel), u))) continue;
          yield* parents();
          if (!u.isDirectory()) {
            yield* out.entry(childRel, u);
            continue;
          }
          for await (const { rel: r, st } of walk(upper, childRel)) yield* out.entry(r, st);
        }
      }
      yield* compare("");
      yield tarTrailer;
    })(),
    { objectMode: false },
  );
}

/** A tar of the whole tree under `dir` (names relative to it, no entry for the root). */
export function packDirectory(dir: string): Readable {
  return Readable.from(
    (async function* () {
      const out = createEmitter(dir, await readXattrs(dir, [capability]));
      for await (const { rel, st } of walk(dir, "")) yield* out.entry(rel, st);
      yield tarTrailer;
    })(),
    { objectMode: false },
  );
}

/** Writes entries found under `root`, turning repeated inodes into hard links. */
function createEmitter(root: string, attrs: XattrTable) {
  const seen = new Map<string, string>();
  return {
    async *entry(rel: string, st: BigIntStats): AsyncGenerator<Buffer> {
      const abs = join(root, rel);
      const type = tarEntryType(st);
      // Sockets belong to a running process, not to an image; Docker skips them too.
      if (type === undefined) return;
      if (type !== "dir" && st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        const first = seen.get(key);
        if (first !== undefined) {
          yield encodeHeader({ ...meta(st), name: rel, type: "link", size: 0, linkname: first });
          return;
        }
        seen.set(key, rel);
      }
      const cap = attrs.get(abs)?.get(capability);
      const header: TarHeader = {
        ...meta(st),
        name: type === "dir" ? `${rel}/` : rel,
        type,
        size: type === "file" ? Number(st.size) : 0,
        linkname: type === "symlink" ? await readlink(abs) : undefined,
        devmajor: Number(((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & ~0xfffn)),
        devminor: Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn)),
        xattrs: cap === undefined ? undefined : new Map([[capability, cap]]),
      };
      yield encodeHeader(header);
      if (type === "file" && header.size > 0) yield* fileData(abs, header.size);
    },
  };
}

/** Depth-first from `rel` (included unless it is the root), children in byte order. */
async function* walk(root: string, rel: string): AsyncGenerator<{ rel: string; st: BigIntStats }> {
  const abs = join(root, rel);
  const st = await lstat(abs, { bigint: true });
  if (rel !== "") yield { rel, st };
  if (!st.isDirectory()) return;
  for (const name of await sortedNames(abs)) yield* walk(root, rel === "" ? name : `${rel}/${name}`);
}

function meta(st: BigIntStats): Pick<TarHeader, "mode" | "uid" | "gid" | "mtime"> {
  return { mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), mtime: Number(st.mtimeMs / 1000n) };
}


function sameMeta(a: BigIntStats, b: BigIntStats): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.mtimeNs === b.mtimeNs;
}

async function sameEntry(lowerPath: string, l: BigIntStats, upperPath: string, u: BigIntStats): Promise<boolean> {
  if (!sameMeta(l, u) || l.size !== u.size || l.rdev !== u.rdev) return false;
  if (l.isSymbolicLink()) return (await readlink(lowerPath)) === (await readlink(upperPath));
  return true;
}

async function sortedNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort(byteOrder);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return [];
    throw err;
  }
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function* mergeSorted(a: string[], b: string[]): Generator<string> {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const c = i === a.length ? 1 : j === b.length ? -1 : byteOrder(a[i]!, b[j]!);
    if (c <= 0) yield a[i++]!;
    else yield b[j++]!;
    if (c === 0) j++;
  }
}

function sibling(rel: string, prefix: string): string {
  const slash = rel.lastIndexOf("/");
  return slash === -1 ? `${prefix}${rel}` : `${rel.slice(0, slash + 1)}${prefix}${rel.slice(slash + 1)}`;
}

const join = (root: string, rel: string): string => (rel === "" ? root : `${root}/${rel}`);
