// Validation of what a request names: repositories, tags and digests, with the
// distribution spec's grammar. Everything here is untrusted path material, so a
// name that passes can be joined under the storage root safely (no "..", no
// leading "/", no empty components).
import { RegistryError } from "./errors.js";

const COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isRepositoryName(name: string): boolean {
  return name.length <= 255 && NAME_RE.test(name);
}

export function checkName(name: string): string {
  if (!isRepositoryName(name)) throw new RegistryError("NAME_INVALID", { name });
  return name;
}

export function isTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isDigestRef(ref: string): boolean {
  return DIGEST_RE.test(ref);
}

/** A digest we can store: sha256 only (the only algorithm berth hashes with). */
export function checkDigest(digest: string | undefined): string {
  if (digest === undefined || !DIGEST_RE.test(digest)) {
    throw new RegistryError("DIGEST_INVALID", { digest }, { message: "invalid digest" });
  }
  return digest;
}

/** A manifest reference: a digest when it has an algorithm prefix, else a tag. */
export function checkReference(ref: string): { tag: string } | { digest: string } {
  if (ref.includes(":")) return { digest: checkDigest(ref) };
  if (!isTag(ref)) throw new RegistryError("TAG_INVALID", { tag: ref }, { message: "invalid tag" });
  return { tag: ref };
}
