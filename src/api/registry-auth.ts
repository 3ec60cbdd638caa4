// Registry credentials as they cross the API: the X-Registry-Auth header of
// pull and push (base64url of a JSON AuthConfig) and the body of POST /auth.
// The daemon decodes here; the client encodes (client/images.ts) the type
// defined here.
//
// dockerd reads the header leniently — a pull or push with a header it cannot
// decode goes on without credentials — so decoding reports malformed input
// with moby's wording and leaves the choice to the handler.
import { InvalidArgumentError } from "../errors.js";
import type { Credentials } from "../registry/registry.js";
import type { definitions } from "./types/engine.js";
import { goTypeName } from "./body.js";

/** Docker's AuthConfig as JSON: the spec's fields plus the tokens and the legacy "auth". */
export type RegistryAuthConfig = definitions["AuthConfig"] & {
  /** base64("user:pass"), as config.json stores it. */
  auth?: string;
  identitytoken?: string;
  registrytoken?: string;
};

const FIELDS = ["username", "password", "auth", "email", "serveraddress", "identitytoken", "registrytoken"] as const;

function invalid(reason: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid X-Registry-Auth header: ${reason}`);
}

/**
 * Decodes a header value. Empty means no credentials. The standard base64
 * alphabet and missing padding are accepted too: clients such as dockerode
 * and docker-py have sent both, and the bytes are unambiguous.
 */
export function decodeRegistryAuth(header: string | undefined): RegistryAuthConfig {
  if (header === undefined || header === "") return {};
  const text = header.trim();
  if (!/^[A-Za-z0-9_+/-]*={0,2}$/.test(text) || text.replace(/=+$/, "").length % 4 === 1) {
    throw invalid("must be a valid base64url-encoded string");
  }
  return parseAuthJson(Buffer.from(text.replace(/\+/g, "-").replace(/\//g, "_"), "base64url").toString("utf8"));
}

/** The JSON of an AuthConfig (the decoded header, or an old client's push body). */
export function parseAuthJson(text: string): RegistryAuthConfig {
  if (text.trim() === "") throw invalid("EOF");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw invalid(`invalid JSON: ${err.message}`);
  }
  try {
    return authConfigOf(value);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    throw invalid(`invalid JSON: ${err.message}`);
  }
}

/** Picks an AuthConfig's fields out of parsed JSON, refusing values that are not strings as Go's decoder does. */
export function authConfigOf(value: unknown): RegistryAuthConfig {
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidArgumentError(`json: cannot unmarshal ${goTypeName(value)} into Go value of type registry.AuthConfig`);
  }
  const config: RegistryAuthConfig = {};
  for (const key of FIELDS) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string") throw new InvalidArgumentError(`json: cannot unmarshal ${goTypeName(v)} into Go struct field AuthConfig.${key} of type string`);
    config[key] = v;
  }
  return config;
}

/**
 * What the registry client needs from an AuthConfig, or undefined when it
 * carries nothing. A bare "auth" (base64 "user:pass", as copied from a
 * config.json) stands in for a missing username and password.
 */
export function toCredentials(config: RegistryAuthConfig): Credentials | undefined {
  let { username, password } = config;
  if (!username && !password && config.auth) {
    const plain = Buffer.from(config.auth, "base64").toString("utf8");
    const colon = plain.indexOf(":");
    if (colon > 0) {
      username = plain.slice(0, colon);
      password = plain.slice(colon + 1).replace(/\0+$/, "");
    }
  }
  const creds: Credentials = {};
  if (username) creds.username = username;
  if (password) creds.password = password;
  if (config.identitytoken) creds.identityToken = config.identitytoken;
  if (config.registrytoken) creds.registryToken = config.registrytoken;
  return Object.keys(creds).length > 0 ? creds : undefined;
}
