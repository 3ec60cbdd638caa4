// berthd's start: the network state a crash (or a stop while containers ran)
// left, made to agree with the containers that still run. Sandboxes of
// running containers stay and get their DNS servers back; every other
// sandbox is torn down (CNI DEL with the recorded config, rules swept,
// addresses and ports released, netns removed); netns files without a record
// go; this daemon's bridges whose network is no longer recorded go.
import type { NetworkContext } from "./local-network-service.js";
import type { NetworkService } from "./network-service.js";
import type { DnsServers } from "./dns-servers.js";
import { ensureBridgeRules } from "./bridge-rules.js";
import { bridgesByAlias, deleteBridge, deviceExists } from "./host-devices.js";
import { listNetns, removeNetns } from "./netns.js";
import { sweepRules } from "./sweep-rules.js";
import { join } from "node:path";

export async function reconcileNetworks(
  ctx: NetworkContext,
  deps: { running: Set<string>; sandboxes: Pick<NetworkService, "tearDown">; dns: DnsServers },
): Promise<{ kept: number; removed: number }> {
  const { records } = ctx;
  let kept = 0;
  let removed = 0;
  for (const sb of records.sandboxes()) {
    if (deps.running.has(sb.containerId)) {
      kept++;
      continue;
    }
    try {
      await deps.sandboxes.tearDown(sb.containerId);
      removed++;
    } catch (err) {
      ctx.log("warn", "tearing down a stale sandbox", { container: sb.containerId, error: String(err) });
    }
  }
  for (const id of await listNetns(ctx.netnsDir)) {
    if (records.sandbox(id)) continue;
    await removeNetns(join(ctx.netnsDir, id));
    await sweepRules({ containerIds: [id] });
    removed++;
  }
  const prefix = `berth ${ctx.execRoot} `;
  for (const [device, alias] of await bridgesByAlias(prefix)) {
    const networkId = alias.slice(prefix.length);
    if (records.network(networkId)?.bridgeName === device) continue;
    await deleteBridge(device);
    await sweepRules({ devices: [device] });
  }
  for (const net of records.networks()) {
    // Rules a reboot or an iptables flush took, made again (they are per network, not per
    // container); an adopted device (the default bridge's, made by someone else) needs them too.
    if (net.bridgeName && net.subnet && deviceExists(net.bridgeName)) {
      await ensureBridgeRules({ bridge: net.bridgeName, subnet: net.subnet, internal: net.internal });
    }
    if (records.endpointsOn(net.id).length > 0) await deps.dns.ensure(net);
  }
  return { kept, removed };
}
