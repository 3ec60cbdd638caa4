// The CNI configuration list of one endpoint. berthd has already chosen the
// address (static IPAM) and the host ports; the plugins only plumb them:
//   bridge   veth into the netns, the address, the default route (none on an
//            --internal network); masquerade and FORWARD accepts are the
//            network's own rules (bridge-rules.ts), made once, not per container;
//   tuning   only when a MAC address was asked for;
//   portmap  DNAT of the published ports, on the primary endpoint only; it
//            also makes 127.0.0.1:<port> work (route_localnet + SNAT).
// The list is stored with the endpoint, so DEL sends exactly what ADD got.
import type { CniConfList, CniPluginConf, CniResult } from "./cni.js";
import type { PortMapping } from "./ports.js";
import type { NetworkRow } from "./records.js";

export interface EndpointPlan {
  ip: string;
  prefixLen: number;
  mac?: string;
  /** Published ports (primary endpoint only). */
  ports: PortMapping[];
}

/** The CNI network name: per berth network, so plugin-made chains and comments say which one. */
export function cniNetworkName(networkId: string): string {
  return `berth-${networkId.slice(0, 12)}`;
}

export function endpointConfList(net: NetworkRow, plan: EndpointPlan): CniConfList {
  const plugins: CniPluginConf[] = [
    {
      type: "bridge",
      bridge: net.bridgeName,
      isGateway: true,
      ipMasq: false,
      hairpinMode: true,
      ipam: {
        type: "static",
        addresses: [{ address: `${plan.ip}/${plan.prefixLen}`, gateway: net.gateway }],
        routes: net.internal ? [] : [{ dst: "0.0.0.0/0" }],
      },
    },
  ];
  if (plan.mac) plugins.push({ type: "tuning", mac: plan.mac });
  if (plan.ports.length > 0 && !net.internal) {
    plugins.push({
      type: "portmap",
      snat: true,
      capabilities: { portMappings: true },
      runtimeConfig: {
        portMappings: plan.ports.map((p) => ({
          hostPort: p.hostPort,
          containerPort: p.containerPort,
          protocol: p.protocol,
          // portmap reads an empty hostIP as every address.
          hostIP: p.hostIp === "0.0.0.0" ? "" : p.hostIp,
        })),
      },
    });
  }
  return { cniVersion: "1.0.0", name: cniNetworkName(net.id), plugins };
}

/**
 * The part of an endpoint's list whose DEL is still needed once its netns is
 * gone, such as portmap's rules in the host's tables. bridge without ipMasq
 * and with static IPAM (no state of its own) and tuning only undo what is
 * inside the netns, and the kernel deletes the veth with the namespace:
 * skipping them saves the bridge plugin's exec (the veth's deletion is waited
 * for beside portmap's DEL, see sandboxes.ts leave). Anything else (a list recorded
 * by an older berth with ipMasq or the firewall plugin) keeps its DEL.
 */
export function hostSideConfList(list: CniConfList): CniConfList {
  const insideOnly = (p: CniPluginConf) =>
    p.type === "tuning" || (p.type === "bridge" && p["ipMasq"] !== true && (p["ipam"] as { type?: unknown } | undefined)?.type === "static");
  return { ...list, plugins: list.plugins.filter((p) => !insideOnly(p)) };
}

/** The host end of an endpoint's veth, as the bridge plugin reported it: the interface outside the netns that is not the bridge. */
export function hostVeth(list: CniConfList, result: CniResult | undefined): string | undefined {
  const bridge = list.plugins.find((p) => p.type === "bridge")?.["bridge"];
  return result?.interfaces?.find((i) => !i.sandbox && i.name !== bridge)?.name;
}
