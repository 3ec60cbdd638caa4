// Container sandboxes: the netns and, per network, an endpoint — an address
// chosen here, the CNI ADD that plumbs it, the DNS server that names it. Every
// step is recorded before it is done, so tearDown (and reconcile after a
// crash) can undo whatever exists. The caller holds the container's lock.
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { Endpoint, EndpointRequest, NetworkService, PreparedSandbox, Sandbox, SandboxRequest } from "./network-service.js";
import type { NetworkContext } from "./local-network-service.js";
import { newId } from "./local-network-service.js";
import { resolveNetwork } from "./resolve-network.js";
import { cniAdd, cniDel, type CniConfList, type CniResult } from "./cni.js";
import { endpointConfList, hostSideConfList, hostVeth } from "./endpoint-config.js";
import { checkRequestedAddress, exhausted, nextFreeAddress } from "./ipam.js";
import { createNetns, netnsInUse, removeNetns } from "./netns.js";
import { choosePorts, portRequests, toPortMap, type PortMapping } from "./ports.js";
import { ensureBridgeDevice } from "./predefined.js";
import { deviceGone } from "./host-devices.js";
import type { EndpointRow, NetworkRow } from "./records.js";
import { formatIp, parseCidr, parseIp, type Ipv4Ipam } from "./subnets.js";
import { sweepRules } from "./sweep-rules.js";
import type { DnsServers } from "./dns-servers.js";

type SandboxOps = Pick<NetworkService, "setUp" | "prepare" | "attach" | "detach" | "tearDown" | "sandbox">;

function ipamOf(net: NetworkRow): Ipv4Ipam {
  return {
    subnet: parseCidr(net.subnet!)!,
    gateway: parseIp(net.gateway!)!,
    ...(net.ipRange ? { ipRange: parseCidr(net.ipRange)! } : {}),
  };
}

export function createSandboxes(ctx: NetworkContext, dns: DnsServers): SandboxOps {
  const { records } = ctx;

  function endpointView(e: EndpointRow): Endpoint {
    const net = records.network(e.networkId);
    return {
      networkId: e.networkId,
      networkName: net?.name ?? "",
      endpointId: e.endpointId,
      ifname: e.ifname,
      ipAddress: e.ip,
      prefixLen: e.prefixLen,
      gateway: net?.internal ? "" : e.gateway,
      macAddress: e.mac,
      aliases: e.aliases,
      ...(dns.address(e.networkId) ? { dnsServer: dns.address(e.networkId)! } : {}),
    };
  }

  function sandboxView(containerId: string): Sandbox | undefined {
    const sb = records.sandbox(containerId);
    if (!sb) return undefined;
    return {
      netnsPath: sb.netnsPath,
      endpoints: records.endpointsOf(containerId).filter((e) => e.result !== undefined).map(endpointView),
      ports: toPortMap(records.portsOf(containerId)),
    };
  }

  /** The network an endpoint may join: a bridge network; "none" joins nothing; "host" cannot be joined by a sandbox. */
  function joinable(req: EndpointRequest): NetworkRow | undefined {
    const net = resolveNetwork(records, req.network);
    if (net.driver === "null") return undefined;
    if (net.driver === "host") throw new ForbiddenError("container cannot be disconnected from host network or connected to host network");
    if (req.ipv4Address) {
      if (net.name === "bridge") throw new InvalidArgumentError("user specified IP address is supported on user defined networks only");
      if (!net.userIpam) throw new InvalidArgumentError("user specified IP address is supported only when connecting to networks with user configured subnets");
    }
    return net;
  }

  /** Picks the address and records the endpoint with the CNI config made for it, in one transaction. */
  function allocate(net: NetworkRow, req: EndpointRequest, row: Omit<EndpointRow, "ip" | "prefixLen" | "gateway" | "conf">, confFor: (ip: string, prefixLen: number) => CniConfList): EndpointRow {
    const ipam = ipamOf(net);
    // A lost race for an address (two starts at once) only means: take the next one.
    for (let attempt = 0; attempt < 64; attempt++) {
      const used = new Set(records.addresses(net.id).map((a) => parseIp(a)!));
      const ip = req.ipv4Address ? checkRequestedAddress(ipam, req.ipv4Address, used) : nextFreeAddress(ipam, used);
      if (ip === undefined) throw exhausted(net.name);
      const text = formatIp(ip);
      const e: EndpointRow = { ...row, ip: text, prefixLen: ipam.subnet.prefix, gateway: net.gateway!, conf: JSON.stringify(confFor(text, ipam.subnet.prefix)) };
      if (records.insertEndpoint(e)) return e;
      if (req.ipv4Address) throw new ConflictError("Address already in use");
    }
    throw exhausted(net.name);
  }

  async function publish(containerId: string, endpointName: string, endpointId: string, ports: SandboxRequest["ports"]): Promise<PortMapping[]> {
    const reqs = portRequests(ports);
    if (reqs.length === 0) return [];
    for (let attempt = 0; ; attempt++) {
      const chosen = await choosePorts(reqs, { taken: records.ports(), endpointName, endpointId });
      if (records.insertPorts(containerId, chosen)) return chosen;
      // Another start took one of them between the check and the write: choose again.
      if (attempt >= 3) throw new ConflictError(`driver failed programming external connectivity on endpoint ${endpointName} (${endpointId}): port is already allocated`);
    }
  }

  /** Everything of an endpoint but its plumbing: the bridge, host ports, the address (recorded with its CNI config), the DNS server. */
  async function reserve(containerId: string, net: NetworkRow, req: EndpointRequest, opts: { ifname: string; ports: SandboxRequest["ports"] }): Promise<EndpointRow> {
    const sb = records.sandbox(containerId)!;
    await ensureBridgeDevice(ctx, net);
    const endpointId = newId();
    const mappings = !net.internal ? await publish(containerId, sb.name, endpointId, opts.ports) : [];
    const base = { endpointId, containerId, networkId: net.id, ifname: opts.ifname, mac: "", aliases: req.aliases };
    const row = allocate(net, req, base, (ip, prefixLen) =>
      endpointConfList(net, { ip, prefixLen, ports: mappings, ...(req.macAddress ? { mac: req.macAddress } : {}) }),
    );
    // Started before the ADD: its address (the gateway's) is what resolv.conf names, written before the plugins finish.
    await dns.ensure(net);
    return row;
  }

  /** CNI ADD of a reserved endpoint; a failure undoes the endpoint. Its names are served from here on (records.names). */
  async function plumb(containerId: string, row: EndpointRow, req: EndpointRequest): Promise<EndpointRow> {
    const sb = records.sandbox(containerId)!;
    try {
      const result = await cniAdd(JSON.parse(row.conf) as CniConfList, { containerId, netns: sb.netnsPath, ifname: row.ifname }, { path: ctx.cniPath });
      const mac = result.interfaces?.find((i) => i.sandbox && i.name === row.ifname)?.mac ?? req.macAddress ?? "";
      records.setEndpointResult(row.endpointId, { mac, result: JSON.stringify(result) });
      return { ...row, mac, result: JSON.stringify(result) };
    } catch (err) {
      await leave(containerId, row).catch((e: unknown) => ctx.log("warn", "undoing a failed CNI ADD", { container: containerId, error: String(e) }));
      throw err;
    }
  }

  /**
   * CNI DEL of one endpoint (with its recorded config and result), then its
   * rules and address go. With netnsGone, only the plugins that keep state
   * outside the netns are called (hostSideConfList).
   */
  async function leave(containerId: string, e: EndpointRow, opts: { netnsGone?: boolean } = {}): Promise<void> {
    const sb = records.sandbox(containerId);
    const recorded = e.conf ? (JSON.parse(e.conf) as CniConfList) : undefined;
    const prev = e.result ? (JSON.parse(e.result) as CniResult) : undefined;
    // The address is given out again only once the veth is gone: until then the dying netns could still answer ARP for it.
    const veth = opts.netnsGone && recorded ? hostVeth(recorded, prev) : undefined;
    const vethGone = veth ? deviceGone(veth, { timeoutMs: 2000 }) : Promise.resolve();
    try {
      if (recorded) {
        const conf = opts.netnsGone ? hostSideConfList(recorded) : recorded;
        await cniDel(conf, { containerId, netns: sb?.netnsPath ?? "", ifname: e.ifname }, prev, { path: ctx.cniPath });
      }
    } catch (err) {
      // DEL removes what ADD made; only when it could not is the safety net worth its iptables-save.
      ctx.log("warn", "CNI DEL failed; sweeping the endpoint's rules", { container: containerId, endpoint: e.endpointId, error: String(err) });
      await sweepRules({ containerIds: [containerId], ips: [e.ip] });
    } finally {
      await vethGone.catch((err: unknown) => ctx.log("warn", "deleting an endpoint's veth", { container: containerId, veth, error: String(err) }));
      records.deleteEndpoint(e.endpointId);
    }
  }

  /** Plumbing prepare() left running, by container: tearDown waits for it, or a DEL could run before the ADD it undoes. */
  const plumbing = new Map<string, Promise<unknown>>();

  async function tearDown(containerId: string): Promise<void> {
    await plumbing.get(containerId)?.catch(() => undefined);
    await tearDownNow(containerId);
  }

  async function tearDownNow(containerId: string): Promise<void> {
    const sb = records.sandbox(containerId);
    if (!sb) return;
    const endpoints = [...records.endpointsOf(containerId)].reverse();
    const leaveAll = async (opts: { netnsGone?: boolean }) => {
      for (const e of endpoints) await leave(containerId, e, opts).catch((err: unknown) => ctx.log("warn", "endpoint teardown", { container: containerId, error: String(err) }));
    };
    // The netns goes first unless a joined container still lives in it: its
    // veths go with it, so only host-side state needs its plugin (hostSideConfList).
    if (await netnsInUse(sb.netnsPath)) {
      await leaveAll({});
      await removeNetns(sb.netnsPath);
    } else {
      await removeNetns(sb.netnsPath);
      await leaveAll({ netnsGone: true });
    }
    records.deleteSandbox(containerId);
  }

  const undo = (containerId: string) => (err: unknown) =>
    tearDownNow(containerId).then(
      () => Promise.reject(err),
      (e: unknown) => {
        ctx.log("warn", "undoing a failed network setup", { container: containerId, error: String(e) });
        return Promise.reject(err);
      },
    );

  async function prepare(req: SandboxRequest): Promise<PreparedSandbox> {
    const id = req.containerId;
    // Resolve everything first: a bad request changes nothing.
    const joins = req.networks.flatMap((n) => {
      const net = joinable(n);
      return net ? [{ req: n, net }] : [];
    });
    await tearDown(id);
    const netnsPath = `${ctx.netnsDir}/${id}`;
    records.insertSandbox({ containerId: id, name: req.name, hostname: req.hostname, netnsPath, dns: req.dns ?? [] });
    const rows: EndpointRow[] = [];
    try {
      await createNetns(ctx.netnsDir, id);
      for (const [index, { req: r, net }] of joins.entries()) {
        rows.push(await reserve(id, net, r, { ifname: `eth${index}`, ports: index === 0 ? req.ports : {} }));
      }
    } catch (err) {
      return undo(id)(err);
    }
    const planned = { netnsPath, endpoints: rows.map(endpointView), ports: toPortMap(records.portsOf(id)) };
    const plumbed = (async () => {
      // One after another, eth0 first, as the plugins expect of one netns.
      for (const [index, row] of rows.entries()) await plumb(id, row, joins[index]!.req);
      return sandboxView(id)!;
    })();
    plumbing.set(id, plumbed);
    void plumbed.catch(() => undefined).then(() => {
      if (plumbing.get(id) === plumbed) plumbing.delete(id);
    });
    return { planned, plumbed };
  }

  return {
    async setUp(req) {
      return (await prepare(req)).plumbed.catch(undo(req.containerId));
    },

    prepare,

    async attach(containerId, req) {
      const sb = records.sandbox(containerId);
      if (!sb) throw new ConflictError(`container ${containerId} is not running`);
      const net = joinable(req);
      if (!net) throw new ForbiddenError("container cannot be connected to the none network while it runs");
      const existing = records.endpointsOf(containerId);
      if (existing.some((e) => e.networkId === net.id)) throw new ForbiddenError(`endpoint with name ${sb.name} already exists in network ${net.name}`);
      const used = new Set(existing.map((e) => e.ifname));
      let n = 0;
      while (used.has(`eth${n}`)) n++;
      const row = await reserve(containerId, net, req, { ifname: `eth${n}`, ports: {} });
      return endpointView(await plumb(containerId, row, req));
    },

    async detach(containerId, network) {
      const net = resolveNetwork(records, network);
      const e = records.endpointsOf(containerId).find((x) => x.networkId === net.id);
      if (!e) throw new NotFoundError(`container ${containerId} is not connected to network ${net.name}`);
      await leave(containerId, e);
    },

    tearDown,
    sandbox: sandboxView,
  };
}
