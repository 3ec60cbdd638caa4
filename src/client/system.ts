// System endpoints: ping, version, info, events, disk usage, registry login.
import type { EventMessage, SystemInfo, SystemVersion } from "../api/types/index.js";
import type { operations } from "../api/types/engine.js";
import type { RegistryAuthConfig } from "../api/registry-auth.js";
import { parseJSONLines } from "./json-stream.js";
import { encodeFilters, type Filters } from "./query.js";
import { readAll, type Transport } from "./transport.js";

export interface EventsOptions {
  /** Unix seconds, with optional fraction ("1700000000.5"). */
  since?: string;
  until?: string;
  filters?: Filters;
}

export type SystemDataUsage = operations["SystemDataUsage"]["responses"][200]["schema"];

export interface SystemApi {
  /** "OK" when the daemon is up. */
  ping(): Promise<string>;
  version(): Promise<SystemVersion>;
  info(): Promise<SystemInfo>;
  /** Past events from `since`, then live ones (until `until`, or forever). */
  events(opts?: EventsOptions): Promise<AsyncIterable<EventMessage>>;
  /** Disk usage of images, containers, volumes and build cache; `types` limits what the daemon computes. */
  df(opts?: { types?: ("container" | "image" | "volume" | "build-cache")[] }): Promise<SystemDataUsage>;
  /** POST /auth: the daemon checks the credentials with the registry; UnauthorizedError when refused. */
  auth(creds: RegistryAuthConfig): Promise<{ Status: string; IdentityToken?: string }>;
}

export function systemApi(t: Transport): SystemApi {
  return {
    ping: async () => readAll(await t.request("/_ping")),
    version: async () => JSON.parse(await readAll(await t.request("/version"))) as SystemVersion,
    info: async () => JSON.parse(await readAll(await t.request("/info"))) as SystemInfo,
    events: async (opts = {}) =>
      parseJSONLines<EventMessage>(
        await t.request("/events", { query: { since: opts.since, until: opts.until, filters: encodeFilters(opts.filters) } }),
      ),
    auth: async (creds) =>
      JSON.parse(await readAll(await t.request("/auth", { method: "POST", body: creds }))) as { Status: string; IdentityToken?: string },
    df: async (opts = {}) => JSON.parse(await readAll(await t.request("/system/df", { query: { type: opts.types } }))) as SystemDataUsage,
  };
}
