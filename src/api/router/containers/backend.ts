// The containers router drives the container service; everything but the
// image-usage query (which belongs to rmi) is part of its API surface.
import type { ContainerService } from "../../../container/container-service.js";

export type ContainersBackend = Omit<ContainerService, "usingImage">;
