// PUT /containers/{id}/archive: a tar from the client extracted into a
// directory of the container. The archive is untrusted: it is rewritten entry
// by entry (owners set to the container's root unless copyUIDGID, dockerd's
// noOverwriteDirNonDir check, names that overlay whiteouts would mean refused,
// names cleaned into the directory as dockerd cleans them) and handed to the
// layer applier, which refuses entries that pass through a symlink.
import { lstatSync } from "node:fs";
import { Readable } from "node:stream";
import { applyLayer, whiteoutPrefix } from "../../archive/apply.js";
import { entryComponents } from "../../archive/root-path.js";
import { createTarReader, type TarEntry } from "../../archive/tar-read.js";
import { encodeHeader, padLength, tarTrailer } from "../../archive/tar-write.js";
import { ForbiddenError, InvalidArgumentError, NotFoundError, isErrno } from "../../errors.js";
import type { PutArchiveOptions } from "./container-fs-service.js";
import type { FsView } from "./fs-view.js";
import { containerPath, resolveInView } from "./resolve-in-view.js";

export async function extractInto(view: FsView, raw: string, tar: Readable, opts: PutArchiveOptions & { containerName: string }): Promise<void> {
  const dest = await resolveInView(view.mounts, `/${raw}`, { followLast: true });
  if (dest.stat === undefined) throw new NotFoundError(`Could not find the file ${raw} in container ${opts.containerName}`);
  if (!dest.stat.isDirectory()) throw new InvalidArgumentError("extraction point is not a directory");
  if (!dest.mount.rw) {
    throw new ForbiddenError(dest.mount.destination === "/" ? "container rootfs is marked read-only" : "mounted volume is marked read-only");
  }
  const shown = containerPath(dest.components);
  const rename = (name: string): string => insideDestination(name, shown);
  await applyLayer(dest.host, Readable.from(rewrite(tar, { ...opts, root: dest.host, shown, rename }), { objectMode: false }), { whiteouts: "remove" });
}

/**
 * An entry's name relative to the destination, cleaned as dockerd cleans it:
 * joined to the destination with ".." stopping at the container's root (its
 * chroot), so "../../tmp/x" extracted into /tmp is /tmp/x and "/x" is
 * /tmp/x; only a name that then lands outside the destination is refused,
 * in dockerd's words.
 */
function insideDestination(name: string, shown: string): string {
  const dest = shown.split("/").filter(Boolean);
  const comps = [...dest];
  for (const part of name.split("/")) {
    if (part === "..") comps.pop();
    else if (part !== "" && part !== ".") comps.push(part);
  }
  if (comps.length < dest.length || dest.some((c, i) => comps[i] !== c)) {
    throw new InvalidArgumentError(`Error processing tar file(exit status 1): ${JSON.stringify(name)} is outside of ${JSON.stringify(shown)}`);
  }
  return comps.slice(dest.length).join("/") || ".";
}

/** The client's tar, re-encoded with the owners and checks dockerd applies. */
export function rewrite(
  tar: Readable,
  opts: PutArchiveOptions & { root: string; shown: string; owner?: { uid: number; gid: number }; rename?: (name: string) => string },
): AsyncGenerator<Buffer> {
  return (async function* () {
    const reader = createTarReader();
    let pad = 0;
    for await (const chunk of tar as AsyncIterable<Buffer>) {
      for (const ev of reader.feed(chunk)) {
        if (ev.kind === "data") yield ev.chunk;
        else if (ev.kind === "entry-end") {
          if (pad > 0) yield Buffer.alloc(pad);
          pad = 0;
        } else {
          const e = ev.entry;
          const entry = opts.rename ? { ...e, name: opts.rename(e.name), linkname: e.type === "link" ? opts.rename(e.linkname) : e.linkname } : e;
          check(entry, opts);
          const owner = opts.copyUIDGID ? {} : (opts.owner ?? { uid: 0, gid: 0 });
          yield encodeHeader({ ...entry, ...owner, linkname: entry.linkname || undefined });
          pad = entry.type === "file" ? padLength(entry.size) : 0;
        }
      }
    }
    reader.end();
    yield tarTrailer;
  })();
}

function check(entry: TarEntry, opts: { noOverwriteDirNonDir: boolean; root: string; shown: string }): void {
  const comps = entryComponents(entry.name);
  const base = comps[comps.length - 1];
  // The applier would read these as deletions: a copied file must never delete anything.
  if (base?.startsWith(whiteoutPrefix)) throw new InvalidArgumentError(`cannot copy ${JSON.stringify(entry.name)}: names starting with ${whiteoutPrefix} are reserved`);
  if (!opts.noOverwriteDirNonDir || comps.length === 0) return;
  const existing = lstatInside(opts.root, comps);
  if (existing === undefined) return;
  const where = `${opts.shown === "/" ? "" : opts.shown}/${comps.join("/")}`;
  if (existing === "dir" && entry.type !== "dir") throw new InvalidArgumentError(`cannot overwrite directory ${JSON.stringify(where)} with non-directory ${JSON.stringify(opts.shown)}`);
  if (existing === "other" && entry.type === "dir") throw new InvalidArgumentError(`cannot overwrite non-directory ${JSON.stringify(where)} with directory ${JSON.stringify(opts.shown)}`);
}

/** What is at root/comps, looking through real directories only (a symlink on the way: the applier refuses it later). */
function lstatInside(root: string, comps: string[]): "dir" | "other" | undefined {
  let host = root;
  for (let i = 0; i < comps.length; i++) {
    host = `${host}/${comps[i]}`;
    let st;
    try {
      st = lstatSync(host);
    } catch (err) {
      if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return undefined;
      throw err;
    }
    if (i === comps.length - 1) return st.isDirectory() ? "dir" : "other";
    if (!st.isDirectory()) return undefined;
  }
  return undefined;
}
