// Addresses and CIDR blocks read as Go's net/netip reads them (strict: no
// leading zeros, no zones in prefixes), as numbers so that masks and
// containment are plain arithmetic. dockerd validates IPAM with these rules;
// this is the network folder's one parser (subnets.ts reads IPv4 through it).
import { isIPv4, isIPv6 } from "node:net";

export interface Addr {
  family: 4 | 6;
  value: bigint;
}

export interface Prefix {
  addr: Addr;
  bits: number;
}

const width = (family: 4 | 6): number => (family === 4 ? 32 : 128);

export function parseAddr(text: string): Addr | undefined {
  if (isIPv4(text)) {
    return { family: 4, value: text.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n) };
  }
  if (!isIPv6(text) || text.includes("%")) return undefined;
  return { family: 6, value: ipv6Value(text) };
}

function ipv6Value(text: string): bigint {
  // An embedded IPv4 tail ("::ffff:1.2.3.4") is two more groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let body = text;
  if (v4) {
    const n = Number(parseAddr(v4[1])?.value ?? 0n);
    body = `${text.slice(0, v4.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = body.includes("::") ? body.split("::") : [body, undefined];
  const groups = (s: string | undefined): string[] => (s ? s.split(":") : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const addr = parseAddr(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!addr || !/^(0|[1-9]\d*)$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  return bits <= width(addr.family) ? { addr, bits } : undefined;
}

function mask(family: 4 | 6, bits: number): bigint {
  const w = BigInt(width(family));
  return ((1n << w) - 1n) ^ ((1n << (w - BigInt(bits))) - 1n);
}

export function masked(p: Prefix): Prefix {
  return { addr: { family: p.addr.family, value: p.addr.value & mask(p.addr.family, p.bits) }, bits: p.bits };
}

export function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.addr.family === b.addr.family && a.addr.value === b.addr.value && a.bits === b.bits;
}

export function contains(p: Prefix, addr: Addr): boolean {
  if (p.addr.family !== addr.family) return false;
  const m = mask(addr.family, p.bits);
  return (p.addr.value & m) === (addr.value & m);
}

/** Whether two blocks share any address: the shorter one holds the other's start. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  if (a.addr.family !== b.addr.family) return false;
  const bits = Math.min(a.bits, b.bits);
  const m = mask(a.addr.family, bits);
  return (a.addr.value & m) === (b.addr.value & m);
}

export function formatAddr(addr: Addr): string {
  if (addr.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((addr.value >> s) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((addr.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups becomes "::" (the first of equals).
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddr(p.addr)}/${p.bits}`;
}
