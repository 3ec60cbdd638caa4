// HEAD/GET /containers/{id}/archive: stat a path and tar it the way dockerd
// does. The path is split as dockerd splits it: everything but the last
// component is resolved (symlinks followed, inside the container); the last
// is taken as it is — a symlink is archived as a symlink — unless the path
// ends in "/" or "/.", which name the directory itself. Entries are named
// after the path's last component ("d/", "d/f"), or "./…" for "/.".
import type { BigIntStats } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { posix } from "node:path";
import { Readable } from "node:stream";
import { NotFoundError, isErrno } from "../../errors.js";
import { encodeHeader, fileData, tarEntryType, tarTrailer } from "../../archive/tar-write.js";
import type { PathStat } from "./container-fs-service.js";
import type { FsView, ViewMount } from "./fs-view.js";
import { pathStat } from "./path-stat.js";
import { containerPath, hostPathOf, resolveInView, type ViewPath } from "./resolve-in-view.js";

export interface Target {
  /** What the client asked for, as dockerd's messages quote it. */
  raw: string;
  /** filepath.Base of the absolute path: the stat's name and the archive's top entry. */
  name: string;
  path: ViewPath & { stat: NonNullable<ViewPath["stat"]> };
}

/** Resolves the requested path; NotFoundError in dockerd's words when it is not there. */
export async function findTarget(view: FsView, raw: string, containerName: string): Promise<Target> {
  const clean = posix.normalize(`/${raw}`);
  const namesDir = raw.endsWith("/") || raw.endsWith("/.") || raw === "." || clean === "/";
  const path = await resolveInView(view.mounts, clean, { followLast: namesDir });
  if (path.stat === undefined) throw new NotFoundError(`Could not find the file ${raw} in container ${containerName}`);
  if (namesDir && !path.stat.isDirectory()) throw new NotFoundError(`lstat ${clean}/: not a directory`);
  const name = clean === "/" ? "/" : raw.endsWith("/.") || raw === "." ? "." : posix.basename(clean);
  return { raw, name, path: path as Target["path"] };
}

export async function statTarget(view: FsView, target: Target): Promise<PathStat> {
  const st = await lstat(target.path.host, { bigint: true });
  let linkTarget = "";
  if (st.isSymbolicLink()) {
    const followed = await resolveInView(view.mounts, containerPath(target.path.components), { followLast: true });
    linkTarget = containerPath(followed.components);
  }
  return pathStat(target.name, st, linkTarget);
}

/** The tar of the target; `done` runs once the stream ends or is destroyed. */
export function archiveTarget(view: FsView, target: Target, done: () => Promise<void>): Readable {
  const tar = Readable.from(entries(view.mounts, target), { objectMode: false });
  let finished = false;
  tar.once("close", () => {
    if (!finished) void done();
    finished = true;
  });
  return tar;
}

/** The tar of `target` in the trees `mounts` (also used by the CLI on the local side of cp, with "/" as the only tree). */
export async function* entries(mounts: readonly ViewMount[], target: Pick<Target, "name" | "path">): AsyncGenerator<Buffer> {
  const links = new Map<string, string>();
  const top = target.name;
  const nameOf = (rel: string): string => (rel === "" ? top : top === "/" ? `/${rel}` : `${top}/${rel}`);
  async function* visit(comps: string[], host: string, rel: string): AsyncGenerator<Buffer> {
    const st = await lstat(host, { bigint: true });
    yield* entry(host, st, nameOf(rel), links);
    if (!st.isDirectory()) return;
    for (const child of await children(mounts, comps, host)) {
      const childComps = [...comps, child];
      const at = hostPathOf(mounts, childComps);
      try {
        yield* visit(childComps, at.host, rel === "" ? child : `${rel}/${child}`);
      } catch (err) {
        // Gone since the directory was read (a mount's source removed on the host).
        if (!isErrno(err, "ENOENT")) throw err;
      }
    }
  }
  yield* visit(target.path.components, target.path.host, "");
  yield tarTrailer;
}

/** A directory's entries plus the mounts right below it, in byte order. */
async function children(mounts: readonly ViewMount[], comps: string[], host: string): Promise<string[]> {
  const names = new Set(await readdir(host));
  for (const m of mounts) {
    if (m.components.length === comps.length + 1 && comps.every((c, i) => m.components[i] === c)) names.add(m.components[comps.length]!);
  }
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

async function* entry(host: string, st: BigIntStats, name: string, links: Map<string, string>): AsyncGenerator<Buffer> {
  const type = tarEntryType(st);
  // Sockets belong to a running process; dockerd's archive skips them too.
  if (type === undefined) return;
  const meta = { mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), mtime: Number(st.mtimeMs / 1000n) };
  if (type !== "dir" && st.nlink > 1n) {
    const key = `${st.dev}:${st.ino}`;
    const first = links.get(key);
    if (first !== undefined) {
      yield encodeHeader({ ...meta, name, type: "link", size: 0, linkname: first });
      return;
    }
    links.set(key, name);
  }
  const size = type === "file" ? Number(st.size) : 0;
  yield encodeHeader({
    ...meta,
    name: type === "dir" && !name.endsWith("/") ? `${name}/` : name,
    type,
    size,
    linkname: type === "symlink" ? await readlink(host) : undefined,
    devmajor: Number(((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & ~0xfffn)),
    devminor: Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn)),
  });
  if (type === "file") yield* fileData(host, size);
}


