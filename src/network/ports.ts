// Published ports: HostConfig.PortBindings expanded into single mappings
// (ranges, a random host port for an empty HostPort, 0.0.0.0 for an empty
// HostIp), and the host ports chosen with dockerd's checks and words — one a
// berth container already publishes, one a host process listens on.
import { createServer } from "node:net";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import type { PortMap } from "../api/types/index.js";
import { ConflictError, InvalidArgumentError, isErrno } from "../errors.js";

export type Protocol = "tcp" | "udp" | "sctp";

/** One container port to publish; hostPorts undefined asks for a random port. */
export interface PortRequest {
  hostIp: string;
  hostPorts?: [number, number];
  containerPort: number;
  protocol: Protocol;
}

export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: Protocol;
}

function parseRange(text: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 1 || hi > 65535 || hi < lo) throw new InvalidArgumentError(`invalid ${what}: ${text}`);
  return [lo, hi];
}

/** PortBindings → requests. IPv6 host addresses are skipped: berth's networks are IPv4 only. */
export function portRequests(map: PortMap): PortRequest[] {
  const out: PortRequest[] = [];
  for (const [key, bindings] of Object.entries(map)) {
    const [portText = "", proto = "tcp"] = key.split("/");
    if (proto !== "tcp" && proto !== "udp" && proto !== "sctp") throw new InvalidArgumentError(`invalid proto: ${proto}`);
    const [lo, hi] = parseRange(portText, "containerPort");
    for (const b of bindings ?? []) {
      const hostIp = b.HostIp || "0.0.0.0";
      if (hostIp.includes(":")) continue;
      const hostPort = b.HostPort && b.HostPort !== "0" ? parseRange(b.HostPort, "hostPort") : undefined;
      for (let port = lo; port <= hi; port++) {
        let hostPorts = hostPort;
        // A container range maps onto a host range of the same length, port by port.
        if (hostPort && hi > lo) {
          if (hostPort[1] - hostPort[0] !== hi - lo) throw new InvalidArgumentError(`invalid hostPort: ${b.HostPort}`);
          hostPorts = [hostPort[0] + port - lo, hostPort[0] + port - lo];
        }
        out.push({ hostIp, containerPort: port, protocol: proto, ...(hostPorts ? { hostPorts } : {}) });
      }
    }
  }
  return out;
}

/** Two mappings want the same socket: same port and protocol, and the same address or a wildcard. */
export function sameSocket(a: Omit<PortMapping, "containerPort">, b: Omit<PortMapping, "containerPort">): boolean {
  return a.hostPort === b.hostPort && a.protocol === b.protocol && (a.hostIp === b.hostIp || a.hostIp === "0.0.0.0" || b.hostIp === "0.0.0.0");
}

/** Mappings in PortBindings' shape, as inspect's NetworkSettings.Ports shows them. */
export function toPortMap(mappings: PortMapping[]): PortMap {
  const out: PortMap = {};
  for (const m of mappings) {
    (out[`${m.containerPort}/${m.protocol}`] ??= []).push({ HostIp: m.hostIp, HostPort: String(m.hostPort) });
  }
  return out;
}

/** The kernel's ephemeral range, where dockerd picks random host ports. */
export function localPortRange(file = "/proc/sys/net/ipv4/ip_local_port_range"): [number, number] {
  const [lo, hi] = readFileSync(file, "utf8").trim().split(/\s+/).map(Number);
  return lo && hi ? [lo, hi] : [32768, 60999];
}

/** Why a host process keeps us from a port (dockerd's userland proxy words), or undefined when it is free. */
export async function hostPortBusy(m: Omit<PortMapping, "containerPort">): Promise<string | undefined> {
  if (m.protocol === "sctp") return undefined;
  try {
    await (m.protocol === "tcp" ? tryListen(m.hostIp, m.hostPort) : tryBind(m.hostIp, m.hostPort));
    return undefined;
  } catch (err) {
    const where = `listen ${m.protocol}4 ${m.hostIp}:${m.hostPort}`;
    if (isErrno(err, "EADDRINUSE")) return `${where}: bind: address already in use`;
    if (isErrno(err, "EADDRNOTAVAIL")) return `${where}: bind: cannot assign requested address`;
    if (isErrno(err, "EACCES")) return `${where}: bind: permission denied`;
    throw err;
  }
}

function tryListen(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

function tryBind(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", (err) => {
      socket.close();
      reject(err);
    });
    socket.bind({ address, port, exclusive: true }, () => socket.close(() => resolve()));
  });
}

export interface ChoosePortsOptions {
  /** Mappings other containers hold (the records). */
  taken: PortMapping[];
  /** For the message: the endpoint (container) name and ID. */
  endpointName: string;
  endpointId: string;
  range?: [number, number];
}

/** Picks the host port of every request; throws dockerd's errors when one is taken. */
export async function choosePorts(reqs: PortRequest[], opts: ChoosePortsOptions): Promise<PortMapping[]> {
  const chosen: PortMapping[] = [];
  const prefix = `driver failed programming external connectivity on endpoint ${opts.endpointName} (${opts.endpointId})`;
  const inUse = (m: Omit<PortMapping, "containerPort">) => [...opts.taken, ...chosen].some((t) => sameSocket(t, m));
  for (const req of reqs) {
    const [lo, hi] = req.hostPorts ?? opts.range ?? localPortRange();
    // A random port starts anywhere in the range, so concurrent starts seldom race for one.
    const start = req.hostPorts ? lo : lo + Math.floor(Math.random() * (hi - lo + 1));
    let picked: PortMapping | undefined;
    let lastWhy: string | undefined;
    for (let i = 0; i <= hi - lo && !picked; i++) {
      const hostPort = lo + ((start - lo + i) % (hi - lo + 1));
      const m = { hostIp: req.hostIp, hostPort, containerPort: req.containerPort, protocol: req.protocol };
      if (inUse(m)) {
        lastWhy = `Bind for ${req.hostIp}:${hostPort} failed: port is already allocated`;
        continue;
      }
      const busy = await hostPortBusy(m);
      if (busy) lastWhy = `Error starting userland proxy: ${busy}`;
      else picked = m;
    }
    if (!picked) throw new ConflictError(`${prefix}: ${req.hostPorts && lo === hi ? lastWhy : `Bind for ${req.hostIp}:${lo}-${hi} failed: all ports are allocated`}`);
    chosen.push(picked);
  }
  return chosen;
}
