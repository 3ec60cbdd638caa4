// Networks: records of bridge networks (SQLite), the IP addresses berthd hands
// out on them, and the sandboxes (one network namespace per container) that
// the CNI plugins wire to them. berthd owns the records and the allocations;
// the plugins (bridge, portmap, tuning, static IPAM) only plumb what berthd
// decided, and are called per the CNI spec. Masquerade and FORWARD rules are
// per network, made with its bridge (bridge-rules.ts says why not per container).
//
// Lifecycle of a container's network:
//   start  → setUp(): a named netns under <exec-root>/netns/<id>, lo up, then for
//            each network: allocate an address, record the endpoint, CNI ADD
//            (bridge [+ portmap on the first network]); the runtime joins the
//            netns by path. prepare() is the same in two steps: the CNI ADDs
//            run while the runtime creates the container.
//   connect/disconnect while running → attach()/detach() one endpoint (eth1, …).
//   exit   → tearDown(): remove the netns (its veths go with it), CNI DEL of
//            the plugins with state on the host (portmap) for every endpoint,
//            release the addresses and published ports; while a joined
//            container still lives in the netns, full CNI DEL first.
//            Idempotent; safe after a crash.
//   berthd start → reconcile(running): sandboxes of running containers are kept
//            (their DNS names served again); everything else is torn down, so no
//            stale rule, veth, netns or address survives a crash.
//
// User-defined networks get a DNS server on their gateway address that answers
// for the names, aliases and short IDs of the containers attached to them and
// forwards other names to the asking container's --dns servers, or the host's resolvers. The default "bridge" network
// has no name resolution, as in Docker.
import type { EndpointSettings, Network, NetworkCreateBody, PortMap } from "../api/types/index.js";
import type { Filters } from "../oci/filters.js";

export interface NetworkRecord {
  id: string;
  name: string;
  /** "bridge" for berth's networks; "host" and "null" are the predefined pseudo networks. */
  driver: "bridge" | "host" | "null";
  /** The Linux bridge device ("berth0" for the default network, "br-<id12>" for others). */
  bridgeName?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  created: string;
}

/** What a container asks of one network when it joins it. */
export interface EndpointRequest {
  /** Network ID, name or unique ID prefix. */
  network: string;
  /** Extra names the container answers to on this network (--network-alias). */
  aliases: string[];
  /** A fixed IPv4 address (--ip), inside the network's subnet. */
  ipv4Address?: string;
  /** A fixed MAC address (--mac-address). */
  macAddress?: string;
}

export interface SandboxRequest {
  containerId: string;
  /** The container's name without the leading slash: its DNS name. */
  name: string;
  hostname: string;
  /** The networks to join, the primary (eth0, which carries published ports) first. */
  networks: EndpointRequest[];
  /**
   * Ports to publish, as HostConfig.PortBindings ("80/tcp" → [{HostIp, HostPort}]).
   * An empty HostPort asks for a random free port; "8000-8010" a range.
   */
  ports: PortMap;
  /**
   * The container's --dns servers (HostConfig.Dns). Its resolv.conf names only
   * the networks' DNS server, as Docker's does; that server forwards the names
   * it does not own to these, or to the host's resolvers when there are none.
   */
  dns?: string[];
}

/** One live attachment of a container to a network. */
export interface Endpoint {
  networkId: string;
  networkName: string;
  endpointId: string;
  /** The interface inside the container: eth0, eth1, … */
  ifname: string;
  ipAddress: string;
  prefixLen: number;
  /** Empty on an --internal network without a gateway route. */
  gateway: string;
  macAddress: string;
  aliases: string[];
  /** The DNS server containers on this network use (its gateway address); undefined on the default bridge. */
  dnsServer?: string;
}

export interface Sandbox {
  /** The netns file the runtime joins: OCI spec linux.namespaces[{type:"network", path}]. */
  netnsPath: string;
  endpoints: Endpoint[];
  /** The ports actually published (random ones filled in), in PortBindings' shape. */
  ports: PortMap;
}

export interface PreparedSandbox {
  /** The netns (made, lo up), addresses, ports and DNS servers chosen: all that the etc files and the spec need. */
  planned: Sandbox;
  /**
   * Settles once every CNI ADD is done, with the sandbox as setUp returns it.
   * On a failure the failed endpoint is undone, and the rest is the caller's
   * to tear down (a start that fails does so), so the netns stays while the
   * runtime may still be creating in it.
   */
  plumbed: Promise<Sandbox>;
}

export interface NetworkService {
  // --- /networks ---------------------------------------------------------
  /** POST /networks/create. ConflictError "network with name X already exists". */
  create(body: NetworkCreateBody): Promise<{ Id: string; Warning: string }>;
  /** GET /networks: Docker's Network objects (Containers empty, as dockerd lists them). */
  list(filters: Filters): Network[];
  /** GET /networks/{id}: with Containers (the running endpoints). NotFoundError "network X not found". */
  inspect(idOrName: string): Network;
  /** The record of an ID, name or unique ID prefix. NotFoundError "network X not found". */
  resolve(idOrName: string): NetworkRecord;
  /** DELETE /networks/{id}. ConflictError when endpoints are active; predefined networks refuse (403 in Docker). */
  remove(idOrName: string): Promise<void>;
  /** POST /networks/prune: user networks without endpoints; returns their names. */
  prune(filters: Filters): Promise<string[]>;

  // --- container sandboxes -------------------------------------------------
  setUp(req: SandboxRequest): Promise<Sandbox>;
  /**
   * setUp in two steps, so the runtime's create runs while the plugins plumb
   * (it needs only the netns path): see PreparedSandbox. tearDown waits for
   * the plumbing; the container's process must not start before `plumbed`.
   */
  prepare(req: SandboxRequest): Promise<PreparedSandbox>;
  /** Joins one more network while the container runs (docker network connect). */
  attach(containerId: string, req: EndpointRequest): Promise<Endpoint>;
  /** Leaves one network while the container runs. */
  detach(containerId: string, network: string): Promise<void>;
  /** Everything of the container's sandbox goes; a no-op when there is none. */
  tearDown(containerId: string): Promise<void>;
  /** The live sandbox of a container (for inspect, ps, port, --network container:<id>). */
  sandbox(containerId: string): Sandbox | undefined;
  /** At berthd start: keep the sandboxes of `running` containers, remove everything else. */
  reconcile(running: Set<string>): Promise<{ kept: number; removed: number }>;
  /** For system df / info: the number of networks. */
  count(): number;
}

/** How HostConfig.NetworkMode and EndpointsConfig become endpoint requests; kept here so the API and containers agree. */
export function endpointRequest(network: string, settings: EndpointSettings | undefined): EndpointRequest {
  const ipv4 = settings?.IPAMConfig?.IPv4Address;
  return {
    network,
    aliases: settings?.Aliases ?? [],
    ...(ipv4 ? { ipv4Address: ipv4 } : {}),
    ...(settings?.MacAddress ? { macAddress: settings.MacAddress } : {}),
  };
}
