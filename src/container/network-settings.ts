// How a container's networks read in inspect (NetworkSettings) and ps
// (Ports, NetworkSettings.Networks), as dockerd shows them: one
// EndpointSettings per network, with the live addresses while the container
// runs and empty ones otherwise; the deprecated top-level addresses only for
// the default bridge; Ports with the actual bindings and exposed-but-unpublished
// ports as null. Pure: the live sandbox is passed in.
import type { EndpointSettings, NetworkSettings, Port, PortMap } from "../api/types/index.js";
import type { Endpoint, Sandbox } from "../network/network-service.js";
import { dnsNames, type AttachedNetwork } from "./network-mode.js";
import { zeroTime, type ContainerRecord } from "./records.js";

export interface NetworkView {
  rec: Pick<ContainerRecord, "id" | "name" | "config" | "hostConfig" | "state">;
  /** The record's networks (networksOf); empty for host, none and container:<id>. */
  networks: AttachedNetwork[];
  /** The live sandbox, while the container runs. */
  sandbox: Sandbox | undefined;
}

/** Go's nil: the generated types say "absent" (or a list) where Docker says null. */
const nil = null as unknown as undefined;
const nilList = null as unknown as [];

export function networkSettings(view: NetworkView): NetworkSettings {
  const { rec, sandbox } = view;
  const primary = sandbox?.endpoints.find((e) => e.networkName === "bridge");
  const settings = {
    Bridge: "",
    SandboxID: sandbox ? rec.id : "",
    HairpinMode: false,
    LinkLocalIPv6Address: "",
    LinkLocalIPv6PrefixLen: 0,
    Ports: sandbox ? portMap(rec.config.ExposedPorts, sandbox.ports) : {},
    SandboxKey: sandbox?.netnsPath ?? "",
    SecondaryIPAddresses: nil,
    SecondaryIPv6Addresses: nil,
    EndpointID: primary?.endpointId ?? "",
    Gateway: primary?.gateway ?? "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    IPAddress: primary?.ipAddress ?? "",
    IPPrefixLen: primary?.prefixLen ?? 0,
    IPv6Gateway: "",
    MacAddress: primary?.macAddress ?? "",
    Networks: endpointsView(view),
  };
  return settings as NetworkSettings;
}

/** NetworkSettings.Networks: keyed by network name, in the order the container joined them. */
export function endpointsView(view: NetworkView): Record<string, EndpointSettings> {
  const { rec, networks, sandbox } = view;
  const mode = rec.hostConfig.NetworkMode ?? "default";
  // Sharing another container's namespace, the container has no network of its own.
  if (mode.startsWith("container:")) return {};
  if (mode === "host" || mode === "none") return { [mode]: endpointSettings(undefined, undefined) };
  const out: Record<string, EndpointSettings> = {};
  for (const net of networks) {
    const live = sandbox?.endpoints.find((e) => e.networkId === net.id);
    const names = live && net.name !== "bridge" ? dnsNames({ ...rec, hostname: rec.config.Hostname ?? "" }, net.aliases) : undefined;
    // A network the container joined but has not run on yet shows no ID, as dockerd.
    out[net.name] = endpointSettings(net, live, { networkId: rec.state.startedAt === zeroTime ? "" : net.id, dnsNames: names });
  }
  return out;
}

function endpointSettings(
  net: AttachedNetwork | undefined,
  live: Endpoint | undefined,
  opts: { networkId?: string; dnsNames?: string[] | undefined } = {},
): EndpointSettings {
  return {
    IPAMConfig: net?.ipv4Address ? { IPv4Address: net.ipv4Address } : nil,
    Links: nil,
    MacAddress: live?.macAddress ?? "",
    Aliases: net?.aliases.length ? [...net.aliases] : nil,
    NetworkID: live?.networkId ?? opts.networkId ?? "",
    EndpointID: live?.endpointId ?? "",
    Gateway: live?.gateway ?? "",
    IPAddress: live?.ipAddress ?? "",
    IPPrefixLen: live?.prefixLen ?? 0,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    DriverOpts: nil,
    DNSNames: opts.dnsNames ?? nil,
  };
}

/** Every exposed or published port, sorted as Go writes a map: its bindings, or null when not published. */
export function portMap(exposed: Record<string, unknown> | undefined, published: PortMap): PortMap {
  const keys = [...new Set([...Object.keys(exposed ?? {}), ...Object.keys(published)])].sort();
  return Object.fromEntries(keys.map((k) => [k, published[k]?.length ? published[k]! : nilList]));
}

/** ps's Ports: one row per binding, and a row without a public port for each exposed-only port. */
export function portList(ports: PortMap): Port[] {
  const out: Port[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const [num, proto = "tcp"] = key.split("/");
    const base = { PrivatePort: Number(num), Type: proto as Port["Type"] };
    if (!bindings?.length) out.push(base);
    for (const b of bindings ?? []) out.push({ IP: b.HostIp || "0.0.0.0", ...base, PublicPort: Number(b.HostPort) });
  }
  return out;
}

/** Whether ps's `network` filter value names one of the container's networks: a name, or a prefix of an ID. */
export function onNetwork(view: Pick<NetworkView, "rec" | "networks">, value: string): boolean {
  const mode = view.rec.hostConfig.NetworkMode ?? "default";
  if ((mode === "host" || mode === "none") && value === mode) return true;
  return view.networks.some((n) => n.name === value || n.id.startsWith(value));
}
