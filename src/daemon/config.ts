// berthd's configuration: command-line flags (dockerd's names) over
// daemon.json over defaults. Every path is configurable so tests can run
// private daemons side by side.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { InvalidArgumentError, isErrno } from "../errors.js";
import type { NetworkConfig } from "../network/local-network-service.js";

export interface DaemonConfig {
  /** Listen addresses: unix:///path or tcp://host:port. */
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  configFile: string;
  storageDriver?: "overlay2" | "vfs";
  runtimePath: string;
  conmonPath: string;
  debug: boolean;
  /** Registries reachable over plain HTTP (host:port or CIDR), from --insecure-registry and daemon.json. */
  insecureRegistries: string[];
  /** Per-registry CAs: <certsDir>/<host:port>/ca.crt. */
  certsDir: string;
  /** daemon.json "bridge", "bip" and "default-address-pools". */
  network: NetworkConfig;
}

export const defaults = {
  host: "unix:///run/berth/berth.sock",
  dataRoot: "/var/lib/berth",
  execRoot: "/run/berth",
  configFile: "/etc/berth/daemon.json",
  runtimePath: "/usr/sbin/runc",
  conmonPath: "/usr/bin/conmon",
  certsDir: "/etc/berth/certs.d",
} as const;

/** The daemon.json keys berthd understands (dockerd's names). */
interface DaemonJson {
  hosts?: string[];
  "data-root"?: string;
  "exec-root"?: string;
  "storage-driver"?: string;
  debug?: boolean;
  runtimes?: { runc?: { path?: string } };
  "insecure-registries"?: string[];
  bridge?: string;
  bip?: string;
  "default-address-pools"?: Array<{ base: string; size: number }>;
}

export function loadConfig(argv: string[]): DaemonConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string", short: "H", multiple: true },
      "data-root": { type: "string" },
      "exec-root": { type: "string" },
      "config-file": { type: "string" },
      "storage-driver": { type: "string", short: "s" },
      debug: { type: "boolean", short: "D" },
      "insecure-registry": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const configFile = values["config-file"] ?? defaults.configFile;
  const file = readDaemonJson(configFile, values["config-file"] !== undefined);
  const driver = values["storage-driver"] ?? file["storage-driver"];
  if (driver !== undefined && driver !== "overlay2" && driver !== "vfs") {
    throw new InvalidArgumentError(`unsupported storage driver: ${driver}`);
  }
  return {
    hosts: values.host ?? file.hosts ?? [defaults.host],
    dataRoot: values["data-root"] ?? file["data-root"] ?? defaults.dataRoot,
    execRoot: values["exec-root"] ?? file["exec-root"] ?? defaults.execRoot,
    configFile,
    storageDriver: driver,
    runtimePath: file.runtimes?.runc?.path ?? defaults.runtimePath,
    conmonPath: defaults.conmonPath,
    debug: values.debug ?? file.debug ?? false,
    insecureRegistries: [...(file["insecure-registries"] ?? []), ...(values["insecure-registry"] ?? [])],
    certsDir: defaults.certsDir,
    network: {
      ...(file.bridge ? { bridge: file.bridge } : {}),
      ...(file.bip ? { bip: file.bip } : {}),
      ...(file["default-address-pools"] ? { defaultAddressPools: file["default-address-pools"] } : {}),
    },
  };
}

function readDaemonJson(path: string, explicit: boolean): DaemonJson {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    // The default file is optional; one named on the command line is not.
    if (isErrno(err, "ENOENT") && !explicit) return {};
    throw err;
  }
  try {
    return JSON.parse(text) as DaemonJson;
  } catch (err) {
    throw new InvalidArgumentError(`unable to configure the berth daemon with file ${path}: ${(err as Error).message}`);
  }
}

const usage = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers, speaking the Docker Engine API.

Options:
      --config-file string     Daemon configuration file (default "${defaults.configFile}")
      --data-root string       Root directory of persistent berth state (default "${defaults.dataRoot}")
  -D, --debug                  Enable debug mode
      --exec-root string       Root directory for execution state files (default "${defaults.execRoot}")
  -H, --host list              Daemon socket(s) to connect to (default ${defaults.host})
      --insecure-registry list Enable insecure registry communication (plain HTTP)
  -s, --storage-driver string  Storage driver to use (overlay2 or vfs)
`;
