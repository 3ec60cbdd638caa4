// Signed bearer tokens (JWT, as the Docker token auth spec describes them):
// the token endpoint signs one per request with the server's key, the registry
// side verifies the signature, issuer, audience, validity window and the access
// claims. ES256 (P-256) or EdDSA (Ed25519) via node:crypto; the key is made at
// start or read from --token-key (PEM). The `kid` header is the libtrust key ID
// distribution computes: the SHA-256 of the DER public key, first 240 bits,
// base32, in colon-separated groups of four.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "../../../errors.js";

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: AccessEntry[];
}

export interface TokenSigner {
  readonly alg: "ES256" | "EdDSA";
  readonly kid: string;
  sign(claims: TokenClaims): string;
  /** The claims of a token this signer made, or undefined when it is not valid now for `audience`. */
  verify(token: string, opts: { audience: string; issuer: string; now?: number }): TokenClaims | undefined;
}

/** Seconds of clock skew tolerated on exp and nbf, as distribution allows. */
const LEEWAY_S = 60;

export async function loadTokenSigner(file?: string): Promise<TokenSigner> {
  const key = file ? createPrivateKey(await readFile(file)) : generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  return tokenSigner(key);
}

export function tokenSigner(privateKey: KeyObject): TokenSigner {
  const publicKey = createPublicKey(privateKey);
  const alg = algorithmOf(privateKey);
  const kid = libtrustKeyId(publicKey);
  // ES256 signatures in JWS are r||s (IEEE P1363), not DER.
  const sigOpts = alg === "ES256" ? { dsaEncoding: "ieee-p1363" as const } : {};
  const hashAlg = alg === "ES256" ? "sha256" : null;
  return {
    alg,
    kid,
    sign(claims) {
      const input = `${b64url(JSON.stringify({ typ: "JWT", alg, kid }))}.${b64url(JSON.stringify(claims))}`;
      return `${input}.${b64url(sign(hashAlg, Buffer.from(input), { key: privateKey, ...sigOpts }))}`;
    },
    verify(token, { audience, issuer, now = Math.floor(Date.now() / 1000) }) {
      const parts = token.split(".");
      if (parts.length !== 3) return undefined;
      const [h, p, s] = parts as [string, string, string];
      const header = parseJson(h) as { alg?: string } | undefined;
      if (header?.alg !== alg) return undefined;
      if (!verify(hashAlg, Buffer.from(`${h}.${p}`), { key: publicKey, ...sigOpts }, Buffer.from(s, "base64url"))) return undefined;
      const claims = parseJson(p) as TokenClaims | undefined;
      if (!claims || claims.iss !== issuer) return undefined;
      const aud = claims.aud as string | string[];
      if (!(Array.isArray(aud) ? aud.includes(audience) : aud === audience)) return undefined;
      if (typeof claims.exp !== "number" || claims.exp + LEEWAY_S < now) return undefined;
      if (typeof claims.nbf === "number" && claims.nbf - LEEWAY_S > now) return undefined;
      if (!Array.isArray(claims.access)) return undefined;
      return claims;
    },
  };
}

export function newClaims(opts: { issuer: string; subject: string; audience: string; access: AccessEntry[]; ttlSeconds: number; now?: number }): TokenClaims {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  return {
    iss: opts.issuer,
    sub: opts.subject,
    aud: opts.audience,
    exp: now + opts.ttlSeconds,
    nbf: now,
    iat: now,
    jti: randomBytes(16).toString("hex"),
    access: opts.access,
  };
}

function algorithmOf(key: KeyObject): "ES256" | "EdDSA" {
  if (key.asymmetricKeyType === "ed25519") return "EdDSA";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  throw new InvalidArgumentError("token key must be an EC P-256 or Ed25519 private key (PEM)");
}

export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  const b32 = base32(createHash("sha256").update(der).digest().subarray(0, 30));
  return b32.match(/.{4}/g)!.join(":");
}

function base32(bytes: Buffer): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}
