// The classic builder's endpoints. POST /session is BuildKit's and stays
// unrouted (404), as on a dockerd without BuildKit.
import type { Route } from "../../router.js";
import type { BuildBackend } from "./backend.js";
import { buildHandlers } from "./handlers.js";

export function buildRoutes(backend: BuildBackend): Route[] {
  const h = buildHandlers(backend);
  return [
    { method: "POST", path: "/build", handler: h.build },
    { method: "POST", path: "/build/prune", handler: h.prune },
  ];
}
