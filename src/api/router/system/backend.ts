// What the system router needs from the daemon: its description, its version,
// its event bus and registry logins. Narrow on purpose — the router never sees the daemon.
import type { EventMessage, SystemInfo, SystemVersion } from "../../types/index.js";
import type { operations } from "../../types/engine.js";
import type { Credentials } from "../../../registry/registry.js";

export interface SystemBackend {
  info(): Promise<SystemInfo>;
  version(): SystemVersion;
  /** Past events from `since` (Unix seconds), then live ones, until the returned function is called. */
  subscribe(onEvent: (e: EventMessage) => void, since?: number): () => void;
  /**
   * POST /auth: checks the credentials against the registry at `serveraddress`
   * (Docker Hub when absent). Resolves with {Status: "Login Succeeded"} and
   * the registry's identity token if it issued one; rejects with
   * UnauthorizedError when the registry refuses them.
   */
  auth(creds: Credentials & { serveraddress?: string }): Promise<{ Status: string; IdentityToken?: string }>;
}

export type SystemDataUsage = operations["SystemDataUsage"]["responses"][200]["schema"];

/** The object types GET /system/df may be asked for (`type=`, API ≥ 1.42). */
export type DiskUsageType = "container" | "image" | "volume" | "build-cache";

/**
 * GET /system/df: the daemon assembles it from the services that own the
 * data (images, containers, volumes, build cache), as dockerd's disk-usage
 * service does; the lists of types not asked for are left out.
 */
export interface DiskUsageBackend {
  diskUsage(opts: { types: ReadonlySet<DiskUsageType> }): Promise<SystemDataUsage>;
}
