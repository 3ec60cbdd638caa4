// `-p/--publish` and `--expose` read as the docker CLI reads them: the long
// form (`published=8080,target=80`) turned into the short one, then
// go-connections' nat.ParsePortSpecs, whose error messages scripts know.
import { isIP } from "node:net";
import type { PortMap } from "../../api/types/index.js";
import { UsageError } from "../usage-error.js";

export type PortSet = Record<string, Record<string, never>>;

/** Go's strconv.ParseUint(s, 10, 16), as nat.ParsePortRange applies it. */
function parseUint16(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (n > 65535) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  return n;
}

/** nat.ParsePortRange: "80" or "8000-8010" (only the first two parts of a longer dash list count, as in Go). */
export function parsePortRange(ports: string): [number, number] {
  if (ports === "") throw new Error("empty string specified for ports");
  if (!ports.includes("-")) {
    const n = parseUint16(ports);
    return [n, n];
  }
  const parts = ports.split("-");
  const start = parseUint16(parts[0]);
  const end = parseUint16(parts[1]);
  if (end < start) throw new Error(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** "80/udp" → ["udp", "80"]; no protocol is tcp; nothing before the slash is nothing at all. */
function splitProtoPort(raw: string): [string, string] {
  const slash = raw.indexOf("/");
  const port = slash < 0 ? raw : raw.slice(0, slash);
  const proto = slash < 0 ? "" : raw.slice(slash + 1);
  if (port === "") return ["", ""];
  return [proto === "" ? "tcp" : proto, port];
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(":");
  if (parts.length === 1) return ["", "", parts[0]];
  if (parts.length === 2) return ["", parts[0], parts[1]];
  const n = parts.length;
  return [parts.slice(0, n - 2).join(":"), parts[n - 2], parts[n - 1]];
}

interface PortMapping {
  port: string;
  hostIp: string;
  hostPort: string;
}

/** nat.ParsePortSpec: "[ip:][hostPort:]containerPort[/proto]", ranges on either side. */
export function parsePortSpec(raw: string): PortMapping[] {
  const [rawIp, hostPort, rawContainer] = splitParts(raw);
  const [rawProto, containerPort] = splitProtoPort(rawContainer);
  const proto = rawProto.toLowerCase();
  if (!["tcp", "udp", "sctp"].includes(proto)) throw new UsageError(`invalid proto: ${proto}`);
  let ip = rawIp;
  if (ip.startsWith("[")) {
    // An IPv6 address in brackets, as Go's net.SplitHostPort(ip + ":") takes it apart.
    const m = /^\[([^\]]*)\]$/.exec(ip);
    if (!m) throw new UsageError(`invalid IP address ${ip}: address ${ip}:: missing ']' in address`);
    ip = m[1];
  }
  if (ip !== "" && isIP(ip) === 0) throw new UsageError(`invalid IP address: ${ip}`);
  if (containerPort === "") throw new UsageError(`no port specified: ${raw}<empty>`);
  let start: number, end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new UsageError(`invalid containerPort: ${containerPort}`);
  }
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPort !== "") {
    try {
      [hostStart, hostEnd] = parsePortRange(hostPort);
    } catch {
      throw new UsageError(`invalid hostPort: ${hostPort}`);
    }
    // A host range for one container port is the range to pick a free port from.
    if (end - start !== hostEnd - hostStart && end !== start) {
      throw new UsageError(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  const count = end - start + 1;
  return Array.from({ length: count }, (_, i) => {
    let hPort = "";
    if (hostPort !== "") {
      hPort = String(hostStart + i);
      if (count === 1 && hostStart !== hostEnd) hPort += `-${hostEnd}`;
    }
    return { port: `${start + i}/${proto}`, hostIp: ip, hostPort: hPort };
  });
}

/** The long syntax ("target=80,published=8080,protocol=udp") in the short one, as the docker CLI converts it. */
function toStandardNotation(publish: string): string {
  if (!publish.includes("=")) return publish;
  const params: Record<string, string> = { protocol: "tcp" };
  for (const param of publish.split(",")) {
    const eq = param.indexOf("=");
    if (eq <= 0) throw new UsageError(`invalid publish opts format (should be name=value but got '${param}')`);
    params[param.slice(0, eq)] = param.slice(eq + 1);
  }
  return `${params.published ?? ""}:${params.target ?? ""}/${params.protocol}`;
}

/** -p flags → ExposedPorts and PortBindings (nat.ParsePortSpecs). */
export function parsePublish(specs: string[]): { exposed: PortSet; bindings: PortMap } {
  const exposed: PortSet = {};
  const bindings: PortMap = {};
  for (const spec of specs.map(toStandardNotation)) {
    for (const m of parsePortSpec(spec)) {
      exposed[m.port] = {};
      bindings[m.port] = [...(bindings[m.port] ?? []), { HostIp: m.hostIp, HostPort: m.hostPort }];
    }
  }
  return { exposed, bindings };
}

/** --expose "80", "80/udp" or "8000-8002": more exposed ports, never published by themselves. */
export function parseExpose(values: string[], exposed: PortSet): PortSet {
  const out = { ...exposed };
  for (const e of values) {
    if (e.includes(":")) throw new UsageError(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    let start: number, end: number;
    try {
      [start, end] = parsePortRange(port);
    } catch (err) {
      throw new UsageError(`invalid range format for --expose: ${e}, error: ${(err as Error).message}`);
    }
    for (let p = start; p <= end; p++) out[`${p}/${proto}`] = {};
  }
  return out;
}
