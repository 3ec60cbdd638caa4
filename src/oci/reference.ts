// Image references, parsed and normalised the way Docker does
// (github.com/distribution/reference semantics):
//   busybox                 → docker.io/library/busybox:latest
//   user/app                → docker.io/user/app:latest
//   localhost:5000/x:1      → localhost:5000/x:1
//   my.reg:5000/a/b@sha256:… (a tag and a digest may both be given)
// and shown in their "familiar" form (busybox:latest, localhost:5000/x:1).
import { InvalidArgumentError } from "../errors.js";
import { assertDigest, isHex64 } from "./digest.js";
import type { Digest } from "./types.js";

export const DEFAULT_DOMAIN = "docker.io";
const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
const OFFICIAL_REPO_PREFIX = "library/";
const NAME_TOTAL_LENGTH_MAX = 255;

const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const namePattern = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const tagPattern = "[\\w][\\w.-]{0,127}";
const digestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

const REFERENCE_RE = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${pathComponent}(?:/${pathComponent})*)$`);
const TAG_RE = new RegExp(`^${tagPattern}$`);

/** A parsed, normalised reference. `domain/path` is the repository name. */
export interface Reference {
  domain: string;
  path: string;
  tag?: string;
  digest?: Digest;
}

/** Strict parse of an already fully-qualified reference ("docker.io/library/busybox:1"). */
export function parseReference(s: string): Reference {
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    if (s === "") throw new InvalidArgumentError("invalid reference format: repository name must have at least one component");
    if (REFERENCE_RE.test(s.toLowerCase())) {
      throw new InvalidArgumentError("invalid reference format: repository name must be lowercase");
    }
    throw new InvalidArgumentError("invalid reference format");
  }
  const [, name, tag, digest] = m as unknown as [string, string, string | undefined, string | undefined];
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw new InvalidArgumentError(
      `invalid reference format: repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`,
    );
  }
  const nm = NAME_RE.exec(name)!;
  const ref: Reference = { domain: nm[1] ?? "", path: nm[2]! };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = assertDigest(digest);
  return ref;
}

/** What `docker pull NAME` accepts: short names get docker.io and library/ added. */
export function parseNormalizedNamed(s: string): Reference {
  if (isHex64(s)) {
    throw new InvalidArgumentError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  const tagSep = remainder.indexOf(":");
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new InvalidArgumentError(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parseReference(`${domain}/${remainder}`);
}

function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf("/");
  let domain: string;
  let remainder: string;
  const first = i === -1 ? "" : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes("/")) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return [domain, remainder];
}

/** Adds ":latest" when neither tag nor digest is given (docker's TagNameOnly). */
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: "latest" } : ref;
}

/** Parses a name as `docker pull` does: normalised, ":latest" added, and a tag dropped when a digest pins it. */
export function parseDockerRef(s: string): Reference {
  const ref = withDefaultTag(parseNormalizedNamed(s));
  return ref.digest !== undefined ? { domain: ref.domain, path: ref.path, digest: ref.digest } : ref;
}

export function repositoryName(ref: Reference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

export function referenceString(ref: Reference): string {
  return repositoryName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : "") + (ref.digest ? `@${ref.digest}` : "");
}

/** The short name users type: docker.io and library/ dropped. */
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  const p = ref.path;
  if (p.startsWith(OFFICIAL_REPO_PREFIX) && !p.slice(OFFICIAL_REPO_PREFIX.length).includes("/")) {
    return p.slice(OFFICIAL_REPO_PREFIX.length);
  }
  return p;
}

export function familiarString(ref: Reference): string {
  return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : "") + (ref.digest ? `@${ref.digest}` : "");
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/**
 * docker's ParseAnyReference: a bare 64-hex string or "sha256:<64 hex>" is an
 * image ID; anything else is a (normalised) name.
 */
export type AnyReference = { kind: "id"; id: Digest } | { kind: "named"; ref: Reference };

export function parseAnyReference(s: string): AnyReference {
  if (isHex64(s)) return { kind: "id", id: `sha256:${s}` };
  if (/^sha256:[a-f0-9]{64}$/.test(s)) return { kind: "id", id: s };
  return { kind: "named", ref: parseNormalizedNamed(s) };
}

/** True when s could be a (short or full) image ID: hex, optionally after "sha256:". */
export function looksLikeImageId(s: string): boolean {
  return /^(?:sha256:)?[a-f0-9]{1,64}$/.test(s);
}

/** docker's FamiliarMatch: a path.Match glob against the familiar string, or else the familiar name. */
export function familiarMatch(pattern: string, ref: Reference): boolean {
  const re = globToRegExp(pattern);
  return re.test(familiarString(ref)) || re.test(familiarName(ref));
}

/** Go's path.Match syntax: * and ? stop at "/", [classes] with ^ negation, \ escapes. */
export function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "\\") {
      i++;
      if (i >= pattern.length) throw new InvalidArgumentError("syntax error in pattern");
      out += escapeRegExp(pattern[i]!);
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end === -1) throw new InvalidArgumentError("syntax error in pattern");
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith("^");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^/" : ""}${body.replace(/[\]\[\\]/g, (x) => `\\${x}`)}]`;
      i = end;
    } else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
