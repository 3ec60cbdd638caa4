// dockerd checks a new network's IPAM config at the API edge, before any
// driver sees it, and reports every problem at once in one message. The
// wording is dockerd's (api/types/network ValidateIPAM): scripts match on it.
// These are berth's only IPAM rules: the API edge reports them (ipamProblems)
// and the network service refuses on the same list (subnets.ts validateIpamConfig).
import type { IPAM } from "../api/types/index.js";
import { contains, formatPrefix, masked, overlaps, parseAddr, parsePrefix, samePrefix, type Prefix } from "./ip-prefix.js";

/** One entry of IPAM.Config: --subnet, --ip-range, --gateway, --aux-address. */
export type IpamConfig = NonNullable<IPAM["Config"]>[number];

const familyName = (p: Prefix): string => (p.addr.family === 4 ? "IPv4" : "IPv6");

/** Every problem with the IPAM config, as one message; undefined when there is none. */
export function ipamProblems(ipam: IPAM | undefined, enableIPv6: boolean): string | undefined {
  const errs: string[] = [];
  for (const cfg of ipam?.Config ?? []) {
    // An IPv6 subnet on a network without IPv6 is ignored, as dockerd ignores it.
    if (!enableIPv6 && parsePrefix(cfg.Subnet ?? "")?.addr.family === 6) continue;
    errs.push(...ipamConfigProblems(cfg));
  }
  if (errs.length === 0) return undefined;
  const joined = errs.length === 1 ? errs[0].trim() : `* ${errs.map((e) => e.replaceAll("\n", "\n\t")).join("\n* ")}`;
  return `invalid network config:\n${joined}`;
}

/** The problems of one IPAM.Config entry, in dockerd's words and order; empty when it is sound. */
export function ipamConfigProblems(cfg: IpamConfig): string[] {
  const raw = cfg.Subnet ?? "";
  const subnet = parsePrefix(raw);
  if (!subnet) return [`invalid subnet ${raw}: invalid CIDR block notation`];
  const errs: string[] = [];
  if (!samePrefix(subnet, masked(subnet))) {
    errs.push(`invalid subnet ${formatPrefix(subnet)}: it should be ${formatPrefix(masked(subnet))}`);
  }
  if (cfg.IPRange) errs.push(...ipRangeProblems(cfg.IPRange, subnet));
  const gateway = addressProblem(cfg.Gateway, subnet);
  if (gateway) errs.push(`invalid gateway ${cfg.Gateway}: ${gateway}`);
  for (const [name, aux] of Object.entries(cfg.AuxiliaryAddresses ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const problem = addressProblem(aux, subnet);
    if (problem) errs.push(`invalid auxiliary address ${name}: ${problem}`);
  }
  return errs;
}

function ipRangeProblems(ipRange: string, subnet: Prefix): string[] {
  const range = parsePrefix(ipRange);
  if (!range) return [`invalid ip-range ${ipRange}: invalid CIDR block notation`];
  if (range.addr.family !== subnet.addr.family) return [`invalid ip-range ${ipRange}: parent subnet is an ${familyName(subnet)} block`];
  const errs: string[] = [];
  const parent = formatPrefix(subnet);
  if (range.bits < subnet.bits) errs.push(`invalid ip-range ${ipRange}: CIDR block is bigger than its parent subnet ${parent}`);
  if (!samePrefix(range, masked(range))) errs.push(`invalid ip-range ${formatPrefix(range)}: it should be ${formatPrefix(masked(range))}`);
  if (!overlaps(subnet, range)) errs.push(`invalid ip-range ${ipRange}: parent subnet ${parent} doesn't contain ip-range`);
  return errs;
}

function addressProblem(address: string | undefined, subnet: Prefix): string | undefined {
  if (!address) return undefined;
  const addr = parseAddr(address);
  if (!addr) return "invalid address";
  if (addr.family !== subnet.addr.family) return `parent subnet is an ${familyName(subnet)} block`;
  if (!contains(subnet, addr)) return `parent subnet ${formatPrefix(subnet)} doesn't contain this address`;
  return undefined;
}
