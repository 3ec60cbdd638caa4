// The networks router sees the API part of the network service, plus connect
// and disconnect, which belong to the container (its record lists its
// networks) and so go to the container service.
import type { EndpointSettings } from "../../types/index.js";
import type { NetworkService } from "../../../network/network-service.js";
import type { ContainerService } from "../../../container/container-service.js";

export interface NetworksBackend extends Pick<NetworkService, "create" | "list" | "inspect" | "remove" | "prune"> {
  /** POST /networks/{id}/connect: `container` is an ID or name, `network` an ID, name or prefix. */
  connect(network: string, container: string, endpointConfig: EndpointSettings | undefined): Promise<void>;
  /** POST /networks/{id}/disconnect; `force` tolerates a container that is not connected. */
  disconnect(network: string, container: string, force: boolean): Promise<void>;
}

/** berthd's wiring: the network service for the network verbs, the container service for the container's side. */
export function networksBackend(
  network: NetworkService,
  containers: Pick<ContainerService, "connect" | "disconnect">,
): NetworksBackend {
  return {
    create: (body) => network.create(body),
    list: (filters) => network.list(filters),
    inspect: (idOrName) => network.inspect(idOrName),
    remove: (idOrName) => network.remove(idOrName),
    prune: (filters) => network.prune(filters),
    connect: (net, container, settings) => containers.connect(container, net, settings),
    disconnect: (net, container, force) => containers.disconnect(container, net, { force }),
  };
}
