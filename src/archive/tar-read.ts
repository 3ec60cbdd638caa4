// An incremental tar parser: feed it chunks as they arrive, get entries and
// their data back synchronously, without buffering a file's content.
//
// Why not tar-stream: it decodes PAX record values as UTF-8, which corrupts
// binary `SCHILY.xattr.*` values (a `security.capability` with a byte ≥ 0x80
// comes out as U+FFFD), and its per-entry streams cost more than applying the
// layer itself. This parser keeps PAX values as bytes and hands out slices of
// the input chunks.
import { InvalidArgumentError } from "../errors.js";

export type TarEntryType = "file" | "link" | "symlink" | "char" | "block" | "dir" | "fifo";

export interface TarEntry {
  /** As written in the archive (untrusted; not yet cleaned). */
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch; fractional when a PAX record says so. */
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** From PAX `SCHILY.xattr.<name>` records, values as raw bytes. */
  xattrs: Map<string, Buffer>;
}

export type TarEvent =
  | { kind: "entry"; entry: TarEntry }
  | { kind: "data"; chunk: Buffer }
  | { kind: "entry-end" };

export interface TarReader {
  /** Parses as much of `chunk` (plus what was left over) as possible. */
  feed(chunk: Buffer): Generator<TarEvent>;
  /** Throws when the input stopped in the middle of an entry. */
  end(): void;
}

const BLOCK = 512;
const empty = Buffer.alloc(0);
// PAX and GNU long-name headers are buffered whole; a real one is a few KiB.
const MAX_META = 1 << 20;

const typeflags: Record<string, TarEntryType | "pax" | "pax-global" | "long-name" | "long-link"> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "link",
  "2": "symlink",
  "3": "char",
  "4": "block",
  "5": "dir",
  "6": "fifo",
  x: "pax",
  g: "pax-global",
  L: "long-name",
  K: "long-link",
};

type MetaKind = "pax" | "pax-global" | "long-name" | "long-link";

export function createTarReader(): TarReader {
  let pending: Buffer = empty;
  // What the next bytes are: a header, the body of the current entry (`remaining`
  // bytes, then `padding`), or a metadata record being collected.
  let state: "header" | "body" | "meta" | "done" = "header";
  let remaining = 0;
  let padding = 0;
  let meta: { kind: MetaKind; size: number; parts: Buffer[]; got: number } | undefined;
  let pax: Map<string, Buffer> | undefined;
  let paxGlobal = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;

  function* feed(input: Buffer): Generator<TarEvent> {
    const buf = pending.length > 0 ? Buffer.concat([pending, input]) : input;
    pending = empty;
    let off = 0;
    while (off < buf.length) {
      if (state === "done") return;
      if (padding > 0 && remaining === 0 && state !== "meta") {
        const skip = Math.min(padding, buf.length - off);
        padding -= skip;
        off += skip;
        continue;
      }
      if (state === "body") {
        const n = Math.min(remaining, buf.length - off);
        remaining -= n;
        yield { kind: "data", chunk: buf.subarray(off, off + n) };
        off += n;
        if (remaining === 0) {
          state = "header";
          yield { kind: "entry-end" };
        }
        continue;
      }
      if (state === "meta") {
        const m = meta!;
        const n = Math.min(m.size - m.got, buf.length - off);
        m.parts.push(buf.subarray(off, off + n));
        m.got += n;
        off += n;
        if (m.got === m.size) {
          absorbMeta(m.kind, Buffer.concat(m.parts));
          meta = undefined;
          state = "header";
        }
        continue;
      }
      if (buf.length - off < BLOCK) {
        pending = Buffer.from(buf.subarray(off));
        return;
      }
      const block = buf.subarray(off, off + BLOCK);
      off += BLOCK;
      if (isZeroBlock(block)) {
        // The end-of-archive marker; whatever follows is record padding.
        state = "done";
        return;
      }
      const ev = parseHeader(block);
      if (ev === undefined) continue;
      yield { kind: "entry", entry: ev };
      if (ev.type === "file" && ev.size > 0) {
        state = "body";
        remaining = ev.size;
        padding = pad(ev.size);
      } else {
        yield { kind: "entry-end" };
      }
    }
  }

  function parseHeader(block: Buffer): TarEntry | undefined {
    verifyChecksum(block);
    const flag = String.fromCharCode(block[156]!);
    const type = typeflags[flag];
    let name = cstring(block, 0, 100);
    if (type === undefined) {
      throw new InvalidArgumentError(`invalid layer tar: entry "${name}": unsupported tar type ${JSON.stringify(flag)}`);
    }
    const size = numeric(block, 124, 12);
    if (type === "pax" || type === "pax-global" || type === "long-name" || type === "long-link") {
      if (size > MAX_META) throw new InvalidArgumentError(`invalid layer tar: ${type} header of ${size} bytes`);
      padding = pad(size);
      if (size === 0) absorbMeta(type, empty);
      else {
        meta = { kind: type, size, parts: [], got: 0 };
        state = "meta";
      }
      return undefined;
    }
    // ustar (magic "ustar\0") splits long names into prefix/name; old GNU
    // headers use those bytes for other fields.
    if (block.toString("latin1", 257, 263) === "ustar\0") {
      const prefix = cstring(block, 345, 155);
      if (prefix !== "") name = `${prefix}/${name}`;
    }
    const records = pax === undefined && paxGlobal.size === 0 ? undefined : new Map([...paxGlobal, ...(pax ?? [])]);
    const text = (key: string): string | undefined => records?.get(key)?.toString("utf8");
    const entry: TarEntry = {
      name: longName ?? text("path") ?? name,
      type,
      mode: numeric(block, 100, 8) & 0o7777,
      uid: paxNumber(text("uid")) ?? numeric(block, 108, 8),
      gid: paxNumber(text("gid")) ?? numeric(block, 116, 8),
      size: type === "file" ? (paxNumber(text("size")) ?? size) : 0,
      mtime: paxNumber(text("mtime")) ?? numeric(block, 136, 12),
      linkname: longLink ?? text("linkpath") ?? cstring(block, 157, 100),
      devmajor: numeric(block, 329, 8),
      devminor: numeric(block, 337, 8),
      xattrs: new Map(),
    };
    for (const [key, value] of records ?? []) {
      if (key.startsWith("SCHILY.xattr.")) entry.xattrs.set(key.slice("SCHILY.xattr.".length), value);
    }
    pax = undefined;
    longName = undefined;
    longLink = undefined;
    return entry;
  }

  function absorbMeta(kind: MetaKind, data: Buffer): void {
    switch (kind) {
      case "pax":
        pax = parsePax(data);
        break;
      case "pax-global":
        paxGlobal = parsePax(data);
        break;
      case "long-name":
        longName = cstring(data, 0, data.length);
        break;
      case "long-link":
        longLink = cstring(data, 0, data.length);
        break;
    }
  }

  return {
    feed,
    end() {
      if (state === "body" || state === "meta") {
        throw new InvalidArgumentError("invalid layer tar: unexpected end of archive");
      }
    },
  };
}

const pad = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function cstring(buf: Buffer, off: number, len: number): string {
  const end = buf.indexOf(0, off);
  return buf.toString("utf8", off, end === -1 || end > off + len ? off + len : end);
}

/** An octal field, or GNU's base-256 form (high bit set) for values that don't fit. */
function numeric(buf: Buffer, off: number, len: number): number {
  if (buf[off]! & 0x80) {
    let n = buf[off]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + buf[off + i]!;
    return n;
  }
  let n = 0;
  for (let i = off; i < off + len; i++) {
    const c = buf[i]!;
    if (c === 0) break;
    if (c === 0x20) {
      if (n === 0) continue;
      break;
    }
    if (c < 0x30 || c > 0x37) throw new InvalidArgumentError("invalid layer tar: bad numeric field in header");
    n = n * 8 + (c - 0x30);
  }
  return n;
}

function verifyChecksum(block: Buffer): void {
  const want = numeric(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  if (sum !== want) throw new InvalidArgumentError("invalid layer tar: header checksum mismatch");
}

function paxNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`invalid layer tar: bad PAX number ${JSON.stringify(value)}`);
  return n;
}

/** PAX records: "<len> <key>=<value>\n", where len counts the whole record in bytes. */
function parsePax(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let off = 0;
  while (off < data.length) {
    const space = data.indexOf(0x20, off);
    const len = space === -1 ? NaN : Number(data.toString("latin1", off, space));
    if (!Number.isInteger(len) || len <= 0 || off + len > data.length) {
      throw new InvalidArgumentError("invalid layer tar: malformed PAX record");
    }
    const record = data.subarray(space + 1, off + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq === -1) throw new InvalidArgumentError("invalid layer tar: malformed PAX record");
    records.set(record.toString("utf8", 0, eq), Buffer.from(record.subarray(eq + 1)));
    off += len;
  }
  return records;
}
