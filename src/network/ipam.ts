// Address assignment inside one network, as dockerd's default IPAM does it:
// the lowest free address of the range (the whole subnet unless --ip-range),
// never the network address, the gateway or the broadcast address. Pure: the
// addresses in use come in as data; the records make the choice stick.
import { ConflictError, InvalidArgumentError } from "../errors.js";
import { blockSize, contains, lastAddress, masked, parseIp, type Ipv4Ipam } from "./subnets.js";

function reserved(ipam: Ipv4Ipam, ip: number): boolean {
  return ip === masked(ipam.subnet).base || ip === lastAddress(ipam.subnet) || ip === ipam.gateway;
}

/** The lowest free address; undefined when the range is full. */
export function nextFreeAddress(ipam: Ipv4Ipam, used: ReadonlySet<number>): number | undefined {
  const range = masked(ipam.ipRange ?? ipam.subnet);
  const end = range.base + blockSize(range.prefix);
  for (let ip = range.base; ip < end; ip++) {
    if (!reserved(ipam, ip) && !used.has(ip) && contains(ipam.subnet, ip)) return ip;
  }
  return undefined;
}

/** Checks an address the user asked for (--ip): inside the subnet (or range), not taken. */
export function checkRequestedAddress(ipam: Ipv4Ipam, text: string, used: ReadonlySet<number>): number {
  const ip = parseIp(text);
  if (ip === undefined) throw new InvalidArgumentError(`invalid IPv4 address: ${text}`);
  const within = ipam.ipRange && contains(ipam.ipRange, ip) ? true : contains(ipam.subnet, ip);
  if (!within) {
    throw new InvalidArgumentError(`invalid endpoint settings:\nno configured subnet or ip-range contain the IP address ${text}`);
  }
  if (reserved(ipam, ip) || used.has(ip)) throw new ConflictError("Address already in use");
  return ip;
}

/** dockerd's message when a network has no address left. */
export function exhausted(networkName: string): ConflictError {
  return new ConflictError(`no available IPv4 addresses on this network's address pools: ${networkName}`);
}

