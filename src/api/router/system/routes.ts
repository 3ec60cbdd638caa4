import type { Route } from "../../router.js";
import type { DiskUsageBackend, SystemBackend } from "./backend.js";
import { systemHandlers } from "./handlers.js";

export function systemRoutes(backend: SystemBackend, usage: DiskUsageBackend): Route[] {
  const h = systemHandlers(backend, usage);
  return [
    { method: "GET", path: "/_ping", handler: h.ping },
    { method: "HEAD", path: "/_ping", handler: h.ping },
    { method: "GET", path: "/version", handler: h.version },
    { method: "GET", path: "/info", handler: h.info },
    { method: "GET", path: "/events", handler: h.events },
    { method: "GET", path: "/system/df", handler: h.dataUsage },
    { method: "POST", path: "/auth", handler: h.auth },
  ];
}
