// --log-driver and --log-opt. berth keeps every container's log in conmon's
// k8s-file format (what `logs` reads); "json-file" and "local" are both that
// file with dockerd's rotation options (max-size, max-file), "none" keeps no
// log at all. The driver and options are recorded as given, so inspect shows
// "local" for a local container. Checked at create, in dockerd's words.
import type { HostConfig } from "../api/types/index.js";
import { InvalidArgumentError } from "../errors.js";

type LogConfig = NonNullable<HostConfig["LogConfig"]>;

const OPTIONS: Record<string, readonly string[]> = {
  "json-file": ["max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag"],
  local: ["max-size", "max-file", "compress"],
  // dockerd takes any option for "none" and ignores it.
  none: [],
};

export interface LogSettings {
  /** --log-driver none */
  none: boolean;
  /** Bytes per file; undefined = one file that grows (json-file's default; local's is 20 MB). */
  maxSize?: number;
  /** Files kept, the current one included (1 = no rotated files). */
  maxFile: number;
}

export function checkLogConfig(lc: LogConfig | undefined): void {
  logSettings(lc);
}

export function logSettings(lc: LogConfig | undefined): LogSettings {
  // The spec's enum lacks "local" and "none", which dockerd takes all the same.
  const type: string = lc?.Type || "json-file";
  const allowed = OPTIONS[type];
  if (!allowed) throw new InvalidArgumentError(`error looking up logging plugin ${type}: plugin "${type}" not found`);
  const opts = lc?.Config ?? {};
  if (type === "none") return { none: true, maxFile: 1 };
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) throw new InvalidArgumentError(`unknown log opt '${key}' for ${type} log driver`);
  }
  // dockerd's local driver rotates by default: 20 MB, 5 files.
  const defaults = type === "local" ? { size: 20 * 1024 * 1024, files: 5 } : { size: undefined, files: 1 };
  const maxSize = opts["max-size"] !== undefined ? parseSize(opts["max-size"]) : defaults.size;
  let maxFile = defaults.files;
  if (opts["max-file"] !== undefined) {
    if (!/^-?\d+$/.test(opts["max-file"])) {
      throw new InvalidArgumentError(`failed to initialize logging driver: strconv.Atoi: parsing "${opts["max-file"]}": invalid syntax`);
    }
    maxFile = Number(opts["max-file"]);
    if (maxFile < 1) throw new InvalidArgumentError("failed to initialize logging driver: max-file cannot be less than 1");
  }
  return { none: false, ...(maxSize !== undefined && maxSize > 0 ? { maxSize } : {}), maxFile };
}

/** go-units RAMInBytes: "10m" → 10 MiB; -1 means no limit. */
function parseSize(text: string): number {
  if (text === "-1") return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`failed to initialize logging driver: invalid size: '${text}'`);
  const power = " kmgtp".indexOf((m[2] || " ").toLowerCase());
  return Math.floor(Number(m[1]) * 1024 ** power);
}
