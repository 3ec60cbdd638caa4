// The query strings of pull (POST /images/create?fromImage=) and push
// (POST /images/{name}/push), read as dockerd reads them: the name and a
// separate tag that may hold a digest; no tag at all means every tag.
import { ForbiddenError, InvalidArgumentError } from "../../../errors.js";
import { assertDigest, isDigest } from "../../../oci/digest.js";
import { familiarName, isValidTag, parseNormalizedNamed, referenceString, type Reference } from "../../../oci/reference.js";

export interface Target {
  /** Fully qualified: "docker.io/library/busybox:latest", or without tag and digest for every tag. */
  reference: string;
  allTags: boolean;
}

function withTag(ref: Reference, tag: string): Reference {
  if (!isValidTag(tag)) throw new InvalidArgumentError("invalid tag format");
  return { ...ref, tag };
}

function target(ref: Reference): Target {
  return { reference: referenceString(ref), allTags: ref.tag === undefined && ref.digest === undefined };
}

/** fromImage + tag. `docker pull -a` may send the name with a trailing ":". */
export function pullTarget(fromImage: string, tag: string | null): Target {
  let ref = parseNormalizedNamed(fromImage.replace(/:$/, ""));
  if (tag) {
    // A "tag" that parses as a digest pins the image; anything else is a tag.
    ref = isDigest(tag) ? { domain: ref.domain, path: ref.path, digest: assertDigest(tag) } : withTag(ref, tag);
  }
  if (familiarName(ref) === "scratch") throw new ForbiddenError("'scratch' is a reserved name");
  return target(ref);
}

/** {name} + tag; without a tag the name's own tag, else every tag. */
export function pushTarget(name: string, tag: string | null): Target {
  const ref = parseNormalizedNamed(name);
  if (ref.digest !== undefined) throw new InvalidArgumentError(tag ? "cannot import digest reference" : "cannot push a digest reference");
  return target(tag ? withTag(ref, tag) : ref);
}

/**
 * "os[/arch[/variant]]", checked for shape with containerd's wording; which
 * platforms exist is the image's business, decided when the manifest is read.
 */
export function checkPlatform(platform: string): void {
  const parts = platform.split("/");
  for (const part of parts) {
    if (!/^[A-Za-z0-9_-]+$/.test(part)) {
      throw new InvalidArgumentError(`"${part}" is an invalid component of "${platform}": platform specifier component must match "^[A-Za-z0-9_-]+$": invalid argument`);
    }
  }
  if (parts.length > 3) throw new InvalidArgumentError(`"${platform}": cannot parse platform specifier: invalid argument`);
}
