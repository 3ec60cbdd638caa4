// The networking flags of `run` and `create`, and the parts of the create body
// they fill in, as the docker CLI (API ≥ 1.44) sends them: the first
// --network is HostConfig.NetworkMode, every --network has its entry in
// NetworkingConfig.EndpointsConfig, and --network-alias/--ip/--mac-address
// apply to the first one.
import { isIP } from "node:net";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { ContainerCreateBody, EndpointSettings, HostConfig } from "../../api/types/index.js";
import { collect } from "../args.js";
import { UsageError } from "../usage-error.js";
import { parseExpose, parsePublish, type PortSet } from "./network-ports.js";

/** One --network flag: a name, or the advanced form "name=front,alias=web,ip=…". */
export interface NetworkAttachment {
  target: string;
  aliases: string[];
  ipv4Address?: string;
  ipv6Address?: string;
  macAddress?: string;
  linkLocalIps: string[];
  driverOpts: Record<string, string>;
}

export interface NetworkFlags {
  network?: NetworkAttachment[];
  networkAlias?: string[];
  ip?: string;
  ip6?: string;
  macAddress?: string;
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  addHost?: string[];
}

export function addNetworkFlags(cmd: Command): Command {
  return cmd
    .option("--add-host <list>", "Add a custom host-to-IP mapping (host:ip)", validated(validateExtraHost))
    .option("--dns <list>", "Set custom DNS servers", validated(validateIpAddress))
    .option("--dns-option <list>", "Set DNS options", collect)
    .option("--dns-search <list>", "Set custom DNS search domains", validated(validateDnsSearch))
    .option("--expose <list>", "Expose a port or a range of ports", collect)
    .option("--ip <string>", "IPv4 address (e.g., 172.30.100.104)")
    .option("--ip6 <string>", "IPv6 address (e.g., 2001:db8::33)")
    .option("--mac-address <string>", "Container MAC address (e.g., 92:d0:c6:0a:29:33)")
    .option("--network <network>", "Connect a container to a network", networkFlag)
    .addOption(new Option("--net <network>").hideHelp().argParser(networkFlag))
    .option("--network-alias <list>", "Add network-scoped alias for the container", collect)
    .addOption(new Option("--net-alias <list>").hideHelp().argParser(collect))
    .option("-p, --publish <list>", "Publish a container's port(s) to the host", collect)
    .option("-P, --publish-all", "Publish all exposed ports to random ports");
}

/** A repeatable flag whose every value is checked (and normalised) as pflag's validators do. */
function validated(check: (value: string) => string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    try {
      return [...(previous ?? []), check(value)];
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/** opts.ValidateExtraHost: "name:ip" or "name=ip", the IP possibly in brackets, or the magic "host-gateway". */
export function validateExtraHost(value: string): string {
  let sep = value.indexOf("=");
  if (sep < 0) sep = value.indexOf(":");
  const name = sep < 0 ? "" : value.slice(0, sep);
  let ip = sep < 0 ? "" : value.slice(sep + 1);
  if (sep < 0 || name === "" || name.includes(":")) throw new Error(`bad format for add-host: ${JSON.stringify(value)}`);
  if (ip !== "host-gateway") {
    if (ip.length > 2 && ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
    if (isIP(ip) === 0) throw new Error(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  }
  return `${name}:${ip}`;
}

/** opts.ValidateIPAddress: surrounding blanks are dropped. */
export function validateIpAddress(value: string): string {
  const ip = value.trim();
  if (isIP(ip) === 0) throw new Error(`IP address is not correctly formatted: ${value}`);
  return ip;
}

const DOMAIN = /^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)\.?\s*$/;

/** opts.ValidateDNSSearch: "." (no search domain) or a domain name with a letter in it. */
export function validateDnsSearch(value: string): string {
  const v = value.replace(/^ +| +$/g, "");
  if (v === ".") return v;
  const m = DOMAIN.exec(v);
  if (!/[a-zA-Z]/.test(v) || !m || m[1].length >= 255) throw new Error(`${v} is not a valid domain`);
  return m[1];
}

const LONG_SYNTAX = /\w+=\w+(,\w+=\w+)*/;

/** opts.NetworkOpt.Set: a plain name, or comma-separated key=value fields. */
export function parseNetworkAttachment(value: string): NetworkAttachment {
  const att: NetworkAttachment = { target: value, aliases: [], linkLocalIps: [], driverOpts: {} };
  if (!LONG_SYNTAX.test(value)) return att;
  att.target = "";
  for (const field of splitCsv(value)) {
    const eq = field.indexOf("=");
    if (eq <= 0) throw new Error(`invalid field ${field}`);
    const key = field.slice(0, eq).trim().toLowerCase();
    const val = field.slice(eq + 1).trim();
    if (key === "name") att.target = val;
    else if (key === "alias") att.aliases.push(val);
    else if (key === "ip") att.ipv4Address = val;
    else if (key === "ip6") att.ipv6Address = val;
    else if (key === "mac-address") att.macAddress = val;
    else if (key === "link-local-ip") att.linkLocalIps.push(val);
    else if (key === "driver-opt") {
      const [k, ...rest] = val.split("=");
      att.driverOpts[k.trim().toLowerCase()] = rest.join("=").trim();
    } else throw new Error(`invalid field key ${key}`);
  }
  if (att.target === "") throw new Error("network name/id is not specified");
  return att;
}

/** Go's encoding/csv for one record: fields may be quoted to hold commas. */
function splitCsv(text: string): string[] {
  const fields: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === "") quoted = true;
    else if (c === ",") {
      fields.push(cur);
      cur = "";
    } else cur += c;
  }
  fields.push(cur);
  return fields;
}

function networkFlag(value: string, previous: NetworkAttachment[] | undefined): NetworkAttachment[] {
  try {
    return [...(previous ?? []), parseNetworkAttachment(value)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** container.NetworkMode(x).IsUserDefined(): anything but the built-in modes. */
function isUserDefined(mode: string): boolean {
  return !["default", "bridge", "host", "none"].includes(mode) && !mode.startsWith("container:");
}

const MAC = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;

function endpointSettings(att: NetworkAttachment): EndpointSettings {
  if (att.target.trim() === "") throw new UsageError("no name set for network");
  if (!isUserDefined(att.target) && att.aliases.length > 0) {
    throw new UsageError("network-scoped aliases are only supported for user-defined networks");
  }
  const ep: EndpointSettings = {};
  if (att.aliases.length > 0) ep.Aliases = [...att.aliases];
  if (Object.keys(att.driverOpts).length > 0) ep.DriverOpts = att.driverOpts;
  if (att.ipv4Address || att.ipv6Address || att.linkLocalIps.length > 0) {
    ep.IPAMConfig = {
      ...(att.ipv4Address ? { IPv4Address: att.ipv4Address } : {}),
      ...(att.ipv6Address ? { IPv6Address: att.ipv6Address } : {}),
      ...(att.linkLocalIps.length > 0 ? { LinkLocalIPs: att.linkLocalIps } : {}),
    };
  }
  if (att.macAddress) {
    if (!MAC.test(att.macAddress)) throw new UsageError(`${att.macAddress} is not a valid mac address`);
    ep.MacAddress = att.macAddress;
  }
  return ep;
}

/** The plain flags (--network-alias, --ip, --ip6, --mac-address) belong to the first network. */
function withContainerOptions(att: NetworkAttachment, flags: NetworkFlags & { netAlias?: string[] }): NetworkAttachment {
  const aliases = [...(flags.networkAlias ?? []), ...(flags.netAlias ?? [])];
  const conflict = (what: string) => new UsageError(`conflicting options: cannot specify both ${what}`);
  if (att.aliases.length > 0 && aliases.length > 0) throw conflict("--network-alias and per-network alias");
  if (att.ipv4Address && flags.ip) throw conflict("--ip and per-network IPv4 address");
  if (att.ipv6Address && flags.ip6) throw conflict("--ip6 and per-network IPv6 address");
  if (att.macAddress && flags.macAddress) throw conflict("--mac-address and per-network MAC address");
  return {
    ...att,
    aliases: aliases.length > 0 ? aliases : att.aliases,
    ipv4Address: flags.ip || att.ipv4Address,
    ipv6Address: flags.ip6 || att.ipv6Address,
    macAddress: flags.macAddress || att.macAddress,
  };
}

export interface NetworkFields {
  host: Pick<HostConfig, "NetworkMode" | "PortBindings" | "PublishAllPorts" | "Dns" | "DnsSearch" | "DnsOptions" | "ExtraHosts">;
  exposedPorts?: PortSet;
  /** Config.MacAddress: the first network's MAC, for daemons older than API 1.44. */
  macAddress?: string;
  networkingConfig?: ContainerCreateBody["NetworkingConfig"];
}

/** What the networking flags put in the create body; UsageError with the docker CLI's words when they are wrong. */
export function networkFields(flags: NetworkFlags & { net?: NetworkAttachment[]; netAlias?: string[] }): NetworkFields {
  if (flags.macAddress && !MAC.test(flags.macAddress)) throw new UsageError(`${flags.macAddress} is not a valid mac address`);
  const { exposed, bindings } = parsePublish(flags.publish ?? []);
  const exposedPorts = parseExpose(flags.expose ?? [], exposed);
  const attachments = [...(flags.network ?? []), ...(flags.net ?? [])];
  const endpoints: Record<string, EndpointSettings> = {};
  if (attachments.length === 0) {
    // No --network: the plain flags go to the default network, and only when there is something to say.
    const ep = endpointSettings(withContainerOptions({ target: "default", aliases: [], linkLocalIps: [], driverOpts: {} }, flags));
    if (Object.keys(ep).length > 0) endpoints.default = ep;
  }
  let userDefined = false;
  let builtIn = false;
  attachments.forEach((raw, i) => {
    const att = i === 0 ? withContainerOptions(raw, flags) : raw;
    if (isUserDefined(att.target)) userDefined = true;
    else builtIn = true;
    const ep = endpointSettings(att);
    if (att.target in endpoints) throw new UsageError(`network ${JSON.stringify(att.target)} is specified multiple times`);
    // A single network without options needs no entry: the daemon makes one, as for older clients.
    if (attachments.length === 1 && Object.keys(ep).length === 0) return;
    endpoints[att.target] = ep;
  });
  if (userDefined && builtIn) throw new UsageError("conflicting options: cannot attach both user-defined and non-user-defined network-modes");
  const mode = attachments[0]?.target ?? "default";
  const main = endpoints[mode];
  return {
    host: {
      NetworkMode: mode,
      ...(Object.keys(bindings).length > 0 ? { PortBindings: bindings } : {}),
      ...(flags.publishAll ? { PublishAllPorts: true } : {}),
      ...(flags.dns?.length ? { Dns: flags.dns } : {}),
      ...(flags.dnsSearch?.length ? { DnsSearch: flags.dnsSearch } : {}),
      ...(flags.dnsOption?.length ? { DnsOptions: flags.dnsOption } : {}),
      ...(flags.addHost?.length ? { ExtraHosts: flags.addHost } : {}),
    },
    ...(Object.keys(exposedPorts).length > 0 ? { exposedPorts } : {}),
    ...(main?.MacAddress ? { macAddress: main.MacAddress } : {}),
    ...(Object.keys(endpoints).length > 0 ? { networkingConfig: { EndpointsConfig: endpoints } } : {}),
  };
}

