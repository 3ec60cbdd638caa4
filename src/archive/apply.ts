// Applying a layer tar (OCI image-spec "changesets") to a directory.
//
// The tar is untrusted. Every entry name is cleaned and resolved inside the
// root by createRootDirs (no symlink may stand where a directory is walked
// through); files are created with O_EXCL|O_NOFOLLOW after removing what was
// there; hard link targets are resolved the same way. An entry that would
// reach outside the root fails the whole apply with an InvalidArgumentError
// naming the entry, as Docker and containerd do.
//
// Syscalls are made synchronously, one chunk of the tar at a time: the async
// fs API costs a thread-pool round trip per call (about six per file), which
// alone would miss the time budget (≤ 1.5× GNU tar). A chunk is at most 64 KiB
// of data plus the entries in it, so the event loop is held only briefly.
// The exception is a large file's data: it is gathered and written a MiB at a
// time on the pool, one round trip per MiB, so that copying it into the page
// cache does not hold the event loop (a pull unpacks three layers at once,
// and their inflating and hashing go on meanwhile). The rest of a file, and
// every small file, is written synchronously when its entry ends. A caller
// on a worker thread (a pull's unpack) asks for inPlace: there, the pool's
// round trips would cost that thread's time for nothing.
// Devices and xattrs need helper programs and are batched (see whiteouts.ts,
// xattrs.ts).
import {
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  constants as fsc,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  chmodSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writev,
  writevSync,
} from "node:fs";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { isErrno } from "../errors.js";
import { breakout, createRootDirs, entryComponents, type RootDirs } from "./root-path.js";
import { mknod, createWhiteouts } from "./special-files.js";
import { createTarReader, type TarEntry } from "./tar-read.js";
import { setXattrs, type XattrTable } from "./xattrs.js";

export type WhiteoutMode = "overlay" | "remove";

export const whiteoutPrefix = ".wh.";
export const opaqueWhiteout = ".wh..wh..opq";

// Attributes taken from a layer. trusted.* is refused: an image must not forge
// overlayfs metadata (opaque, redirect, metacopy) in an upper directory.
const allowedXattr = (name: string): boolean =>
  name.startsWith("user.") ||
  name === "security.capability" ||
  name === "system.posix_acl_access" ||
  name === "system.posix_acl_default";

/** Data of one file gathered before an asynchronous write. */
const WRITE_BATCH = 1024 * 1024;

const createFlags = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;

export async function applyLayer(
  root: string,
  layer: Readable,
  opts: { whiteouts: WhiteoutMode; inPlace?: boolean },
): Promise<{ size: number }> {
  const applier = createApplier(resolve(root), opts.whiteouts, opts.inPlace ?? false);
  const reader = createTarReader();
  try {
    for await (const chunk of layer as AsyncIterable<Buffer>) {
      for (const ev of reader.feed(chunk)) {
        if (ev.kind === "data") {
          const pending = applier.write(ev.chunk);
          if (pending !== undefined) await pending;
        } else if (ev.kind === "entry") {
          const pending = applier.begin(ev.entry);
          if (pending !== undefined) await pending;
        } else applier.end();
      }
    }
    reader.end();
    await applier.finish();
  } finally {
    applier.close();
  }
  return { size: applier.size() };
}

interface Applier {
  /** Starts an entry; returns a promise only when a helper program must run. */
  begin(entry: TarEntry): Promise<void> | undefined;
  /** Returns a promise when a batch of the file's data went to the pool. */
  write(chunk: Buffer): Promise<void> | undefined;
  end(): void;
  /** Xattrs and directory mtimes, which must come after everything else. */
  finish(): Promise<void>;
  /** Releases what an interrupted apply holds (open file, whiteout template). */
  close(): void;
  size(): number;
}

/** inPlace: the caller is no event loop that others wait on (a worker thread), so large files are written synchronously too. */
function createApplier(root: string, mode: WhiteoutMode, inPlace: boolean): Applier {
  const dirs: RootDirs = createRootDirs(root);
  const whiteouts = createWhiteouts(root);
  const xattrs: XattrTable = new Map();
  const dirTimes = new Map<string, number>();
  // Paths this layer wrote, for opaque directories in "remove" mode: they keep
  // what this layer put there and lose what the lower layers had.
  const unpacked = new Set<string>();
  let file: { fd: number; entry: TarEntry; batch: Buffer[]; batched: number } | undefined;
  let total = 0;

  function removeExisting(abs: string): void {
    let st;
    try {
      st = lstatSync(abs);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return;
      throw err;
    }
    if (!st.isDirectory()) return unlinkSync(abs);
    rmSync(abs, { recursive: true });
    forgetUnder(abs);
  }

  function forgetUnder(abs: string): void {
    dirs.reset();
    const under = `${abs}/`;
    for (const map of [xattrs, dirTimes]) {
      for (const key of map.keys()) if (key === abs || key.startsWith(under)) map.delete(key);
    }
  }

  function retryOnExist<T>(abs: string, create: () => T): T {
    try {
      return create();
    } catch (err) {
      if (!isErrno(err, "EEXIST")) throw err;
      removeExisting(abs);
      return create();
    }
  }

  function recordXattrs(abs: string, entry: TarEntry): void {
    xattrs.delete(abs);
    if (entry.xattrs.size === 0 || entry.type === "symlink" || entry.type === "link") return;
    const kept = new Map([...entry.xattrs].filter(([name]) => allowedXattr(name)));
    if (kept.size > 0) xattrs.set(abs, kept);
  }

  function markUnpacked(comps: string[]): void {
    for (let i = comps.length; i > 0; i--) {
      const rel = comps.slice(0, i).join("/");
      if (unpacked.has(rel)) return;
      unpacked.add(rel);
    }
  }

  function hardlink(entry: TarEntry, abs: string): void {
    let target: string[];
    try {
      target = entryComponents(entry.linkname);
    } catch {
      throw breakout(entry.name, `hard link target ${JSON.stringify(entry.linkname)} is outside the root`);
    }
    if (target.length === 0) throw breakout(entry.name, "hard link to the root directory");
    const parent = dirs.find(target.slice(0, -1), entry.name);
    const targetAbs = parent === undefined ? undefined : `${parent}/${target[target.length - 1]}`;
    let isDir = false;
    try {
      if (targetAbs !== undefined) isDir = lstatSync(targetAbs).isDirectory();
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
    if (targetAbs === undefined || isDir) {
      throw breakout(entry.name, `hard link target ${JSON.stringify(entry.linkname)} is not a file in the layer`);
    }
    if (targetAbs === abs) return;
    retryOnExist(abs, () => linkSync(targetAbs, abs));
  }

  async function special(entry: TarEntry, abs: string): Promise<void> {
    removeExisting(abs);
    await mknod(abs, { type: entry.type as "char" | "block" | "fifo", major: entry.devmajor, minor: entry.devminor });
    lchownSync(abs, entry.uid, entry.gid);
    chmodSync(abs, entry.mode);
    lutimesSync(abs, entry.mtime, entry.mtime);
  }

  function whiteout(entry: TarEntry, comps: string[], base: string): Promise<void> | undefined {
    const parentComps = comps.slice(0, -1);
    if (base === opaqueWhiteout) {
      if (mode === "overlay") {
        const dir = dirs.ensure(parentComps, entry.name);
        xattrs.set(dir, new Map([...(xattrs.get(dir) ?? []), ["trusted.overlay.opaque", Buffer.from("y")]]));
      } else {
        const dir = dirs.find(parentComps, entry.name);
        if (dir !== undefined) clearLower(dir, parentComps.join("/"));
      }
      return undefined;
    }
    // Other ".wh..wh." names are aufs bookkeeping, meaningless here.
    if (base.startsWith(`${whiteoutPrefix}${whiteoutPrefix}`)) return undefined;
    const name = base.slice(whiteoutPrefix.length);
    if (name === "" || name === "." || name === "..") throw breakout(entry.name, "whiteout of an invalid name");
    if (mode === "remove") {
      const dir = dirs.find(parentComps, entry.name);
      if (dir !== undefined) removeExisting(`${dir}/${name}`);
      return undefined;
    }
    const abs = `${dirs.ensure(parentComps, entry.name)}/${name}`;
    removeExisting(abs);
    xattrs.delete(abs);
    return whiteouts.create(abs);
  }

  function clearLower(dir: string, rel: string): void {
    let removedDir = false;
    for (const child of readdirSync(dir, { withFileTypes: true })) {
      const childRel = rel === "" ? child.name : `${rel}/${child.name}`;
      const childAbs = `${dir}/${child.name}`;
      if (!unpacked.has(childRel)) {
        rmSync(childAbs, { recursive: true });
        removedDir ||= child.isDirectory();
      } else if (child.isDirectory()) {
        clearLower(childAbs, childRel);
      }
    }
    if (removedDir) dirs.reset();
  }

  return {
    begin(entry) {
      const comps = entryComponents(entry.name);
      // The root's own entry ("./"): the snapshot root keeps its metadata.
      if (comps.length === 0) return undefined;
      const base = comps[comps.length - 1]!;
      if (base.startsWith(whiteoutPrefix)) return whiteout(entry, comps, base);
      const abs = `${dirs.ensure(comps.slice(0, -1), entry.name)}/${base}`;
      if (mode === "remove") markUnpacked(comps);
      recordXattrs(abs, entry);
      switch (entry.type) {
        case "file": {
          const fd = retryOnExist(abs, () => openSync(abs, createFlags, 0o600));
          file = { fd, entry, batch: [], batched: 0 };
          total += entry.size;
          return undefined;
        }
        case "dir":
          try {
            mkdirSync(abs, 0o700);
          } catch (err) {
            if (!isErrno(err, "EEXIST")) throw err;
            if (!lstatSync(abs).isDirectory()) {
              removeExisting(abs);
              mkdirSync(abs, 0o700);
            }
          }
          dirs.add(comps.join("/"));
          lchownSync(abs, entry.uid, entry.gid);
          chmodSync(abs, entry.mode);
          dirTimes.set(abs, entry.mtime);
          return undefined;
        case "symlink":
          retryOnExist(abs, () => symlinkSync(entry.linkname, abs));
          lchownSync(abs, entry.uid, entry.gid);
          lutimesSync(abs, entry.mtime, entry.mtime);
          return undefined;
        case "link":
          hardlink(entry, abs);
          return undefined;
        default:
          return special(entry, abs);
      }
    },
    write(chunk) {
      if (file === undefined || chunk.length === 0) return undefined;
      file.batch.push(chunk);
      file.batched += chunk.length;
      if (file.batched < WRITE_BATCH) return undefined;
      const batch = file.batch;
      file.batch = [];
      file.batched = 0;
      if (!inPlace) return writeAll(file.fd, batch);
      writeAllSync(file.fd, batch);
      return undefined;
    },
    end() {
      if (file === undefined) return;
      const { fd, entry, batch } = file;
      file = undefined;
      try {
        writeAllSync(fd, batch);
        // chown before chmod: chown clears setuid/setgid bits.
        fchownSync(fd, entry.uid, entry.gid);
        fchmodSync(fd, entry.mode);
        futimesSync(fd, entry.mtime, entry.mtime);
      } finally {
        closeSync(fd);
      }
    },
    async finish() {
      whiteouts.close();
      // After chown: an ownership change drops security.capability.
      await setXattrs(xattrs);
      // Last, because creating anything in a directory moves its mtime.
      for (const [abs, mtime] of dirTimes) lutimesSync(abs, mtime, mtime);
    },
    close() {
      if (file !== undefined) closeSync(file.fd);
      file = undefined;
      whiteouts.close();
    },
    size: () => total,
  };
}

/** writev until every byte is written (a regular file's writev is short only on a signal or a full disk). */
function writeAllSync(fd: number, bufs: Buffer[]): void {
  while (bufs.length > 0) bufs = rest(bufs, writevSync(fd, bufs));
}

function writeAll(fd: number, bufs: Buffer[]): Promise<void> {
  return new Promise((resolveWrite, reject) => {
    const next = (left: Buffer[]): void => {
      if (left.length === 0) return resolveWrite();
      writev(fd, left, (err, written) => (err ? reject(err) : next(rest(left, written))));
    };
    next(bufs);
  });
}

/** What of `bufs` is left after `written` bytes of them. */
function rest(bufs: Buffer[], written: number): Buffer[] {
  if (written === 0) throw new Error("write to a layer file made no progress");
  let i = 0;
  while (i < bufs.length && written >= bufs[i]!.length) written -= bufs[i++]!.length;
  if (i === bufs.length) return [];
  return [bufs[i]!.subarray(written), ...bufs.slice(i + 1)];
}
