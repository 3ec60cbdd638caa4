// IPv4 arithmetic for networks: addresses as unsigned 32-bit numbers (read by
// ip-prefix.ts, the folder's one parser), CIDR blocks, a new network's IPAM
// (checked by ipam-problems.ts, the rules the API edge reports too), and the
// choice of a free subnet from the address pools. Pure: the host's routes come in as data.
import { InvalidArgumentError } from "../errors.js";
import { parseAddr, parsePrefix } from "./ip-prefix.js";
import { ipamConfigProblems, type IpamConfig } from "./ipam-problems.js";

export interface Cidr {
  /** The first address of the block (the masked address for a subnet). */
  base: number;
  prefix: number;
}

/** daemon.json "default-address-pools": split `base` into blocks of /`size`. */
export interface AddressPool {
  base: string;
  size: number;
}

/** dockerd's defaults: 172.17-31.0.0/16 one by one, then 192.168.0.0/16 cut into /20s. */
export const defaultAddressPools: AddressPool[] = [
  { base: "172.17.0.0/16", size: 16 },
  { base: "172.18.0.0/16", size: 16 },
  { base: "172.19.0.0/16", size: 16 },
  { base: "172.20.0.0/14", size: 16 },
  { base: "172.24.0.0/14", size: 16 },
  { base: "172.28.0.0/14", size: 16 },
  { base: "192.168.0.0/16", size: 20 },
];

export function parseIp(text: string): number | undefined {
  const addr = parseAddr(text);
  return addr?.family === 4 ? Number(addr.value) : undefined;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** "10.1.2.3/24" → {base: 10.1.2.3, prefix: 24}; the address is kept as given (see masked). */
export function parseCidr(text: string): Cidr | undefined {
  const p = parsePrefix(text);
  return p?.addr.family === 4 ? { base: Number(p.addr.value), prefix: p.bits } : undefined;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function masked(c: Cidr): Cidr {
  const size = blockSize(c.prefix);
  return { base: Math.floor(c.base / size) * size, prefix: c.prefix };
}

export function contains(c: Cidr, ip: number): boolean {
  const m = masked(c);
  return ip >= m.base && ip < m.base + blockSize(c.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const ma = masked(a);
  const mb = masked(b);
  return ma.base < mb.base + blockSize(mb.prefix) && mb.base < ma.base + blockSize(ma.prefix);
}

/** The usual gateway: the first address after the network address. */
export function firstHost(subnet: Cidr): number {
  return masked(subnet).base + 1;
}

/** The broadcast address (the last of the block). */
export function lastAddress(subnet: Cidr): number {
  return masked(subnet).base + blockSize(subnet.prefix) - 1;
}

/** A network's IPAM as berth keeps it: subnet masked, gateway set. */
export interface Ipv4Ipam {
  subnet: Cidr;
  gateway: number;
  ipRange?: Cidr;
}

/** The user's IPv4 IPAM.Config entry (--subnet, --gateway, --ip-range), with dockerd's checks and messages. */
export function validateIpamConfig(cfg: IpamConfig): Ipv4Ipam {
  if (!cfg.Subnet) {
    // dockerd's IPAM says this when a gateway or range comes without a subnet (the CLI catches it first).
    const what = cfg.Gateway ? `gateway ${cfg.Gateway}` : `range ${cfg.IPRange ?? ""}`;
    throw new InvalidArgumentError(`no matching subnet for ${what}`);
  }
  const errs = ipamConfigProblems(cfg);
  // Bulleted even when alone, unlike the API edge's message: the service's wording as it always was.
  if (errs.length > 0) throw new InvalidArgumentError(`invalid network config:\n* ${errs.join("\n* ")}`);
  const subnet = parseCidr(cfg.Subnet);
  if (!subnet) throw new InvalidArgumentError(`invalid subnet ${cfg.Subnet}: berth's bridge networks are IPv4 only`);
  if (subnet.prefix > 30) throw new InvalidArgumentError(`invalid pool request: subnet ${cfg.Subnet} is too small for a bridge network`);
  const m = masked(subnet);
  // Sound by now: a gateway and a range, when given, are IPv4 and inside the subnet.
  const gateway = parseIp(cfg.Gateway ?? "") ?? firstHost(m);
  if (gateway === m.base || gateway === lastAddress(m)) {
    throw new InvalidArgumentError(`failed to allocate gateway (${formatIp(gateway)}): Address already in use`);
  }
  const ipRange = parseCidr(cfg.IPRange ?? "");
  return { subnet: m, gateway, ...(ipRange ? { ipRange: masked(ipRange) } : {}) };
}

/** Every candidate block of the pools, in order. */
export function* poolBlocks(pools: AddressPool[]): Generator<Cidr> {
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    if (!base || pool.size < base.prefix || pool.size > 30) continue;
    const m = masked(base);
    const step = blockSize(pool.size);
    for (let b = m.base; b < m.base + blockSize(m.prefix); b += step) yield { base: b, prefix: pool.size };
  }
}

/** The first block of the pools that overlaps none of `taken` (other networks, the host's routes and addresses). */
export function firstFreeSubnet(pools: AddressPool[], taken: Cidr[]): Cidr {
  for (const block of poolBlocks(pools)) {
    if (!taken.some((t) => overlaps(t, block))) return block;
  }
  throw new InvalidArgumentError("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
}
