// Is a byte stream a tar archive, and how is it compressed? Used for the
// build context body and for ADD's local archives. The content decides, never
// a name: gzip (Node's zlib), bzip2 and xz (the `bzip2` and `xz` programs,
// both in Debian's base system: Node 20 has neither), or a plain tar when the
// first 512 bytes are a tar header with a valid checksum, which is what
// Docker's IsArchive checks.
import { spawn } from "node:child_process";
import { PassThrough, Readable } from "node:stream";
import zlib from "node:zlib";
import { InvalidArgumentError, NotImplementedError } from "../../errors.js";
import { detectCompression, type Compression } from "../../image/decompress.js";
import { peek } from "../../archive/peek.js";

export interface SniffedStream {
  compression: Compression;
  /** The first 512 bytes (fewer at the end) of the uncompressed data form a tar header. */
  isTar: boolean;
  /** The uncompressed data from its first byte. */
  stream: Readable;
}

export async function sniffArchive(source: Readable): Promise<SniffedStream> {
  const raw = await peek(source, 6);
  const compression = detectCompression(raw.head);
  if (compression === "none") {
    const plain = await peek(raw.rest, 512);
    return { compression, isTar: isTarHeader(plain.head), stream: plain.rest };
  }
  const inflated = await peek(decompressor(compression, raw.rest), 512);
  return { compression, isTar: isTarHeader(inflated.head), stream: inflated.rest };
}

function decompressor(compression: Exclude<Compression, "none">, input: Readable): Readable {
  if (compression === "gzip") {
    const gunzip = zlib.createGunzip();
    input.on("error", (err) => gunzip.destroy(err));
    gunzip.on("close", () => input.destroy());
    return input.pipe(gunzip);
  }
  if (compression === "zstd") {
    input.destroy();
    throw new NotImplementedError("zstd-compressed data is not supported: decompress it first");
  }
  return filter(compression === "bzip2" ? "bzip2" : "xz", input);
}

/** `cmd -dc` as a stream: its output ends only after it exited 0, so a truncated input is an error, not a short file. */
function filter(cmd: string, input: Readable): Readable {
  const child = spawn(cmd, ["-dc"], { stdio: ["pipe", "pipe", "pipe"] });
  const out = new PassThrough();
  const stderr: Buffer[] = [];
  child.stderr.on("data", (b: Buffer) => stderr.push(b));
  child.stdout.pipe(out, { end: false });
  child.stdin.on("error", () => {}); // an early exit closes stdin; "close" reports why
  input.on("error", (err) => {
    out.destroy(err);
    child.kill();
  });
  input.pipe(child.stdin);
  child.on("error", (err) => out.destroy(new InvalidArgumentError(`${cmd}: ${err.message}`)));
  child.on("close", (code, signal) => {
    if (code === 0) out.end();
    else {
      const why = Buffer.concat(stderr).toString("utf8").trim() || `exit ${code ?? signal}`;
      out.destroy(new InvalidArgumentError(`${cmd}-compressed data: ${why}`));
    }
  });
  out.on("close", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    input.destroy();
  });
  return out;
}

/** A tar header: not all zeros, and its checksum field matches its bytes. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  let sum = 0;
  let zero = true;
  for (let i = 0; i < 512; i++) {
    const b = block[i]!;
    if (b !== 0) zero = false;
    sum += i >= 148 && i < 156 ? 0x20 : b;
  }
  if (zero) return false;
  const field = block.toString("latin1", 148, 156).replace(/[\0 ]+$/, "").trim();
  return /^[0-7]+$/.test(field) && parseInt(field, 8) === sum;
}
