// berth network create: the docker CLI's flags, its IPAM consolidation (each
// --ip-range and --gateway finds its --subnet) and its errors; prints the ID.
import { BlockList, isIP } from "node:net";
import { InvalidArgumentError, type Command } from "commander";
import type { IPAM } from "../../api/types/index.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../usage-error.js";

interface Flags {
  driver: string;
  subnet?: string[];
  gateway?: string[];
  ipRange?: string[];
  auxAddress?: Record<string, string>;
  internal?: boolean;
  attachable?: boolean;
  label?: string[];
  opt?: Record<string, string>;
  ipamDriver: string;
  ipamOpt?: Record<string, string>;
}

/** pflag's StringSlice: repeatable, and each value may hold several, comma-separated. */
function stringSlice(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",")];
}

/** The docker CLI's MapOpts: "k=v" (a bare "k" maps to ""). */
function mapOpt(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf("=");
  return { ...previous, [eq < 0 ? value : value.slice(0, eq)]: eq < 0 ? "" : value.slice(eq + 1) };
}

/** opts.ValidateLabel: a key, no blanks in it; the value optional. */
function label(value: string, previous: string[] | undefined): string[] {
  const key = value.split("=")[0].trimStart();
  if (key === "") throw new InvalidArgumentError(`invalid label '${value}': empty name`);
  if (/\s/.test(key)) throw new InvalidArgumentError(`label '${key}' contains whitespaces`);
  return [...(previous ?? []), value];
}

/** opts.ConvertKVStringsToMap. */
function toMap(list: string[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((kv) => (kv.includes("=") ? [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] : [kv, ""])));
}

/** Go's net.ParseCIDR, host bits allowed: the block as a BlockList, undefined when malformed. */
function parseCidr(text: string): { ip: string; block: BlockList } | undefined {
  const slash = text.indexOf("/");
  const ip = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  const family = isIP(ip);
  if (slash < 0 || family === 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return undefined;
  const block = new BlockList();
  block.addSubnet(ip, Number(bits), family === 4 ? "ipv4" : "ipv6");
  return { ip, block };
}

/** subnetMatches: whether an address, or a CIDR block's address, is inside the subnet. */
function subnetMatches(subnet: string, data: string): boolean {
  const s = parseCidr(subnet);
  if (!s) throw new UsageError(`invalid subnet: invalid CIDR address: ${subnet}`);
  let ip = data;
  if (data.includes("/")) {
    const d = parseCidr(data);
    if (!d) throw new UsageError(`invalid CIDR address: ${data}`);
    ip = d.ip;
  }
  const family = isIP(ip);
  return family !== 0 && s.block.check(ip, family === 4 ? "ipv4" : "ipv6");
}

type IpamConfig = NonNullable<IPAM["Config"]>[number];

/** The docker CLI's consolidateIpam: one config per subnet, ranges, gateways and aux addresses placed in theirs. */
export function consolidateIpam(subnets: string[], ranges: string[], gateways: string[], aux: Record<string, string>): IpamConfig[] {
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    throw new UsageError("every ip-range or gateway must have a corresponding subnet");
  }
  const configs = new Map<string, IpamConfig>();
  for (const s of subnets) {
    for (const k of configs.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new UsageError("multiple overlapping subnet configuration is not supported");
    }
    configs.set(s, { Subnet: s, AuxiliaryAddresses: {} });
  }
  const place = (values: string[], field: "IPRange" | "Gateway", what: { multiple: string; none: string }) => {
    for (const v of values) {
      let match = false;
      for (const s of subnets) {
        if (!subnetMatches(s, v)) continue;
        const cfg = configs.get(s)!;
        if (cfg[field]) throw new UsageError(`cannot configure multiple ${what.multiple} (${v}, ${cfg[field]}) ${field === "IPRange" ? "on" : "for"} the same subnet (${s})`);
        cfg[field] = v;
        match = true;
      }
      if (!match) throw new UsageError(`no matching subnet for ${what.none} ${v}`);
    }
  };
  place(ranges, "IPRange", { multiple: "ranges", none: "range" });
  place(gateways, "Gateway", { multiple: "gateways", none: "gateway" });
  for (const [key, address] of Object.entries(aux)) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, address)) continue;
      configs.get(s)!.AuxiliaryAddresses![key] = address;
      match = true;
    }
    if (!match) throw new UsageError(`no matching subnet for aux-address ${address}`);
  }
  return [...configs.values()];
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] NETWORK")
    .description("Create a network")
    .option("--attachable", "Enable manual container attachment")
    .option("--aux-address <map>", "Auxiliary IPv4 or IPv6 addresses used by Network driver", mapOpt)
    .option("-d, --driver <string>", "Driver to manage the Network", "bridge")
    .option("--gateway <strings>", "IPv4 or IPv6 Gateway for the master subnet", stringSlice)
    .option("--internal", "Restrict external access to the network")
    .option("--ip-range <strings>", "Allocate container ip from a sub-range", stringSlice)
    .option("--ipam-driver <string>", "IP Address Management Driver", "default")
    .option("--ipam-opt <map>", "Set IPAM driver specific options", mapOpt)
    .option("--label <list>", "Set metadata on a network", label)
    .option("-o, --opt <map>", "Set driver specific options", mapOpt)
    .option("--subnet <strings>", "Subnet in CIDR format that represents a network segment", stringSlice);
  action<Flags>(cmd, { min: 1, max: 1 }, async ([name], flags) => {
    const config = consolidateIpam(flags.subnet ?? [], flags.ipRange ?? [], flags.gateway ?? [], flags.auxAddress ?? {});
    const created = await ctx.client().networks.create({
      Name: name,
      Driver: flags.driver,
      Options: flags.opt ?? {},
      IPAM: { Driver: flags.ipamDriver, Config: config, Options: flags.ipamOpt ?? {} },
      Internal: flags.internal ?? false,
      Attachable: flags.attachable ?? false,
      Labels: toMap(flags.label),
    });
    ctx.out(`${created.Id}\n`);
  }, ctx);
}
