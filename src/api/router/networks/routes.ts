import type { Route } from "../../router.js";
import type { NetworksBackend } from "./backend.js";
import { networkHandlers } from "./handlers.js";

export function networkRoutes(backend: NetworksBackend): Route[] {
  const h = networkHandlers(backend);
  return [
    { method: "GET", path: "/networks", handler: h.list },
    // dockerd answers the list at "/networks/" too (its router strips the slash).
    { method: "GET", path: "/networks/", handler: h.list },
    { method: "POST", path: "/networks/create", handler: h.create },
    { method: "POST", path: "/networks/prune", handler: h.prune },
    { method: "GET", path: "/networks/{id}", handler: h.inspect },
    { method: "DELETE", path: "/networks/{id}", handler: h.remove },
    { method: "POST", path: "/networks/{id}/connect", handler: h.connect },
    { method: "POST", path: "/networks/{id}/disconnect", handler: h.disconnect },
  ];
}
