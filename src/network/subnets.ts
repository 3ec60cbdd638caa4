// IPv4 arithmetic for networks: addresses as unsigned 32-bit numbers, CIDR
// blocks, Docker's IPAM validation (with its words), and the choice of a free
// subnet from the address pools. Pure: the host's routes come in as data.
import { InvalidArgumentError } from "../errors.js";

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
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** "10.1.2.3/24" → {base: 10.1.2.3, prefix: 24}; the address is kept as given (see masked). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const base = parseIp(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (base === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
  return { base, prefix: Number(bits) };
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

/** The user's IPAM.Config[0] (--subnet, --gateway, --ip-range), with dockerd's checks and messages. */
export function validateIpamConfig(cfg: { Subnet?: string; Gateway?: string; IPRange?: string }): Ipv4Ipam {
  if (!cfg.Subnet) {
    // dockerd's IPAM says this when a gateway or range comes without a subnet (the CLI catches it first).
    const what = cfg.Gateway ? `gateway ${cfg.Gateway}` : `range ${cfg.IPRange ?? ""}`;
    throw new InvalidArgumentError(`no matching subnet for ${what}`);
  }
  const errs: string[] = [];
  const subnet = parseCidr(cfg.Subnet);
  if (!subnet) throw new InvalidArgumentError(`invalid network config:\n* invalid subnet ${cfg.Subnet}: invalid CIDR block notation`);
  const m = masked(subnet);
  if (m.base !== subnet.base) errs.push(`invalid subnet ${cfg.Subnet}: it should be ${formatCidr(m)}`);
  let ipRange: Cidr | undefined;
  if (cfg.IPRange) {
    ipRange = parseCidr(cfg.IPRange);
    if (!ipRange) errs.push(`invalid ip-range ${cfg.IPRange}: invalid CIDR block notation`);
    else {
      if (ipRange.prefix < subnet.prefix) errs.push(`invalid ip-range ${cfg.IPRange}: CIDR block is bigger than its parent subnet ${cfg.Subnet}`);
      const mr = masked(ipRange);
      if (mr.base !== ipRange.base) errs.push(`invalid ip-range ${cfg.IPRange}: it should be ${formatCidr(mr)}`);
      if (!overlaps(subnet, ipRange)) errs.push(`invalid ip-range ${cfg.IPRange}: parent subnet ${cfg.Subnet} doesn't contain ip-range`);
    }
  }
  let gateway = firstHost(m);
  if (cfg.Gateway) {
    const gw = parseIp(cfg.Gateway);
    if (gw === undefined) errs.push(`invalid gateway ${cfg.Gateway}: invalid address`);
    else if (!contains(m, gw)) errs.push(`invalid gateway ${cfg.Gateway}: parent subnet ${cfg.Subnet} doesn't contain this address`);
    else gateway = gw;
  }
  if (errs.length > 0) throw new InvalidArgumentError(`invalid network config:\n* ${errs.join("\n* ")}`);
  if (subnet.prefix > 30) throw new InvalidArgumentError(`invalid pool request: subnet ${cfg.Subnet} is too small for a bridge network`);
  if (gateway === m.base || gateway === lastAddress(m)) {
    throw new InvalidArgumentError(`failed to allocate gateway (${formatIp(gateway)}): Address already in use`);
  }
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
