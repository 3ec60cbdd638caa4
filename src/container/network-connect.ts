// docker network connect / disconnect, under the container's lock: the
// record's networks change (persisted, so the next start joins them) and,
// while the container runs, the endpoint is attached or detached at once.
// Refusals carry dockerd's words.
import type { EndpointSettings } from "../api/types/index.js";
import { ConflictError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { NetworkRecord } from "../network/network-service.js";
import { networkKind } from "./config.js";
import { pathsOf, type Context } from "./context.js";
import { rewriteResolvConf } from "./etc-files.js";
import { attachedNetwork, type AttachedNetwork } from "./network-mode.js";
import { endpointRequestOf, networksOf, resolvOptions } from "./network-setup.js";
import type { ContainerRecord } from "./records.js";
import { isActive } from "./state.js";

const hostNetworkConflict = "container cannot be disconnected from host network or connected to host network";

export async function connectContainer(
  ctx: Context,
  idOrName: string,
  network: string,
  settings: EndpointSettings | undefined,
): Promise<void> {
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    checkNotRemoved(rec);
    const net = ctx.network.resolve(network);
    checkConnectable(rec, net);
    const current = networksOf(ctx, rec);
    if (current.some((n) => n.id === net.id)) {
      throw new ConflictError(`endpoint with name ${rec.name.slice(1)} already exists in network ${net.name}`);
    }
    const joined = attachedNetwork(net, settings);
    if (running(rec)) {
      const hadDns = ctx.network.sandbox(rec.id)?.endpoints.some((e) => e.dnsServer) ?? false;
      const endpoint = await ctx.network.attach(rec.id, endpointRequestOf(joined));
      // As dockerd: the first user-defined network a running container joins
      // brings its DNS server, and names on it resolve from then on.
      if (!hadDns && endpoint.dnsServer) {
        rewriteResolvConf(pathsOf(ctx, rec.id).resolvConf, resolvOptions(rec, "bridge", endpoint.dnsServer));
      }
      ctx.events.publish("network", "connect", net.id, { container: rec.id, name: net.name, type: "bridge" });
    }
    saveNetworks(ctx, rec, [...current, joined]);
  });
}

export async function disconnectContainer(ctx: Context, idOrName: string, network: string, opts: { force?: boolean }): Promise<void> {
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    checkNotRemoved(rec);
    const net = findNetwork(ctx, network, opts.force ?? false);
    const kind = networkKind(rec.hostConfig);
    if (net?.driver === "host" && kind === "host") throw new InvalidArgumentError(hostNetworkConflict);
    const current = networksOf(ctx, rec);
    // Forced, a network that is gone is still dropped from the container by the name it was joined under.
    const leaving = current.filter((n) => (net ? n.id === net.id : n.name === network));
    if (leaving.length === 0) {
      if (opts.force) return;
      const name = net?.name ?? network;
      throw new ConflictError(
        running(rec) ? `container ${rec.id} is not connected to network ${name}` : `container ${rec.id} is not connected to the network ${name}`,
      );
    }
    if (running(rec) && net) {
      await ctx.network.detach(rec.id, net.id);
      ctx.events.publish("network", "disconnect", net.id, { container: rec.id, name: net.name, type: "bridge" });
    }
    saveNetworks(ctx, rec, current.filter((n) => !leaving.includes(n)));
  });
}

function running(rec: ContainerRecord): boolean {
  return isActive(rec.state.status) && rec.state.status !== "restarting";
}

function checkNotRemoved(rec: ContainerRecord): void {
  if (rec.state.status === "removing" || rec.state.status === "dead") {
    throw new ConflictError(`Container ${rec.id} is marked for removal and cannot be connected or disconnected to the network`);
  }
}

/** dockerd's updateNetworkSettings: containers sharing a namespace, and the host and none networks, take no other network. */
function checkConnectable(rec: ContainerRecord, net: NetworkRecord): void {
  const kind = networkKind(rec.hostConfig);
  if (net.driver === "host" || (kind === "host" && net.driver === "null")) throw new InvalidArgumentError(hostNetworkConflict);
  if (kind === "host" || kind === "container") {
    throw new InvalidArgumentError("container sharing network namespace with another container or host cannot be connected to any other network");
  }
  if (kind === "none" || net.driver === "null") {
    throw new InvalidArgumentError("container cannot be connected to multiple networks with one of the networks in private (none) mode");
  }
}

function findNetwork(ctx: Context, network: string, force: boolean): NetworkRecord | undefined {
  try {
    return ctx.network.resolve(network);
  } catch (err) {
    if (force && err instanceof NotFoundError) return undefined;
    throw err;
  }
}

function saveNetworks(ctx: Context, rec: ContainerRecord, networks: AttachedNetwork[]): void {
  rec.networks = networks;
  ctx.records.setNetworks(rec.id, networks);
}
