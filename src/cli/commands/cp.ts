// berth cp: files between a container and the local filesystem, with the
// docker CLI's path rules (cli/command/container/cp.go and pkg/archive's
// copy.go): a directory copied to a missing path becomes that path, to an
// existing directory goes inside it, "/." copies a directory's contents, a
// trailing "/" demands a directory, "-" streams a tar. The daemon resolves
// container paths; the archive it sends is untrusted and is extracted locally
// by the same applier berthd uses, which refuses entries that climb out.
import { lstat, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { applyLayer } from "../../archive/apply.js";
import { isErrno } from "../../errors.js";
import { entries } from "../../container/fs/archive-get.js";
import { rewrite } from "../../container/fs/archive-put.js";
import { resolveInView } from "../../container/fs/resolve-in-view.js";
import type { ViewMount } from "../../container/fs/fs-view.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../usage-error.js";

interface Flags {
  archive?: boolean;
  followLink?: boolean;
  quiet?: boolean;
}

interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName?: string;
}

/** docker's splitCpArg: "ctr:path", or a local path (absolute or starting with "." it is never a container). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith("/") || arg.startsWith(".")) return { path: arg };
  const i = arg.indexOf(":");
  if (i <= 0) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** pkg/archive SplitPathDirEntry: "/a/b/." → ["/a/b", "."], "/a/b/" → ["/a", "b"]. */
function splitDirEntry(p: string): [string, string] {
  const cleaned = p.endsWith("/.") ? p : p.replace(/\/+$/, "") || "/";
  if (cleaned.endsWith("/.")) return [cleaned.slice(0, -2) || "/", "."];
  return [path.posix.dirname(cleaned), path.posix.basename(cleaned)];
}

/**
 * Where to extract and how to rename the top entry (PrepareArchiveCopy):
 * returns the directory to extract into and the rename of the archive's first
 * component, or throws docker's errors.
 */
export function prepareCopy(src: CopyInfo, dst: CopyInfo): { dstDir: string; from: string; to: string } {
  const [, srcBase] = splitDirEntry(src.path);
  const [dstDir, dstBase] = splitDirEntry(dst.path);
  if (dst.exists && dst.isDir) return { dstDir: dst.path, from: srcBase, to: src.rebaseName ?? srcBase };
  if (dst.exists) {
    if (src.isDir) throw new UsageError("cannot copy directory");
    return { dstDir, from: srcBase, to: dstBase };
  }
  if (src.isDir) return { dstDir, from: srcBase, to: dstBase };
  if (dst.path.endsWith("/") || dst.path.endsWith("/.")) throw new UsageError("no such directory");
  return { dstDir, from: srcBase, to: dstBase };
}

/** Renames the first component `from` of every entry name to `to` (RebaseArchiveEntries). */
function renamer(from: string, to: string): ((name: string) => string) | undefined {
  if (from === to) return undefined;
  return (name) => {
    const rest = name.startsWith(`${from}/`) ? name.slice(from.length) : name === from ? "" : undefined;
    return rest === undefined ? name : `${to}${rest}`;
  };
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH")
    .description("Copy files/folders between a container and the local filesystem")
    .option("-a, --archive", "Archive mode (copy all uid/gid information)")
    .option("-L, --follow-link", "Always follow symbol link in SRC_PATH")
    .option("-q, --quiet", "Suppress progress output during copy");
  action<Flags>(cmd, { min: 2, max: 2 }, async ([srcArg, dstArg], flags) => {
    const src = splitCpArg(srcArg!);
    const dst = splitCpArg(dstArg!);
    if (src.container !== undefined && dst.container !== undefined) throw new UsageError("copying between containers is not supported");
    if (src.container === undefined && dst.container === undefined) throw new UsageError("must specify at least one container source");
    if (src.path === "" || dst.path === "") throw new UsageError("filepath can not be empty");
    if (src.container !== undefined) await copyFrom(ctx, src.container, src.path, dst.path, flags);
    else await copyTo(ctx, src.path, dst.container!, dst.path, flags);
  }, ctx);
}

async function copyFrom(ctx: CliContext, container: string, srcPath: string, dstPath: string, flags: Flags): Promise<void> {
  const api = ctx.client().containerFs;
  let rebaseName: string | undefined;
  if (flags.followLink) {
    const st = await api.statPath(container, srcPath).catch(() => undefined);
    if (st && st.linkTarget !== "" && (st.mode & 2 ** 27) !== 0) {
      rebaseName = splitDirEntry(srcPath)[1];
      srcPath = st.linkTarget;
    }
  }
  const { stat: st, tar } = await api.getArchive(container, srcPath);
  if (dstPath === "-") {
    await pipeline(tar, process.stdout, { end: false });
    return;
  }
  const dst = await localInfo(absolute(dstPath), true);
  const plan = prepareCopy({ path: srcPath, exists: true, isDir: (st.mode & 2 ** 31) !== 0, rebaseName }, dst);
  const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const rewritten = rewrite(tar, { noOverwriteDirNonDir: true, copyUIDGID: false, root: plan.dstDir, shown: plan.dstDir, owner, rename: renamer(plan.from, plan.to) });
  await applyLayer(plan.dstDir, Readable.from(rewritten, { objectMode: false }), { whiteouts: "remove" });
}

async function copyTo(ctx: CliContext, srcPath: string, container: string, dstPath: string, flags: Flags): Promise<void> {
  const api = ctx.client().containerFs;
  const dst: CopyInfo = { path: dstPath, exists: false, isDir: false };
  let st = await api.statPath(container, dstPath).catch(() => undefined);
  if (st && (st.mode & 2 ** 27) !== 0) {
    const target = st.linkTarget.startsWith("/") ? st.linkTarget : path.posix.join(splitDirEntry(dstPath)[0], st.linkTarget);
    dst.path = target;
    st = await api.statPath(container, target).catch(() => undefined);
  }
  if (st) {
    const isDir = (st.mode & 2 ** 31) !== 0;
    const isRegular = st.mode < 2 ** 20;
    if (!isDir && !isRegular) throw new UsageError(`destination "${container}:${dstPath}" must be a directory or a regular file`);
    dst.exists = true;
    dst.isDir = isDir;
  }
  if (srcPath === "-") {
    if (!dst.isDir) throw new UsageError(`destination "${container}:${dstPath}" must be a directory`);
    await api.putArchive(container, dst.path, process.stdin, { noOverwriteDirNonDir: true, copyUIDGID: flags.archive });
    return;
  }
  const local = absolute(srcPath);
  const src = await localInfo(local, flags.followLink ?? false);
  if (!src.exists) throw new UsageError(`lstat ${local}: no such file or directory`);
  const plan = prepareCopy(src, dst);
  // The local tree is the user's own: "/" is its only root, and -L follows the last link.
  const root: ViewMount[] = [{ destination: "/", components: [], source: "/", rw: false }];
  const resolved = await resolveInView(root, local.endsWith("/.") ? local : local.replace(/\/+$/, "") || "/", { followLast: flags.followLink === true || local.endsWith("/.") });
  if (resolved.stat === undefined) throw new UsageError(`lstat ${local}: no such file or directory`);
  const name = splitDirEntry(local)[1];
  const tar = Readable.from(entries(root, { name, path: { ...resolved, stat: resolved.stat } }), { objectMode: false });
  const rebased = Readable.from(rewrite(tar, { noOverwriteDirNonDir: false, copyUIDGID: true, root: "/nonexistent", shown: "", rename: renamer(plan.from, plan.to) }), { objectMode: false });
  await api.putArchive(container, plan.dstDir, rebased, { noOverwriteDirNonDir: true, copyUIDGID: flags.archive });
}

function absolute(p: string): string {
  const keep = p.endsWith("/.") ? "/." : p.endsWith("/") ? "/" : "";
  const abs = path.resolve(p);
  return abs === "/" ? "/" : `${abs}${keep}`;
}

/** What is at a local path (followed when it is a symlink and `follow`). */
async function localInfo(p: string, follow: boolean): Promise<CopyInfo> {
  try {
    const st = follow ? await stat(p) : await lstat(p);
    return { path: p, exists: true, isDir: st.isDirectory() };
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
    const parent = splitDirEntry(p)[0];
    try {
      await stat(parent);
    } catch (e) {
      if (isErrno(e, "ENOENT")) throw new UsageError(`stat ${parent}: no such file or directory`);
      throw e;
    }
    return { path: p, exists: false, isDir: false };
  }
}
