// The network part of docker create: check the request against its network
// mode, resolve the networks it names (an unknown one fails the create, as in
// dockerd ≥ 25), and for container:<id or name> pin the mode to that
// container's full ID and take its hostname, as dockerd does.
import type { ContainerConfig, ContainerCreateBody, HostConfig } from "../api/types/index.js";
import type { Context } from "./context.js";
import { checkNetworkMode, planNetworks, sharedContainer, type AttachedNetwork } from "./network-mode.js";

/** Mutates `hostConfig` (NetworkMode) and `config` (Hostname, Domainname) for container:<x>; returns the networks to record. */
export function createNetworking(
  ctx: Pick<Context, "records" | "network">,
  body: ContainerCreateBody,
  target: { hostConfig: HostConfig; config: ContainerConfig },
): AttachedNetwork[] {
  const { HostConfig: _hc, NetworkingConfig: _nc, ...requested } = body;
  checkNetworkMode(requested, target.hostConfig);
  const networks = planNetworks(
    {
      hostConfig: target.hostConfig,
      ...(body.NetworkingConfig ? { networking: body.NetworkingConfig } : {}),
      ...(body.MacAddress ? { macAddress: body.MacAddress } : {}),
    },
    (idOrName) => ctx.network.resolve(idOrName),
  );
  const shared = sharedContainer(target.hostConfig.NetworkMode);
  if (shared !== undefined) {
    const other = ctx.records.get(shared);
    target.hostConfig.NetworkMode = `container:${other.id}`;
    target.config.Hostname = other.config.Hostname ?? other.id.slice(0, 12);
    if (other.config.Domainname) target.config.Domainname = other.config.Domainname;
  }
  return networks;
}
