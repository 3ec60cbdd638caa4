// A safety net behind CNI DEL: the plugins remove their rules only when they
// are told exactly what ADD did (the bridge plugin finds its masquerade rules
// through the addresses still on the veth; firewall through prevResult).
// After a crash that lost a netns, or an ADD that failed half-way, rules can
// outlive their container. This removes every iptables rule that names a
// container (the plugins' comments carry its ID), an address of it, or a
// bridge device, and the per-container chains those rules jumped to.
import { runCommand } from "../archive/run-command.js";

export interface SweepTarget {
  /** Container IDs (matched inside the plugins' comments: id: "<id>"). */
  containerIds?: string[];
  /** Addresses (matched as -s/-d <ip>/32). */
  ips?: string[];
  /** Devices (matched as -i/-o <name>). */
  devices?: string[];
}

/** Shared chains the plugins create once and keep: never deleted here. */
const sharedChain = /^(CNI-FORWARD|CNI-ADMIN|CNI-HOSTPORT-(DNAT|MASQ|SETMARK)|CNI-ISOLATION-STAGE-[12])$/;

/** The rules of `iptables-save` output that match, as [table, rule args without "-A"]. */
export function matchingRules(save: string, t: SweepTarget): Array<{ table: string; rule: string; jump?: string }> {
  const tests: Array<(line: string) => boolean> = [
    ...(t.containerIds ?? []).map((id) => (line: string) => line.includes(`id: \\"${id}\\"`)),
    ...(t.ips ?? []).map((ip) => (line: string) => new RegExp(`(^| )-[sd] ${ip.replace(/\./g, "\\.")}/32( |$)`).test(line)),
    ...(t.devices ?? []).map((dev) => (line: string) => new RegExp(`(^| )-[io] ${dev.replace(/\./g, "\\.")}( |$)`).test(line)),
  ];
  const out: Array<{ table: string; rule: string; jump?: string }> = [];
  let table = "";
  for (const line of save.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1);
    if (!line.startsWith("-A ") || !tests.some((test) => test(line))) continue;
    const jump = / -j (\S+)/.exec(line)?.[1];
    out.push({ table, rule: line.slice(3), ...(jump ? { jump } : {}) });
  }
  return out;
}

/** Deletes the matching rules, then the per-container chains they jumped to. Returns how many rules went. */
export async function sweepRules(t: SweepTarget): Promise<number> {
  const save = (await runCommand("iptables-save", [])).toString();
  const rules = matchingRules(save, t);
  if (rules.length === 0) return 0;
  // One iptables-restore per table, --noflush: only the listed deletions happen, atomically.
  const byTable = new Map<string, string[]>();
  for (const r of rules) {
    const lines = byTable.get(r.table) ?? [];
    lines.push(`-D ${r.rule}`);
    byTable.set(r.table, lines);
  }
  for (const r of rules) {
    if (!r.jump?.startsWith("CNI-") || sharedChain.test(r.jump)) continue;
    // Each chain only once; it must be empty before it can go.
    const lines = byTable.get(r.table)!;
    if (!lines.includes(`-F ${r.jump}`)) lines.push(`-F ${r.jump}`, `-X ${r.jump}`);
  }
  const input = [...byTable].map(([table, lines]) => [`*${table}`, ...lines, "COMMIT", ""].join("\n")).join("");
  await runCommand("iptables-restore", ["--noflush", "-w"], { input });
  return rules.length;
}
