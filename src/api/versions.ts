// API version negotiation, and every difference between API versions that the
// edge knows about. Handlers ask this file instead of comparing versions
// themselves, so the shims stay listed in one place.
import { InvalidArgumentError } from "../errors.js";
import { compareVersions } from "../oci/versions.js";
import type { ImageInspect, SystemVersion } from "./types/index.js";

export const API_VERSION = "1.45";
export const MIN_API_VERSION = "1.24";

export { compareVersions };

export function versionAtLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}

const PREFIX = /^\/v([0-9.]+)(\/.*)$/;

/**
 * Splits an optional "/v1.XX" prefix off a path and checks the version. A
 * request without a prefix speaks the newest version, as with dockerd.
 */
export function negotiateVersion(path: string): { version: string; path: string } {
  const m = PREFIX.exec(path);
  if (!m) return { version: API_VERSION, path };
  const version = m[1];
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw new InvalidArgumentError(
      `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  if (compareVersions(version, API_VERSION) > 0) {
    throw new InvalidArgumentError(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  return { version, path: m[2] };
}

/** Headers dockerd puts on every response; clients read Api-Version and Ostype from /_ping. */
export function standardHeaders(serverVersion: string): Record<string, string> {
  return {
    "Api-Version": API_VERSION,
    "Docker-Experimental": "false",
    Ostype: "linux",
    Server: `Berth/${serverVersion} (linux)`,
  };
}

// ---- response shims ----

/** GET /version reports the range this edge negotiates, whatever the backend says. */
export function withApiVersions(v: SystemVersion): SystemVersion {
  return { ...v, ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION };
}

/**
 * GET /images/{name}/json: dockerd sent `ContainerConfig` until API 1.45
 * dropped it. berth keeps sending it at every version, because
 * docker-compose 1.29 negotiates the newest version and still reads
 * `ContainerConfig.Volumes` to carry an image's volumes over when it recreates
 * a container (a KeyError otherwise). The image's own config stands in for the
 * config of the container that made it: the part compose reads is the same.
 */
export function withLegacyImageFields(image: ImageInspect): ImageInspect & { ContainerConfig: ImageInspect["Config"] } {
  const { Id, RepoTags, RepoDigests, Parent, Comment, Created, ...rest } = image;
  // dockerd's field order, so `docker image inspect` reads as it does against dockerd.
  return { Id, RepoTags, RepoDigests, Parent, Comment, Created, ContainerConfig: image.Config, ...rest };
}

/**
 * Attach, exec and logs streams: API 1.42 introduced a distinct media type for
 * the multiplexed (stdcopy) framing; older clients expect raw-stream for both.
 */
export function streamContentType(version: string, tty: boolean): string {
  return !tty && versionAtLeast(version, "1.42")
    ? "application/vnd.docker.multiplexed-stream"
    : "application/vnd.docker.raw-stream";
}

/**
 * POST /containers/{id}/wait: since 1.30 the 200 goes out at once and the body
 * when the wait ends (the CLI's attach → start → wait relies on it); before,
 * the whole response waited, so an error could still change the status.
 */
export function waitSendsHeadersEarly(version: string): boolean {
  return versionAtLeast(version, "1.30");
}

// ---- request shims ----

/** The `signal` parameter of stop and restart exists since 1.42; older clients never mean it. */
export function stopSignal(version: string, query: URLSearchParams): string | undefined {
  return versionAtLeast(version, "1.42") ? query.get("signal") || undefined : undefined;
}

/** The wait `condition` parameter exists since 1.30; before, a wait always meant "not-running". */
export function waitConditionParam(version: string, query: URLSearchParams): string {
  return versionAtLeast(version, "1.30") ? query.get("condition") || "not-running" : "not-running";
}
