// Writing tar entries: ustar headers, with a PAX record in front when a field
// does not fit (long or non-ASCII names, big numbers) or xattrs ride along.
// PAX values are written as raw bytes, so binary xattrs survive (see tar-read.ts).
import { constants as fsc, type BigIntStats } from "node:fs";
import { open } from "node:fs/promises";
import type { TarEntryType } from "./tar-read.js";

export interface TarHeader {
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  /** Content bytes; only files have any. */
  size: number;
  /** Whole seconds. */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Map<string, Buffer>;
}

const BLOCK = 512;
/** Two zero blocks end an archive. */
export const tarTrailer = Buffer.alloc(2 * BLOCK);

const typeflag: Record<TarEntryType, string> = {
  file: "0",
  link: "1",
  symlink: "2",
  char: "3",
  block: "4",
  dir: "5",
  fifo: "6",
};

const isAscii = (s: string): boolean => /^[\x01-\x7f]*$/.test(s);

export function encodeHeader(h: TarHeader): Buffer {
  const pax: Array<[string, Buffer]> = [];
  const split = isAscii(h.name) ? splitName(h.name) : undefined;
  if (split === undefined) pax.push(["path", Buffer.from(h.name)]);
  const linkname = h.linkname ?? "";
  if (!isAscii(linkname) || linkname.length > 100) pax.push(["linkpath", Buffer.from(linkname)]);
  for (const [key, value, width] of [["size", h.size, 12], ["uid", h.uid, 8], ["gid", h.gid, 8]] as const) {
    if (value >= 8 ** (width - 1)) pax.push([key, Buffer.from(String(value))]);
  }
  for (const [name, value] of h.xattrs ?? []) pax.push([`SCHILY.xattr.${name}`, value]);

  const main = ustar({
    ...h,
    name: split?.name ?? asciiTail(h.name, 100),
    prefix: split?.prefix ?? "",
    linkname: isAscii(linkname) && linkname.length <= 100 ? linkname : asciiTail(linkname, 100),
  });
  if (pax.length === 0) return main;
  const body = paxBody(pax);
  const paxHeader = ustar({
    name: asciiTail(`PaxHeaders/${h.name.split("/").filter(Boolean).pop() ?? ""}`, 100),
    prefix: "",
    type: "x",
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: body.length,
    mtime: h.mtime,
  });
  return Buffer.concat([paxHeader, body, Buffer.alloc(padLength(body.length)), main]);
}

export const padLength = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * A file's content as tar data: exactly `size` bytes (zero-filled if it shrank
 * meanwhile), then padding. Opened without following a symlink someone put in
 * its place since it was looked at (a running container can).
 */
export async function* fileData(path: string, size: number): AsyncGenerator<Buffer> {
  const fh = await open(path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(left, 1 << 16));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) {
        yield Buffer.alloc(left);
        break;
      }
      left -= bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
  const pad = padLength(size);
  if (pad > 0) yield Buffer.alloc(pad);
}

/** ustar splits a name longer than 100 bytes at a slash into prefix (≤ 155) and name (≤ 100). */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (name.length <= 100) return { prefix: "", name };
  for (let i = name.indexOf("/"); i !== -1; i = name.indexOf("/", i + 1)) {
    if (i > 155) break;
    if (name.length - i - 1 <= 100 && i > 0) return { prefix: name.slice(0, i), name: name.slice(i + 1) };
  }
  return undefined;
}

/** A stand-in for readers that ignore PAX: the last `max` ASCII-safe bytes. */
function asciiTail(s: string, max: number): string {
  return s.replace(/[^\x20-\x7e]/g, "_").slice(-max);
}

function paxBody(records: Array<[string, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of records) {
    // "<len> key=value\n" where len counts itself: grow until it is stable.
    const rest = Buffer.byteLength(key) + value.length + 3;
    let len = rest + String(rest).length;
    if (String(len).length + rest !== len) len = rest + String(len).length;
    parts.push(Buffer.from(`${len} ${key}=`), value, Buffer.from("\n"));
  }
  return Buffer.concat(parts);
}

function ustar(h: {
  name: string;
  prefix: string;
  type: TarEntryType | "x";
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, "utf8");
  octal(b, 100, 8, h.mode & 0o7777);
  octal(b, 108, 8, h.uid);
  octal(b, 116, 8, h.gid);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, Math.max(0, Math.floor(h.mtime)));
  b.write(h.type === "x" ? "x" : typeflag[h.type], 156, "latin1");
  b.write(h.linkname ?? "", 157, 100, "utf8");
  b.write("ustar\x0000", 257, "latin1");
  if (h.type === "char" || h.type === "block") {
    octal(b, 329, 8, h.devmajor ?? 0);
    octal(b, 337, 8, h.devminor ?? 0);
  }
  b.write(h.prefix, 345, 155, "utf8");
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return b;
}

/** Octal, zero-padded, NUL-terminated; a value too large for the field was moved to PAX and reads as 0 here. */
function octal(b: Buffer, off: number, width: number, value: number): void {
  const v = value < 8 ** (width - 1) ? value : 0;
  b.write(`${v.toString(8).padStart(width - 1, "0")}\0`, off, "latin1");
}

/** The tar entry type of an lstat result; undefined for sockets, which tar leaves out. */
export function tarEntryType(st: BigIntStats): TarEntryType | undefined {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isCharacterDevice()) return "char";
  if (st.isBlockDevice()) return "block";
  if (st.isFIFO()) return "fifo";
  return undefined;
}
