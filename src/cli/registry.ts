// Every command berth knows, with Docker's names and aliases. Only the module
// of the command being run is imported, so `berth ps` never loads `run`.
import type { Command } from "commander";
import type { CliContext } from "./context.js";
import { NETWORK_ENTRIES } from "./commands/network.js";

export interface CommandModule {
  /** Adds arguments, options and the action to a command named by the registry. */
  define(cmd: Command, ctx: CliContext): void;
}

export interface Entry {
  name: string;
  aliases?: string[];
  summary: string;
  load?: () => Promise<CommandModule>;
  /** Management commands (container, image) hold their own entries. */
  children?: Entry[];
}

const run: Entry["load"] = () => import("./commands/run.js");
const create: Entry["load"] = () => import("./commands/create.js");
const ps: Entry["load"] = () => import("./commands/ps.js");
const images: Entry["load"] = () => import("./commands/images.js");
const rmi: Entry["load"] = () => import("./commands/rmi.js");
const lifecycle = (verb: string): Entry["load"] => async () => (await import("./commands/lifecycle.js")).command(verb);
const inspectContainer: Entry["load"] = async () => (await import("./commands/inspect.js")).command("container");
const inspectImage: Entry["load"] = async () => (await import("./commands/inspect.js")).command("image");
const history: Entry["load"] = () => import("./commands/history.js");
const tag: Entry["load"] = () => import("./commands/tag.js");
const importCmd: Entry["load"] = () => import("./commands/import.js");
const save: Entry["load"] = () => import("./commands/save.js");
const load: Entry["load"] = () => import("./commands/load.js");
const start: Entry["load"] = () => import("./commands/start.js");
const logs: Entry["load"] = () => import("./commands/logs.js");
const exec: Entry["load"] = () => import("./commands/exec.js");
const attach: Entry["load"] = () => import("./commands/attach.js");
const rm: Entry["load"] = () => import("./commands/rm.js");
const rename: Entry["load"] = () => import("./commands/rename.js");
const top: Entry["load"] = () => import("./commands/top.js");
const wait: Entry["load"] = () => import("./commands/wait.js");
const build: Entry["load"] = () => import("./commands/build.js");
const builderPrune: Entry["load"] = () => import("./commands/builder.js");
const systemDf: Entry["load"] = () => import("./commands/system-df.js");
const info: Entry["load"] = () => import("./commands/info.js");
const events: Entry["load"] = () => import("./commands/events.js");
const pull: Entry["load"] = () => import("./commands/pull.js");
const push: Entry["load"] = () => import("./commands/push.js");
const port: Entry["load"] = () => import("./commands/port.js");
const cp: Entry["load"] = () => import("./commands/cp.js");
const diff: Entry["load"] = () => import("./commands/diff.js");
const exportCmd: Entry["load"] = () => import("./commands/export.js");
const commit: Entry["load"] = () => import("./commands/commit.js");

const containerEntries: Entry[] = [
  { name: "attach", summary: "Attach local standard input, output, and error streams to a running container", load: attach },
  { name: "commit", summary: "Create a new image from a container's changes", load: commit },
  { name: "cp", summary: "Copy files/folders between a container and the local filesystem", load: cp },
  { name: "create", summary: "Create a new container", load: create },
  { name: "diff", summary: "Inspect changes to files or directories on a container's filesystem", load: diff },
  { name: "exec", summary: "Execute a command in a running container", load: exec },
  { name: "inspect", summary: "Display detailed information on one or more containers", load: inspectContainer },
  { name: "kill", summary: "Kill one or more running containers", load: lifecycle("kill") },
  { name: "logs", summary: "Fetch the logs of a container", load: logs },
  { name: "ls", aliases: ["ps", "list"], summary: "List containers", load: ps },
  { name: "export", summary: "Export a container's filesystem as a tar archive", load: exportCmd },
  { name: "pause", summary: "Pause all processes within one or more containers", load: lifecycle("pause") },
  { name: "port", summary: "List port mappings or a specific mapping for the container", load: port },
  { name: "rename", summary: "Rename a container", load: rename },
  { name: "restart", summary: "Restart one or more containers", load: lifecycle("restart") },
  { name: "rm", aliases: ["remove"], summary: "Remove one or more containers", load: rm },
  { name: "run", summary: "Create and run a new container from an image", load: run },
  { name: "start", summary: "Start one or more stopped containers", load: start },
  { name: "prune", summary: "Remove all stopped containers", load: () => import("./commands/container-prune.js") },
  { name: "stats", summary: "Display a live stream of container(s) resource usage statistics", load: () => import("./commands/stats.js") },
  { name: "stop", summary: "Stop one or more running containers", load: lifecycle("stop") },
  { name: "top", summary: "Display the running processes of a container", load: top },
  { name: "unpause", summary: "Unpause all processes within one or more containers", load: lifecycle("unpause") },
  { name: "update", summary: "Update configuration of one or more containers", load: () => import("./commands/update.js") },
  { name: "wait", summary: "Block until one or more containers stop, then print their exit codes", load: wait },
];

const imageEntries: Entry[] = [
  { name: "build", summary: "Build an image from a Dockerfile", load: build },
  { name: "history", summary: "Show the history of an image", load: history },
  { name: "import", summary: "Import the contents from a tarball to create a filesystem image", load: importCmd },
  { name: "inspect", summary: "Display detailed information on one or more images", load: inspectImage },
  { name: "load", summary: "Load an image from a tar archive or STDIN", load },
  { name: "ls", aliases: ["images", "list"], summary: "List images", load: images },
  { name: "pull", summary: "Download an image from a registry", load: pull },
  { name: "push", summary: "Upload an image to a registry", load: push },
  { name: "rm", aliases: ["rmi", "remove"], summary: "Remove one or more images", load: rmi },
  { name: "prune", summary: "Remove unused images", load: () => import("./commands/image-prune.js") },
  { name: "save", summary: "Save one or more images to a tar archive (streamed to STDOUT by default)", load: save },
  { name: "tag", summary: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", load: tag },
];

const builderEntries: Entry[] = [
  { name: "build", summary: "Build an image from a Dockerfile", load: build },
  { name: "prune", summary: "Remove build cache", load: builderPrune },
];

const systemEntries: Entry[] = [
  { name: "df", summary: "Show berth disk usage", load: systemDf },
  { name: "events", summary: "Get real time events from the server", load: events },
  { name: "info", summary: "Display system-wide information", load: info },
  { name: "prune", summary: "Remove unused data", load: () => import("./commands/system-prune.js") },
];

const volume = (verb: string): Entry["load"] => async () => (await import("./commands/volume.js")).command(verb);
const volumeEntries: Entry[] = [
  { name: "create", summary: "Create a volume", load: volume("create") },
  { name: "inspect", summary: "Display detailed information on one or more volumes", load: volume("inspect") },
  { name: "ls", aliases: ["list"], summary: "List volumes", load: volume("ls") },
  { name: "prune", summary: "Remove unused local volumes", load: volume("prune") },
  { name: "rm", aliases: ["remove"], summary: "Remove one or more volumes", load: volume("rm") },
];

const byName = (name: string): Entry => {
  const entry = containerEntries.find((e) => e.name === name);
  if (!entry) throw new Error(`no container command ${name}`);
  return { ...entry, aliases: [] };
};

export const ENTRIES: Entry[] = [
  byName("run"),
  byName("exec"),
  { name: "ps", summary: "List containers", load: ps },
  { name: "images", summary: "List images", load: images },
  { name: "version", summary: "Show the berth version information", load: () => import("./commands/version.js") },
  { name: "build", summary: "Build an image from a Dockerfile", load: build },
  { name: "info", summary: "Display system-wide information", load: info },
  { name: "builder", summary: "Manage builds", children: builderEntries },
  { name: "container", summary: "Manage containers", children: containerEntries },
  { name: "image", summary: "Manage images", children: imageEntries },
  { name: "network", summary: "Manage networks", children: NETWORK_ENTRIES },
  { name: "system", summary: "Manage berth", children: systemEntries },
  ...["attach", "create"].map(byName),
  ...["commit", "cp", "diff", "export"].map(byName),
  { name: "events", summary: "Get real time events from the server", load: events },
  { name: "history", summary: "Show the history of an image", load: history },
  { name: "import", summary: "Import the contents from a tarball to create a filesystem image", load: importCmd },
  { name: "inspect", summary: "Return low-level information on berth objects", load: async () => (await import("./commands/inspect.js")).command("any") },
  byName("kill"),
  { name: "load", summary: "Load an image from a tar archive or STDIN", load },
  { name: "login", summary: "Authenticate to a registry", load: () => import("./commands/login.js") },
  { name: "logout", summary: "Log out from a registry", load: () => import("./commands/logout.js") },
  ...["logs", "pause", "port", "rename", "restart", "rm"].map(byName),
  { name: "registry", summary: "Serve and maintain a registry", children: ["serve", "garbage-collect"].map((name) => ({ name, summary: name === "serve" ? "Serve an OCI distribution registry" : "Delete unreferenced blobs from a registry's storage", load: async () => (await import("./commands/registry.js")).command(name) })) },
  { name: "pull", summary: "Download an image from a registry", load: pull },
  { name: "push", summary: "Upload an image to a registry", load: push },
  { name: "rmi", summary: "Remove one or more images", load: rmi },
  { name: "save", summary: "Save one or more images to a tar archive (streamed to STDOUT by default)", load: save },
  byName("start"),
  byName("stop"),
  { name: "tag", summary: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", load: tag },
  ...["stats", "top", "unpause", "update", "wait"].map(byName),
  { name: "volume", summary: "Manage volumes", children: volumeEntries },
];
