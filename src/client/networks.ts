// /networks endpoints.
import type { EndpointSettings, Network, NetworkCreateBody } from "../api/types/index.js";
import { encodeFilters, seg, type Filters } from "./query.js";
import { readAll, type Transport } from "./transport.js";

export interface NetworksApi {
  list(opts?: { filters?: Filters }): Promise<Network[]>;
  inspect(idOrName: string, opts?: { verbose?: boolean; scope?: string }): Promise<Network>;
  create(body: NetworkCreateBody): Promise<{ Id: string; Warning?: string }>;
  remove(idOrName: string): Promise<void>;
  /** Joins a container to a network; `settings` carries aliases and a fixed address. */
  connect(network: string, container: string, settings?: EndpointSettings): Promise<void>;
  /** `force` makes leaving a network the container is not on no error. */
  disconnect(network: string, container: string, opts?: { force?: boolean }): Promise<void>;
  /** Removes user networks no container uses; returns their names. */
  prune(opts?: { filters?: Filters }): Promise<{ NetworksDeleted: string[] }>;
}

export function networksApi(t: Transport): NetworksApi {
  const send = async (path: string, opts: { method: "POST" | "DELETE" | "GET"; body?: unknown; query?: Record<string, string | boolean | undefined> }): Promise<string> =>
    readAll(await t.request(path, opts));
  return {
    list: async (opts = {}) => JSON.parse(await send("/networks", { method: "GET", query: { filters: encodeFilters(opts.filters) } })) as Network[],
    inspect: async (idOrName, opts = {}) =>
      JSON.parse(await send(`/networks/${seg(idOrName)}`, { method: "GET", query: { verbose: opts.verbose, scope: opts.scope } })) as Network,
    create: async (body) => JSON.parse(await send("/networks/create", { method: "POST", body })) as { Id: string; Warning?: string },
    remove: async (idOrName) => {
      await send(`/networks/${seg(idOrName)}`, { method: "DELETE" });
    },
    connect: async (network, container, settings) => {
      await send(`/networks/${seg(network)}/connect`, { method: "POST", body: { Container: container, ...(settings ? { EndpointConfig: settings } : {}) } });
    },
    disconnect: async (network, container, opts = {}) => {
      await send(`/networks/${seg(network)}/disconnect`, { method: "POST", body: { Container: container, Force: opts.force ?? false } });
    },
    prune: async (opts = {}) => {
      const report = JSON.parse(await send("/networks/prune", { method: "POST", query: { filters: encodeFilters(opts.filters) } })) as { NetworksDeleted?: string[] | null };
      // dockerd sends null when nothing went.
      return { NetworksDeleted: report.NetworksDeleted ?? [] };
    },
  };
}
