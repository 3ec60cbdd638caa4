// The network part of a start, before runtime.create: the sandbox (a netns
// wired to the container's networks by the network service) for bridge and
// user networks, the namespace to join for container:<id>, and the three etc
// files that follow from it — the container's address in /etc/hosts, the
// network's DNS server in /etc/resolv.conf. The sandbox goes with the task
// (exit.ts releaseTask → network.tearDown), so a restart sets it up afresh.
// The CNI plugins wire the netns while the runtime creates the container:
// runc needs only the netns path, and the etc files only the chosen
// addresses; start waits for `plumbed` before the process runs. That takes
// the plugins' time (bridge ~10 ms, portmap ~35 ms, measured) off a start.
import { ConflictError, InvalidArgumentError } from "../errors.js";
import type { SpecOptions } from "../runtime/spec-options.js";
import type { EndpointRequest } from "../network/network-service.js";
import { networkKind } from "./config.js";
import { pathsOf, type Context } from "./context.js";
import { writeEtcFiles, type EtcPaths, type ResolvOptions } from "./etc-files.js";
import { portsToPublish, resolveHostGateway, sharedContainer, type AttachedNetwork } from "./network-mode.js";
import type { NetworkView } from "./network-settings.js";
import type { ContainerRecord } from "./records.js";
import { isActive } from "./state.js";

export interface NetworkSetup {
  /** How the runtime joins the container's network namespace. */
  namespace: SpecOptions["network"];
  /** The files bind-mounted at /etc/hostname, /etc/hosts and /etc/resolv.conf: those of the netns's owner under container:<id>. */
  etcPaths: EtcPaths;
  /**
   * Settles when the network is wired; the container's process must not run
   * before. A failure is the start's (releaseTask tears the sandbox down).
   */
  plumbed?: Promise<void>;
}

/** The networks of a record; records older than networks were on the default bridge unless their mode says otherwise. */
export function networksOf(ctx: Pick<Context, "network">, rec: ContainerRecord): AttachedNetwork[] {
  if (rec.networks) return rec.networks;
  if (networkKind(rec.hostConfig) !== "bridge") return [];
  const net = ctx.network.resolve("bridge");
  return [{ id: net.id, name: net.name, aliases: [] }];
}

/** Sets up the network and writes the etc files. Call holding the lock; a failure is undone by the caller's releaseTask. */
export async function prepareNetwork(ctx: Context, rec: ContainerRecord): Promise<NetworkSetup> {
  const kind = networkKind(rec.hostConfig);
  const paths = pathsOf(ctx, rec.id);
  if (kind === "container") return joinContainer(ctx, rec);

  const hostname = rec.config.Hostname ?? rec.id.slice(0, 12);
  let namespace: SpecOptions["network"] = { mode: kind === "host" ? "host" : "none" };
  let ip: string | undefined;
  let embeddedDns: string | undefined;
  let plumbed: Promise<void> | undefined;
  if (kind === "bridge") {
    const networks = networksOf(ctx, rec);
    const { planned: sandbox, plumbed: wired } = await ctx.network.prepare({
      containerId: rec.id,
      name: rec.name.slice(1),
      hostname,
      networks: networks.map(endpointRequestOf),
      ports: portsToPublish(rec.config, rec.hostConfig),
      // On a user network these are the upstreams of its DNS server, not lines of resolv.conf.
      dns: rec.hostConfig.Dns ?? [],
    });
    namespace = { mode: "path", path: sandbox.netnsPath };
    ip = sandbox.endpoints[0]?.ipAddress;
    embeddedDns = sandbox.endpoints.find((e) => e.dnsServer)?.dnsServer;
    plumbed = wired.then((done) => {
      for (const e of done.endpoints) {
        ctx.events.publish("network", "connect", e.networkId, { container: rec.id, name: e.networkName, type: "bridge" });
      }
    });
    // Handled at once: a failure while the runtime still creates must not be an unhandled rejection; start awaits it.
    plumbed.catch(() => undefined);
    // runc applies net.* sysctls in the netns at create, where they may name eth0: wired first.
    if (Object.keys(rec.hostConfig.Sysctls ?? {}).some((k) => k.startsWith("net."))) await plumbed;
  }

  const extraHosts = rec.hostConfig.ExtraHosts ?? [];
  const gateway = extraHosts.some((h) => h.endsWith(":host-gateway")) ? ctx.network.resolve("bridge").gateway : undefined;
  await writeEtcFiles(paths, {
    hostname,
    hosts: {
      hostname,
      ...(rec.config.Domainname ? { domainname: rec.config.Domainname } : {}),
      ...(ip ? { ip } : {}),
      extraHosts: resolveHostGateway(extraHosts, gateway),
    },
    resolv: resolvOptions(rec, kind, embeddedDns),
    hostHostsFile: kind === "host",
  });
  return { namespace, etcPaths: paths, ...(plumbed ? { plumbed } : {}) };
}

/** What the container's resolv.conf is made of: its --dns flags, and the DNS server of its first user-defined network. */
export function resolvOptions(rec: ContainerRecord, network: ResolvOptions["network"], embeddedDns: string | undefined): ResolvOptions {
  return {
    network,
    dns: rec.hostConfig.Dns ?? [],
    dnsSearch: rec.hostConfig.DnsSearch ?? [],
    dnsOptions: rec.hostConfig.DnsOptions ?? [],
    ...(embeddedDns ? { embeddedDns } : {}),
  };
}

export function endpointRequestOf(net: AttachedNetwork): EndpointRequest {
  return {
    network: net.id,
    aliases: net.aliases,
    ...(net.ipv4Address ? { ipv4Address: net.ipv4Address } : {}),
    ...(net.macAddress ? { macAddress: net.macAddress } : {}),
  };
}

/**
 * container:<id>: the other container's namespace and etc files, followed
 * through its own container:<id> if it has one. It must be running, as dockerd requires.
 */
function joinContainer(ctx: Context, rec: ContainerRecord): NetworkSetup {
  let owner = rec;
  for (let hops = 0; networkKind(owner.hostConfig) === "container"; hops++) {
    const target = sharedContainer(owner.hostConfig.NetworkMode)!;
    const next = ctx.records.get(target);
    if (next.id === rec.id || hops > 16) throw new InvalidArgumentError("cannot join own network");
    if (!isActive(next.state.status) || next.state.status === "restarting") {
      throw new ConflictError(`cannot join network of a non running container: ${target}`);
    }
    owner = next;
  }
  const etcPaths = pathsOf(ctx, owner.id);
  switch (networkKind(owner.hostConfig)) {
    case "host":
      return { namespace: { mode: "host" }, etcPaths };
    case "none":
      // runc made that namespace for the task: it lives as long as the task's first process.
      return { namespace: { mode: "path", path: `/proc/${owner.state.pid}/ns/net` }, etcPaths };
    default: {
      const sandbox = ctx.network.sandbox(owner.id);
      if (!sandbox) throw new ConflictError(`cannot join network of a non running container: ${owner.id}`);
      return { namespace: { mode: "path", path: sandbox.netnsPath }, etcPaths };
    }
  }
}

/** Tears the sandbox down (a no-op without one) once the task is gone, and says so as dockerd does. */
export async function releaseNetwork(ctx: Pick<Context, "network" | "events">, id: string): Promise<void> {
  const sandbox = ctx.network.sandbox(id);
  await ctx.network.tearDown(id);
  for (const e of sandbox?.endpoints ?? []) {
    ctx.events.publish("network", "disconnect", e.networkId, { container: id, name: e.networkName, type: "bridge" });
  }
}

/** What inspect and ps show of a container's networks: its record's networks and, while it runs, its sandbox. */
export function networkView(ctx: Pick<Context, "network">, rec: ContainerRecord): NetworkView {
  return { rec, networks: networksOf(ctx, rec), sandbox: isActive(rec.state.status) ? ctx.network.sandbox(rec.id) : undefined };
}
