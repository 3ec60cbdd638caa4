// What a create request asks of the network — HostConfig.NetworkMode plus
// NetworkingConfig.EndpointsConfig (the docker CLI ≥ 1.44 sends every
// --network there, the first one included) — checked with dockerd's rules and
// words, and turned into the list of networks the container joins. Pure: the
// network lookup is passed in, so the rules are unit-tested as tables.
import { isIPv4 } from "node:net";
import type { ContainerConfig, EndpointSettings, HostConfig, NetworkingConfig, PortMap } from "../api/types/index.js";
import { InvalidArgumentError } from "../errors.js";
import type { NetworkRecord } from "../network/network-service.js";

/** One network a container joins, as its record keeps it (by ID: a network recreated under the same name is another one). */
export interface AttachedNetwork {
  id: string;
  /** The network's name when the container joined it: the key inspect shows. */
  name: string;
  aliases: string[];
  ipv4Address?: string;
  macAddress?: string;
}

export type NetworkLookup = (idOrName: string) => Pick<NetworkRecord, "id" | "name" | "driver">;

/** The container named by "container:<id or name>", undefined for every other mode. */
export function sharedContainer(mode: string | undefined): string | undefined {
  return mode?.startsWith("container:") ? mode.slice("container:".length) : undefined;
}

/** The network NetworkMode names: "default" is the default bridge on Linux. */
export function modeNetwork(mode: string | undefined): string {
  return !mode || mode === "default" ? "bridge" : mode;
}

const nonUserDefined = (name: string) => name === "host" || name === "none" || name.startsWith("container:");

/**
 * dockerd's checks of a create request against its network mode (runconfig
 * validateNetContainerMode and friends). `config` is the request's own config,
 * before the image's is merged in, as dockerd checks it.
 */
export function checkNetworkMode(config: ContainerConfig, hc: HostConfig): void {
  const mode = hc.NetworkMode ?? "default";
  const shared = sharedContainer(mode);
  if (shared === "") throw new InvalidArgumentError("Invalid network mode: invalid container format container:<name|id>");
  if (shared !== undefined) {
    if (config.Hostname) throw new InvalidArgumentError("conflicting options: hostname and the network mode");
    if (hc.Links?.length) {
      throw new InvalidArgumentError("conflicting options: container type network can't be used with links. This would result in undefined behavior");
    }
    if (hc.Dns?.length) throw new InvalidArgumentError("conflicting options: dns and the network mode");
    if (hc.ExtraHosts?.length) throw new InvalidArgumentError("conflicting options: custom host-to-IP mapping and the network mode");
    if (Object.keys(hc.PortBindings ?? {}).length > 0 || hc.PublishAllPorts) {
      throw new InvalidArgumentError("conflicting options: port publishing and the container type network mode");
    }
    if (Object.keys(config.ExposedPorts ?? {}).length > 0) {
      throw new InvalidArgumentError("conflicting options: port exposing and the container type network mode");
    }
  }
  if ((shared !== undefined || mode === "host") && config.MacAddress) {
    throw new InvalidArgumentError("conflicting options: mac-address and the network mode");
  }
}

/**
 * The networks a bridge-mode container joins: NetworkMode's first, then every
 * other key of EndpointsConfig, each with its settings. Empty for none, host
 * and container:<id>, which join no network of their own and cannot be
 * combined with any. Unknown networks fail through `lookup` (NotFoundError).
 */
export function planNetworks(
  input: { hostConfig: HostConfig; networking?: NetworkingConfig; macAddress?: string },
  lookup: NetworkLookup,
): AttachedNetwork[] {
  const mode = modeNetwork(input.hostConfig.NetworkMode);
  const endpoints = input.networking?.EndpointsConfig ?? {};
  // The docker CLI names the default network "default" in EndpointsConfig too.
  const settingsOf = (name: string) => endpoints[name] ?? (name === "bridge" ? endpoints.default : undefined);
  const names = [mode, ...Object.keys(endpoints).map(modeNetwork).filter((k) => k !== mode)];
  if (nonUserDefined(mode) || names.slice(1).some(nonUserDefined)) {
    if (names.length > 1) {
      throw new InvalidArgumentError("conflicting options: cannot attach both user-defined and non-user-defined network-modes");
    }
    return [];
  }

  const out: AttachedNetwork[] = [];
  for (const name of names) {
    const net = lookup(name);
    // Two keys naming one network (its name and its ID): the first one's settings count.
    if (out.some((n) => n.id === net.id)) continue;
    if (net.driver !== "bridge") {
      throw new InvalidArgumentError("conflicting options: cannot attach both user-defined and non-user-defined network-modes");
    }
    const settings = settingsOf(name) ?? undefined;
    // The pre-1.44 Config.MacAddress is the primary network's.
    const mac = settings?.MacAddress || (out.length === 0 ? input.macAddress : undefined);
    out.push(attachedNetwork(net, { ...settings, ...(mac ? { MacAddress: mac } : {}) }));
  }
  return out;
}

/** One network's settings, checked as dockerd checks an endpoint's config (validateEndpointSettings). */
export function attachedNetwork(net: Pick<NetworkRecord, "id" | "name">, settings: EndpointSettings | undefined): AttachedNetwork {
  const ipv4 = settings?.IPAMConfig?.IPv4Address;
  const aliases = settings?.Aliases ?? [];
  if (ipv4 && !isIPv4(ipv4)) throw new InvalidArgumentError(`invalid IPv4 address: ${ipv4}`);
  if (net.name === "bridge") {
    if (ipv4) throw new InvalidArgumentError("user specified IP address is supported on user defined networks only");
    if (aliases.length > 0) throw new InvalidArgumentError("network-scoped alias is supported only for containers in user defined networks");
  }
  return {
    id: net.id,
    name: net.name,
    aliases: [...aliases],
    ...(ipv4 ? { ipv4Address: ipv4 } : {}),
    ...(settings?.MacAddress ? { macAddress: settings.MacAddress } : {}),
  };
}

/** The ports to publish: PortBindings, plus with -P every exposed port not bound already, on a random host port. */
export function portsToPublish(config: ContainerConfig, hc: HostConfig): PortMap {
  const ports: PortMap = { ...hc.PortBindings };
  if (hc.PublishAllPorts) {
    for (const port of Object.keys(config.ExposedPorts ?? {})) {
      if (!ports[port]?.length) ports[port] = [{ HostIp: "", HostPort: "" }];
    }
  }
  return ports;
}

/** ExtraHosts with "host-gateway" replaced by the default bridge's gateway address, as dockerd does at start. */
export function resolveHostGateway(extraHosts: string[], gateway: string | undefined): string[] {
  return extraHosts.map((entry) => {
    const sep = entry.indexOf(":");
    if (sep <= 0 || entry.slice(sep + 1) !== "host-gateway") return entry;
    if (!gateway) throw new InvalidArgumentError("unable to derive the IP value for host-gateway");
    return `${entry.slice(0, sep)}:${gateway}`;
  });
}

/**
 * The names a container answers to on a user-defined network (API ≥ 1.44's
 * DNSNames): its name, its aliases, its short ID and its hostname, without repeats.
 */
export function dnsNames(rec: { id: string; name: string; hostname?: string }, aliases: string[]): string[] {
  const names = [rec.name.replace(/^\//, ""), ...aliases, rec.id.slice(0, 12), ...(rec.hostname ? [rec.hostname] : [])];
  return [...new Set(names.filter((n) => n !== ""))];
}
