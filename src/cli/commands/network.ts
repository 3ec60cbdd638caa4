// berth network …: the management command's subcommands, each in its own
// small file; only the one being run is loaded.
import type { Entry } from "../registry.js";

export const NETWORK_ENTRIES: Entry[] = [
  { name: "connect", summary: "Connect a container to a network", load: async () => (await import("./network-connect.js")).command("connect") },
  { name: "create", summary: "Create a network", load: () => import("./network-create.js") },
  { name: "disconnect", summary: "Disconnect a container from a network", load: async () => (await import("./network-connect.js")).command("disconnect") },
  { name: "inspect", summary: "Display detailed information on one or more networks", load: () => import("./network-inspect.js") },
  { name: "ls", aliases: ["list"], summary: "List networks", load: () => import("./network-ls.js") },
  { name: "prune", summary: "Remove all unused networks", load: () => import("./network-prune.js") },
  { name: "rm", aliases: ["remove"], summary: "Remove one or more networks", load: () => import("./network-rm.js") },
];
