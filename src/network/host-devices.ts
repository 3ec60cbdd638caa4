// What the network service asks of the host: the subnets its routes and
// addresses already use (so a new network overlaps none), and the bridge
// devices of berth's networks, made and deleted by berth alone.
import { existsSync } from "node:fs";
import { runCommand } from "../archive/run-command.js";
import { InvalidArgumentError } from "../errors.js";
import { masked, parseCidr, parseIp, type Cidr } from "./subnets.js";

/** The IPv4 blocks the host routes or holds addresses in (the default route excluded). */
export async function hostSubnets(): Promise<Cidr[]> {
  const [routes, addrs] = await Promise.all([runCommand("ip", ["-j", "-4", "route", "show", "table", "all"]), runCommand("ip", ["-j", "-4", "addr"])]);
  const out: Cidr[] = [];
  for (const r of JSON.parse(routes.toString() || "[]") as Array<{ dst?: string; type?: string }>) {
    if (!r.dst || r.dst === "default" || (r.type && r.type !== "unicast")) continue;
    const c = r.dst.includes("/") ? parseCidr(r.dst) : parseIp(r.dst) !== undefined ? { base: parseIp(r.dst)!, prefix: 32 } : undefined;
    if (c && c.prefix > 0) out.push(masked(c));
  }
  for (const link of JSON.parse(addrs.toString() || "[]") as Array<{ addr_info?: Array<{ local?: string; prefixlen?: number }> }>) {
    for (const a of link.addr_info ?? []) {
      const ip = a.local !== undefined ? parseIp(a.local) : undefined;
      if (ip !== undefined && a.prefixlen !== undefined) out.push(masked({ base: ip, prefix: a.prefixlen }));
    }
  }
  return out;
}

/** Linux interface names: at most 15 bytes, no slash, no whitespace. */
export function checkDeviceName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new InvalidArgumentError(`invalid bridge name: ${JSON.stringify(name)}`);
  return name;
}

export function deviceExists(name: string): boolean {
  return existsSync(`/sys/class/net/${checkDeviceName(name)}`);
}

/**
 * Creates a bridge with the gateway address, up, and `alias` as its ifalias —
 * the mark that tells berth (this daemon: the alias names its exec root) the
 * device is its own. False when the device already existed (then it is left as it is).
 */
export async function createBridge(name: string, gatewayCidr: string, alias: string): Promise<boolean> {
  if (deviceExists(name)) return false;
  await runCommand("ip", ["link", "add", "name", name, "type", "bridge"]);
  await runCommand("ip", ["link", "set", name, "alias", alias]);
  await runCommand("ip", ["addr", "add", gatewayCidr, "dev", name]);
  await runCommand("ip", ["link", "set", name, "up"]);
  return true;
}

/** Bridges whose ifalias starts with `prefix`: name → alias. */
export async function bridgesByAlias(prefix: string): Promise<Map<string, string>> {
  const links = JSON.parse((await runCommand("ip", ["-j", "link", "show", "type", "bridge"])).toString() || "[]") as Array<{ ifname: string; ifalias?: string }>;
  return new Map(links.filter((l) => l.ifalias?.startsWith(prefix)).map((l) => [l.ifname, l.ifalias!]));
}

export async function deleteBridge(name: string): Promise<void> {
  if (!deviceExists(name)) return;
  await runCommand("ip", ["link", "del", name, "type", "bridge"]);
}

/** The first IPv4 address (with its prefix) of a device, undefined when it has none or does not exist. */
export async function deviceAddress(name: string): Promise<{ ip: number; prefix: number } | undefined> {
  if (!deviceExists(name)) return undefined;
  const links = JSON.parse((await runCommand("ip", ["-j", "-4", "addr", "show", "dev", name])).toString() || "[]") as Array<{
    addr_info?: Array<{ local?: string; prefixlen?: number }>;
  }>;
  const a = links[0]?.addr_info?.[0];
  const ip = a?.local !== undefined ? parseIp(a.local) : undefined;
  return ip !== undefined && a?.prefixlen !== undefined ? { ip, prefix: a.prefixlen } : undefined;
}

/**
 * Resolves once a device is gone. The kernel deletes the veths of a netns
 * whose last user went some milliseconds later (~15–25 ms measured), in a
 * work queue; one still there after `timeoutMs` (something unseen holds the
 * netns) is deleted here.
 */
export async function deviceGone(name: string, opts: { timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (deviceExists(name)) {
    if (Date.now() > deadline) {
      await runCommand("ip", ["link", "del", name]).catch((err: unknown) => {
        // Gone between the check and the delete: what was wanted.
        if (deviceExists(name)) throw err;
      });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
