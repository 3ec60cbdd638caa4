// Tars for the build-context tests, written with the repo's own tar writer,
// and a reader that lists a tar's entries with their contents.
import { Readable } from "node:stream";
import { createTarReader, type TarEntry, type TarEntryType } from "../../src/archive/tar-read.js";
import { encodeHeader, padLength, tarTrailer } from "../../src/archive/tar-write.js";

export interface FixtureEntry {
  name: string;
  type?: TarEntryType;
  body?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
}

export function makeTar(entries: FixtureEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.body === "string" ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    const type = e.type ?? "file";
    parts.push(
      encodeHeader({
        name: e.name,
        type,
        mode: e.mode ?? (type === "dir" ? 0o755 : 0o644),
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        size: type === "file" ? body.length : 0,
        mtime: e.mtime ?? 1_600_000_000,
        linkname: e.linkname,
      }),
    );
    if (type === "file") parts.push(body, Buffer.alloc(padLength(body.length)));
  }
  parts.push(tarTrailer);
  return Buffer.concat(parts);
}

export interface ListedEntry extends TarEntry {
  body: string;
}

export async function listTar(stream: Readable | Buffer): Promise<ListedEntry[]> {
  const reader = createTarReader();
  const out: ListedEntry[] = [];
  let cur: { entry: TarEntry; parts: Buffer[] } | undefined;
  const source = Buffer.isBuffer(stream) ? [stream] : (stream as AsyncIterable<Buffer>);
  for await (const chunk of source) {
    for (const ev of reader.feed(chunk)) {
      if (ev.kind === "entry") cur = { entry: ev.entry, parts: [] };
      else if (ev.kind === "data") cur!.parts.push(Buffer.from(ev.chunk));
      else {
        out.push({ ...cur!.entry, body: Buffer.concat(cur!.parts).toString("utf8") });
        cur = undefined;
      }
    }
  }
  reader.end();
  return out;
}

export const bufferStream = (b: Buffer): Readable => Readable.from([b]);

/** `name type mode uid:gid [-> link] [=body]` lines: compact, readable assertions. */
export const describeEntries = (entries: ListedEntry[]): string[] =>
  entries.map(
    (e) =>
      `${e.name} ${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid}${e.linkname ? ` -> ${e.linkname}` : ""}${e.type === "file" && e.body ? ` =${e.body}` : ""}`,
  );
