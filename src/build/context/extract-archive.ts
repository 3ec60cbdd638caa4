// ADD of a local archive: its entries re-based under the destination, as
// layer tar entries. The archive is untrusted:
//   - a name that is absolute or climbs out ("../x", "a/../../x") is refused,
//     naming the entry, as is a name that passes through a symlink the same
//     archive placed (the classic "link -> /etc, then link/passwd" breakout);
//   - a hard link's target is confined the same way;
//   - names starting with ".wh." are skipped: in a layer they would be
//     whiteouts deleting files of the image, and no layer can carry a real
//     file of that name (dockerd writes them and the next commit turns them
//     into whiteouts, which is worse).
// Owners, modes, mtimes and xattrs come from the archive.
import type { Readable } from "node:stream";
import { createTarReader, type TarEntry } from "../../archive/tar-read.js";
import { encodeHeader, padLength } from "../../archive/tar-write.js";
import { InvalidArgumentError } from "../../errors.js";
import { sniffArchive } from "./sniff-archive.js";

export async function* extractArchive(source: Readable, opts: { dest: string; source: string }): AsyncGenerator<Buffer> {
  const { stream } = await sniffArchive(source);
  const reader = createTarReader();
  const links = new Set<string>();
  const refuse = (entry: TarEntry, why: string): InvalidArgumentError =>
    new InvalidArgumentError(`ADD ${opts.source}: archive entry ${JSON.stringify(entry.name)} ${why}`);

  function confine(entry: TarEntry, name: string): string {
    if (name.startsWith("/")) throw refuse(entry, "is an absolute path");
    const out: string[] = [];
    for (const part of name.split("/")) {
      if (part === "" || part === ".") continue;
      if (part !== "..") out.push(part);
      else if (out.pop() === undefined) throw refuse(entry, "is outside the destination");
    }
    for (let k = 1; k < out.length; k++) {
      if (links.has(out.slice(0, k).join("/"))) throw refuse(entry, "passes through a symlink in the archive");
    }
    return out.join("/");
  }
  const rebase = (rel: string): string => (opts.dest === "" ? rel : rel === "" ? opts.dest : `${opts.dest}/${rel}`);

  let skipping = false;
  let pad = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const ev of reader.feed(chunk)) {
        if (ev.kind === "data") {
          if (!skipping) yield ev.chunk;
          continue;
        }
        if (ev.kind === "entry-end") {
          if (!skipping && pad > 0) yield Buffer.alloc(pad);
          skipping = false;
          pad = 0;
          continue;
        }
        const entry = ev.entry;
        const rel = confine(entry, entry.name);
        const base = rel.slice(rel.lastIndexOf("/") + 1);
        // The archive's own root: the destination directory is already in the layer.
        if (rel === "" || base.startsWith(".wh.")) {
          skipping = true;
          continue;
        }
        if (entry.type === "symlink") links.add(rel);
        else links.delete(rel);
        const linkname = entry.type === "link" ? rebase(confine(entry, entry.linkname)) : entry.linkname;
        const name = rebase(rel);
        yield encodeHeader({ ...entry, name: entry.type === "dir" ? `${name}/` : name, linkname, mtime: Math.floor(entry.mtime) });
        pad = padLength(entry.size);
      }
    }
    reader.end();
  } finally {
    stream.destroy();
  }
}
