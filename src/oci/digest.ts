// sha256 digests ("sha256:<64 hex>") and OCI chain IDs. Pure functions: the
// content store, the image service and the registry all address data this way.
import { createHash, type Hash } from "node:crypto";
import { InvalidArgumentError } from "../errors.js";
import type { Digest } from "./types.js";

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const HEX64_RE = /^[a-f0-9]{64}$/;

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function digestOf(data: Buffer | string): Digest {
  return `sha256:${sha256Hex(data)}`;
}

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

export function isHex64(s: string): boolean {
  return HEX64_RE.test(s);
}

/** Validates a digest with go-digest's wording, which Docker passes through unchanged. */
export function assertDigest(s: string): Digest {
  if (DIGEST_RE.test(s)) return s;
  const i = s.indexOf(":");
  if (i <= 0 || i === s.length - 1) throw new InvalidArgumentError("invalid checksum digest format");
  const algorithm = s.slice(0, i);
  if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/.test(algorithm)) {
    throw new InvalidArgumentError("invalid checksum digest format");
  }
  if (algorithm !== "sha256") throw new InvalidArgumentError("unsupported digest algorithm");
  if (s.length - i - 1 !== 64) throw new InvalidArgumentError("invalid checksum digest length");
  throw new InvalidArgumentError("invalid checksum digest format");
}

/** The hex part of a digest ("sha256:abc…" → "abc…"). */
export function digestHex(digest: Digest): string {
  return digest.startsWith("sha256:") ? digest.slice(7) : digest;
}

/** Docker's short ID: the first 12 hex characters, without the algorithm. */
export function shortId(id: string): string {
  return digestHex(id).slice(0, 12);
}

/** Hashes a stream of chunks as they pass; `digest()` once all are in. */
export interface Digester {
  update(chunk: Buffer): void;
  readonly size: number;
  digest(): Digest;
}

export function createDigester(): Digester {
  const hash: Hash = createHash("sha256");
  let size = 0;
  let done: Digest | undefined;
  return {
    update(chunk) {
      if (done) throw new Error("digester already finished");
      hash.update(chunk);
      size += chunk.length;
    },
    get size() {
      return size;
    },
    digest() {
      done ??= `sha256:${hash.digest("hex")}`;
      return done;
    },
  };
}

/** ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
export function chainIdOf(parentChainId: Digest | undefined, diffId: Digest): Digest {
  return parentChainId === undefined ? diffId : digestOf(`${parentChainId} ${diffId}`);
}

export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) out.push(chainIdOf(out[out.length - 1], diffId));
  return out;
}
