// The /networks half of the service: create (a user bridge network, its
// subnet validated or chosen, its bridge device made), list, inspect, remove
// and prune. Removal refuses the predefined networks and networks with
// endpoints, with dockerd's words.
import type { Network, NetworkContainer } from "../api/types/index.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.js";
import type { Filters } from "../oci/filters.js";
import type { NetworkService } from "./network-service.js";
import type { NetworkContext } from "./local-network-service.js";
import { newId } from "./local-network-service.js";
import type { DnsServers } from "./dns-servers.js";
import { checkDeviceName, deleteBridge, hostSubnets } from "./host-devices.js";
import { ensureBridgeDevice } from "./predefined.js";
import type { NetworkRow } from "./records.js";
import { resolveNetwork } from "./resolve-network.js";
import { firstFreeSubnet, formatCidr, formatIp, overlaps, parseCidr, validateIpamConfig, type Ipv4Ipam } from "./subnets.js";
import { isPredefined, listFilter, networkView, pruneFilter } from "./network-view.js";
import { sweepRules } from "./sweep-rules.js";

type AdminOps = Pick<NetworkService, "create" | "list" | "inspect" | "resolve" | "remove" | "prune" | "count">;

const bridgeNameOption = "com.docker.network.bridge.name";

export function createNetworkAdmin(ctx: NetworkContext, dns: DnsServers): AdminOps {
  const { records } = ctx;
  const inUse = (n: NetworkRow) => records.endpointsOn(n.id).length > 0;

  function containersOf(n: NetworkRow): Record<string, NetworkContainer> {
    const out: Record<string, NetworkContainer> = {};
    for (const e of records.endpointsOn(n.id)) {
      if (e.result === undefined) continue;
      out[e.containerId] = {
        Name: records.sandbox(e.containerId)?.name ?? "",
        EndpointID: e.endpointId,
        MacAddress: e.mac,
        IPv4Address: `${e.ip}/${e.prefixLen}`,
        IPv6Address: "",
      };
    }
    return out;
  }

  /** Subnet, gateway and range of a new network: the user's (checked), else the first free block of the pools. */
  async function chooseIpam(body: Parameters<NetworkService["create"]>[0]): Promise<{ ipam: Ipv4Ipam; user: boolean; gatewayChosen?: boolean }> {
    const others = records.networks().flatMap((n) => (n.subnet ? [parseCidr(n.subnet)!] : []));
    const cfg = body.IPAM?.Config?.find((c) => !c.Subnet?.includes(":"));
    if (cfg && (cfg.Subnet || cfg.Gateway || cfg.IPRange)) {
      const ipam = validateIpamConfig(cfg);
      if (others.some((o) => overlaps(o, ipam.subnet))) throw new ForbiddenError("invalid pool request: Pool overlaps with other one on this address space");
      return { ipam, user: true, gatewayChosen: !cfg.Gateway };
    }
    const subnet = firstFreeSubnet(ctx.config.defaultAddressPools, [...others, ...(await hostSubnets())]);
    return { ipam: { subnet, gateway: subnet.base + 1 }, user: false };
  }

  async function removeNetwork(n: NetworkRow): Promise<void> {
    await dns.stop(n.id);
    if (n.bridgeName && n.bridgeCreated) {
      await deleteBridge(n.bridgeName);
      // The network's own rules (bridge-rules.ts) all name its bridge.
      await sweepRules({ devices: [n.bridgeName] });
    }
    records.deleteNetwork(n.id);
  }

  return {
    async create(body) {
      const driver = body.Driver || "bridge";
      if (driver === "host" || driver === "null") throw new ForbiddenError(`only one instance of "${driver}" network is allowed`);
      if (driver !== "bridge") throw new NotFoundError(`plugin "${driver}" not found`);
      // The subnet choice must see every earlier create's result.
      return ctx.serialize("create", async () => {
        if (records.byName(body.Name)) throw new ConflictError(`network with name ${body.Name} already exists`);
        const { ipam, user, gatewayChosen } = await chooseIpam(body);
        const id = newId();
        const options = { ...(body.Options ?? {}) };
        const bridgeName = checkDeviceName(options[bridgeNameOption] ?? `br-${id.slice(0, 12)}`);
        if (records.networks().some((n) => n.bridgeName === bridgeName)) {
          throw new ConflictError(`bridge name ${bridgeName} is already used by another network`);
        }
        const row: NetworkRow = {
          id,
          name: body.Name,
          driver: "bridge",
          bridgeName,
          subnet: formatCidr(ipam.subnet),
          gateway: formatIp(ipam.gateway),
          ...(ipam.ipRange ? { ipRange: formatCidr(ipam.ipRange) } : {}),
          internal: body.Internal ?? false,
          labels: body.Labels ?? {},
          options,
          created: new Date().toISOString(),
          bridgeCreated: false,
          userIpam: user,
          ...(gatewayChosen ? { gatewayChosen } : {}),
        };
        records.insertNetwork(row);
        try {
          // Made now, as dockerd does: the subnet then shows in the host's routes to every other daemon.
          await ensureBridgeDevice(ctx, row);
        } catch (err) {
          await removeNetwork(records.network(id) ?? row).catch(() => undefined);
          throw err;
        }
        return { Id: id, Warning: body.EnableIPv6 ? "IPv6 is not supported by berth's bridge networks; the network is IPv4 only" : "" };
      });
    },

    list(filters: Filters): Network[] {
      const keep = listFilter(filters, inUse);
      return records.networks().filter(keep).map((n) => networkView(n, {}));
    },

    inspect(idOrName) {
      const n = resolveNetwork(records, idOrName);
      return networkView(n, containersOf(n));
    },

    resolve: (idOrName) => {
      const { bridgeCreated: _b, userIpam: _u, ...record } = resolveNetwork(records, idOrName);
      return record;
    },

    async remove(idOrName) {
      const n = resolveNetwork(records, idOrName);
      if (isPredefined(n)) throw new ForbiddenError(`${n.name} is a pre-defined network and cannot be removed`);
      if (inUse(n)) throw new ConflictError(`error while removing network: network ${n.name} id ${n.id} has active endpoints`);
      await removeNetwork(n);
    },

    async prune(filters) {
      const keep = pruneFilter(filters, Date.now());
      const removed: string[] = [];
      for (const n of records.networks()) {
        if (isPredefined(n) || inUse(n) || !keep(n)) continue;
        await removeNetwork(n);
        removed.push(n.name);
      }
      return removed;
    },

    count: () => records.networks().length,
  };
}
