// One DNS server per user-defined network, on its gateway address, started
// when the first endpoint joins (the bridge, hence the address, exists by
// then) and stopped with the network. Its names come from the records:
// container name, aliases, short ID, and name.network; so does where a
// container's other names go (its --dns servers, else the host's resolvers).
import { isIP } from "node:net";
import type { DnsServer, NameTable, Upstream } from "./dns/dns-server.js";
import { hostUpstreams } from "./dns/upstreams.js";
import type { NetworkContext } from "./local-network-service.js";
import type { NetworkRow } from "./records.js";

export interface DnsServers {
  /** Starts the network's server if it has none; a failure is logged, not thrown: names are a convenience, the endpoint works. */
  ensure(net: NetworkRow): Promise<void>;
  /** The address containers use, when the network has a running server. */
  address(networkId: string): string | undefined;
  stop(networkId: string): Promise<void>;
  closeAll(): Promise<void>;
}

/** The default bridge has no name resolution, as in Docker. */
export function servesNames(net: NetworkRow): boolean {
  return net.driver === "bridge" && net.name !== "bridge" && !!net.gateway;
}

/**
 * The network's names as maps, rebuilt only when the records changed: a
 * lookup is on the path of every connection by name, and a query plus JSON
 * parsing of every endpoint per question doubled the server's time per
 * lookup (measured with the network bench: A+AAAA per nslookup).
 */
function indexedNames(ctx: Pick<NetworkContext, "records">, net: Pick<NetworkRow, "id" | "name">): () => { byName: Map<string, string[]>; byIp: Map<string, string> } {
  let built: { version: number; byName: Map<string, string[]>; byIp: Map<string, string> } | undefined;
  return () => {
    const version = ctx.records.version();
    if (built?.version === version) return built;
    const byName = new Map<string, string[]>();
    const byIp = new Map<string, string>();
    for (const e of ctx.records.names(net.id)) {
      const names = new Set([e.name, `${e.name}.${net.name}`, ...e.aliases, e.containerId.slice(0, 12)].map((n) => n.toLowerCase()));
      for (const n of names) byName.set(n, [...(byName.get(n) ?? []), e.ip]);
      if (!byIp.has(e.ip)) byIp.set(e.ip, `${e.name}.${net.name}`);
    }
    return (built = { version, byName, byIp });
  };
}

export function nameTable(ctx: Pick<NetworkContext, "records">, net: Pick<NetworkRow, "id" | "name" | "internal">): NameTable {
  const names = indexedNames(ctx, net);
  return {
    lookup(name) {
      return names().byName.get(name.toLowerCase().replace(/\.$/, "")) ?? [];
    },
    reverse(ip) {
      return names().byIp.get(ip);
    },
    upstreamsFor(clientIp) {
      // An internal network reaches nothing outside, names included, whatever --dns says.
      if (net.internal) return [];
      // Only addresses: a name here would send the socket API off to resolve it, through this very server perhaps.
      const dns = ctx.records.dnsOf(net.id, clientIp).filter((host) => isIP(host) !== 0);
      return dns.length > 0 ? dns.map((host): Upstream => ({ host, port: 53 })) : undefined;
    },
  };
}

export function createDnsServers(ctx: NetworkContext, opts: { port?: number }): DnsServers {
  const servers = new Map<string, Promise<DnsServer | undefined>>();
  return {
    async ensure(net) {
      if (!servesNames(net) || servers.has(net.id)) return;
      // Loaded with the first user-defined network's first endpoint: dns-packet is much code
      // that a daemon running only default-bridge or --network none containers never needs.
      const starting = import("./dns/dns-server-impl.js").then(({ startDnsServer }) => startDnsServer({
        address: net.gateway!,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        names: nameTable(ctx, net),
        // An internal network reaches nothing outside, names included.
        upstreams: net.internal ? [] : hostUpstreams(),
        log: ctx.log,
      })).catch((err: unknown) => {
        ctx.log("warn", "DNS server did not start", { network: net.name, address: net.gateway, error: String(err) });
        servers.delete(net.id);
        return undefined;
      });
      servers.set(net.id, starting);
      await starting;
    },
    address(networkId) {
      // Known only once started; a server that failed was removed from the map.
      const net = ctx.records.network(networkId);
      return servers.has(networkId) && net ? net.gateway : undefined;
    },
    async stop(networkId) {
      const s = servers.get(networkId);
      servers.delete(networkId);
      await (await s)?.close();
    },
    async closeAll() {
      await Promise.all([...servers.keys()].map((id) => this.stop(id)));
    },
  };
}
