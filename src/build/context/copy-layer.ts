// A COPY/ADD step as a layer tar, placed the way dockerd 20.10's classic
// builder places files (builder/dockerfile/copy.go), checked against it:
//   - several sources (words or glob matches) need a dest ending in "/";
//   - dest ending in "/", or resolving (symlinks followed inside the image) to
//     an existing directory, means "into that directory": a file keeps its
//     name under it; otherwise a file is written as dest (the resolved path);
//   - a directory source puts its contents into dest, which, when new, is
//     made 0755 (not the source directory's mode) and gets --chown; an
//     existing dest directory keeps its metadata, --chown or not;
//   - directories above the target that exist in the image are carried with
//     the image's metadata (so the layer does not change them); missing ones
//     are 0755, owned by --chown when a file is copied and by root when a
//     directory is (dockerd's MkdirAllAndChownNew vs MkdirAll);
//   - copied entries keep mode and mtime; owner is --chown, else the source's
//     for COPY --from trees, else 0:0; --chmod (BuildKit) sets every copied
//     entry's mode;
//   - ADD: a source file whose content is a tar (plain, gzip, bzip2, xz) is
//     extracted under dest instead (extract-archive.ts), entries keeping their
//     own owners and modes, as dockerd's UntarPath does.
import { Readable } from "node:stream";
import { encodeHeader, padLength, tarTrailer } from "../../archive/tar-write.js";
import type { TarHeader } from "../../archive/tar-write.js";
import { InvalidArgumentError } from "../../errors.js";
import type { CopyPlan, RootView, Selection, SourceEntry, SourceTree } from "./build-context.js";
import { baseName } from "./clean-path.js";
import { batched } from "./batched.js";
import { exactly } from "./entry-data.js";
import { extractArchive } from "./extract-archive.js";
import { sniffArchive } from "./sniff-archive.js";

type Owner = { uid: number; gid: number };
const root0: Owner = { uid: 0, gid: 0 };

/** One thing to write: a file/dir item, with where it goes (absolute inside the image). */
type Placement =
  | { kind: "file"; entry: SourceEntry; target: string }
  | { kind: "dir"; entry: SourceEntry; children: SourceEntry[]; target: string }
  | { kind: "archive"; entry: SourceEntry; target: string };

export async function copyLayer(tree: SourceTree, selection: Selection, plan: CopyPlan, root: RootView): Promise<Readable> {
  const cmd = plan.extractArchives ? "ADD" : "COPY";
  if (selection.items.length > 1 && !plan.dest.endsWith("/")) {
    throw new InvalidArgumentError(`When using ${cmd} with more than one source file, the destination must be a directory and end with a /`);
  }
  const dest = await root.resolve(plan.dest);
  const intoDir = plan.dest.endsWith("/") || dest.stat?.type === "dir";
  const placements: Placement[] = [];
  for (const { entry, children } of selection.items) {
    if (entry.type === "dir") {
      if (dest.stat !== undefined && dest.stat.type !== "dir") throw notADirectory(plan.dest);
      placements.push({ kind: "dir", entry, children, target: dest.path });
    } else if (plan.extractArchives && entry.type === "file" && (await isArchive(tree, entry))) {
      if (dest.stat !== undefined && dest.stat.type !== "dir") throw notADirectory(plan.dest);
      placements.push({ kind: "archive", entry, target: dest.path });
    } else {
      if (intoDir && dest.stat !== undefined && dest.stat.type !== "dir") throw notADirectory(plan.dest);
      placements.push({ kind: "file", entry, target: intoDir ? joinAbs(dest.path, baseName(entry.path)) : dest.path });
    }
  }
  return Readable.from(batched(layer(tree, placements, plan, root)), { objectMode: false });
}

/** Files up to this size are read in one go. */
const SMALL_FILE = 1024 * 1024;

async function* layer(tree: SourceTree, placements: Placement[], plan: CopyPlan, root: RootView): AsyncGenerator<Buffer> {
  const now = Math.floor(Date.now() / 1000);
  // Directories already in the layer: each is written once, before anything under it.
  const written = new Set<string>();
  const owner = (e: SourceEntry): Owner => plan.chown ?? (plan.keepOwners ? { uid: e.uid, gid: e.gid } : root0);
  const copied = (e: SourceEntry, name: string): TarHeader => ({
    name: e.type === "dir" ? `${name}/` : name,
    type: e.type,
    mode: e.type === "symlink" ? 0o777 : (plan.chmod ?? e.mode),
    ...owner(e),
    size: e.type === "file" ? e.size : 0,
    mtime: Math.floor(e.mtimeMs / 1000),
    linkname: e.linkname,
  });

  /** The directory at `abs` (and those above it): the image's own metadata when it exists, else new. */
  async function* dirEntry(abs: string, fresh: { owner: Owner; mode: number }, parentsOwner: Owner): AsyncGenerator<Buffer> {
    const rel = abs.slice(1);
    if (rel === "" || written.has(rel)) return;
    const parent = abs.slice(0, abs.lastIndexOf("/")) || "/";
    yield* dirEntry(parent, { owner: parentsOwner, mode: 0o755 }, parentsOwner);
    written.add(rel);
    const there = await root.resolve(abs);
    if (there.stat !== undefined && there.stat.type !== "dir") throw notADirectory(abs);
    const st = there.stat;
    yield encodeHeader(
      st === undefined
        ? { name: `${rel}/`, type: "dir", mode: fresh.mode, ...fresh.owner, size: 0, mtime: now }
        : { name: `${rel}/`, type: "dir", mode: st.mode, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000) },
    );
  }

  async function* file(e: SourceEntry, rel: string): AsyncGenerator<Buffer> {
    yield encodeHeader(copied(e, rel));
    if (e.type !== "file") return;
    if (e.size > SMALL_FILE) {
      yield* exactly(await tree.open(e), e.size);
      return;
    }
    const data = await tree.bytes(e);
    // Exactly the size the header announced, whatever the source holds now.
    yield data.length === e.size ? data : Buffer.concat([data.subarray(0, e.size), Buffer.alloc(Math.max(0, e.size - data.length))]);
    const pad = padLength(e.size);
    if (pad > 0) yield Buffer.alloc(pad);
  }

  for (const p of placements) {
    const parentOf = (abs: string): string => abs.slice(0, abs.lastIndexOf("/")) || "/";
    if (p.kind === "file") {
      const fileOwner = plan.chown ?? root0;
      yield* dirEntry(parentOf(p.target), { owner: fileOwner, mode: 0o755 }, fileOwner);
      yield* file(p.entry, p.target.slice(1));
    } else if (p.kind === "archive") {
      yield* dirEntry(p.target, { owner: root0, mode: 0o755 }, root0);
      yield* extractArchive(await tree.open(p.entry), { dest: p.target.slice(1), source: p.entry.path });
    } else {
      yield* dirEntry(p.target, { owner: plan.chown ?? root0, mode: 0o755 }, root0);
      const prefix = p.entry.path === "" ? "" : `${p.entry.path}/`;
      for (const child of p.children) {
        const rel = joinAbs(p.target, child.path.slice(prefix.length)).slice(1);
        if (child.type === "dir") written.add(rel);
        yield* file(child, rel);
      }
    }
  }
  yield tarTrailer;
}

async function isArchive(tree: SourceTree, entry: SourceEntry): Promise<boolean> {
  const sniffed = await sniffArchive(await tree.open(entry));
  sniffed.stream.destroy();
  return sniffed.isTar;
}

const joinAbs = (dir: string, name: string): string => (dir === "/" ? `/${name}` : `${dir}/${name}`);

const notADirectory = (path: string): InvalidArgumentError => new InvalidArgumentError(`cannot copy to non-directory: ${path}`);
