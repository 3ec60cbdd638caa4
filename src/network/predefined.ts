// The networks every daemon has: "host" and "none" (records only) and the
// default "bridge", whose subnet comes from daemon.json "bip", else from the
// address its device already has (as dockerd adopts an existing docker0's:
// another daemon, or one before a crash, made it), else stays what it was,
// else is the first free block of the address pools; its device
// (daemon.json "bridge", default berth0) is made at start, as dockerd makes
// docker0, so that the subnet shows in the host's routes from then on.
import { InvalidArgumentError } from "../errors.js";
import type { NetworkContext } from "./local-network-service.js";
import { newId } from "./local-network-service.js";
import { ensureBridgeRules } from "./bridge-rules.js";
import { checkDeviceName, createBridge, deviceAddress, deviceExists, hostSubnets } from "./host-devices.js";
import type { NetworkRow } from "./records.js";
import { firstFreeSubnet, formatCidr, formatIp, masked, parseCidr, parseIp, type Cidr } from "./subnets.js";
import { defaultBridgeOptions } from "./network-view.js";

export const defaultBridgeDevice = "berth0";

export async function ensurePredefined(ctx: NetworkContext): Promise<void> {
  const now = new Date().toISOString();
  for (const [name, driver] of [
    ["none", "null"],
    ["host", "host"],
  ] as const) {
    if (!ctx.records.byName(name)) {
      ctx.records.insertNetwork({ id: newId(), name, driver, internal: false, labels: {}, options: {}, created: now, bridgeCreated: false, userIpam: false });
    }
  }
  const device = checkDeviceName(ctx.config.bridge ?? defaultBridgeDevice);
  const existing = ctx.records.byName("bridge");
  let subnet: Cidr;
  let gateway: number;
  const present = ctx.config.bip ? undefined : await deviceAddress(device);
  if (present) {
    subnet = masked({ base: present.ip, prefix: present.prefix });
    gateway = present.ip;
  } else if (ctx.config.bip) {
    const bip = parseCidr(ctx.config.bip);
    if (!bip || bip.prefix > 30 || masked(bip).base === bip.base) throw new InvalidArgumentError(`invalid bip: ${ctx.config.bip}`);
    subnet = masked(bip);
    gateway = bip.base;
  } else if (existing?.subnet && existing.gateway && existing.bridgeName === device) {
    subnet = parseCidr(existing.subnet)!;
    gateway = parseIp(existing.gateway)!;
  } else {
    const taken = [...ctx.records.networks().flatMap((n) => (n.subnet && n.name !== "bridge" ? [parseCidr(n.subnet)!] : [])), ...(await hostSubnets())];
    subnet = firstFreeSubnet(ctx.config.defaultAddressPools, taken);
    gateway = subnet.base + 1;
  }
  const row: NetworkRow = {
    id: existing?.id ?? newId(),
    name: "bridge",
    driver: "bridge",
    bridgeName: device,
    subnet: formatCidr(subnet),
    gateway: formatIp(gateway),
    internal: false,
    labels: {},
    options: defaultBridgeOptions(device),
    created: existing?.created ?? now,
    bridgeCreated: existing?.bridgeName === device ? existing.bridgeCreated : false,
    userIpam: false,
  };
  if (!existing) ctx.records.insertNetwork(row);
  else if (existing.subnet !== row.subnet || existing.gateway !== row.gateway || existing.bridgeName !== device) {
    if (ctx.records.endpointsOn(existing.id).length > 0) {
      ctx.log("warn", "default bridge settings changed while containers use it; keeping the old ones until they stop", { bridge: device });
      return;
    }
    ctx.records.updateNetwork(row);
  }
  await ensureBridgeDevice(ctx, row);
}

/** Makes a network's bridge device if it is missing, recording (intent first) that berth made it. */
export async function ensureBridgeDevice(ctx: NetworkContext, net: NetworkRow): Promise<void> {
  const name = net.bridgeName;
  if (!name || !net.subnet || !net.gateway) return;
  await ctx.serialize(`bridge:${name}`, async () => {
    if (deviceExists(name)) return;
    const current = ctx.records.network(net.id) ?? net;
    ctx.records.updateNetwork({ ...current, bridgeCreated: true });
    const prefix = parseCidr(net.subnet!)!.prefix;
    const made = await createBridge(name, `${net.gateway}/${prefix}`, ctx.bridgeAlias(net.id));
    if (!made) ctx.records.updateNetwork({ ...current, bridgeCreated: false });
    else await ensureBridgeRules({ bridge: name, subnet: net.subnet!, internal: net.internal });
  });
}
