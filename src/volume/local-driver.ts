// The "local" driver's rules, as dockerd's volume/local: which names a volume
// may have, which options it takes (type, device, o — what mount(8) is given),
// and the mount those options describe. Pure: local-volume-service.ts mounts.
import { randomBytes } from "node:crypto";
import { InvalidArgumentError } from "../errors.js";
import type { Mount } from "../snapshot/snapshotter.js";

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const NAME_CHARS = "[a-zA-Z0-9][a-zA-Z0-9_.-]";
const VALID_OPTIONS = new Set(["type", "device", "o"]);
/** An option that needs others: a device without a type cannot be mounted, and so on. */
const REQUIRED_WITH: Record<string, string[]> = { device: ["type"], type: ["device"], o: ["device", "type"] };

/** The name dockerd gives an anonymous volume: 64 random hex digits. */
export function randomVolumeName(): string {
  return randomBytes(32).toString("hex");
}

/** Throws dockerd's 400 (`create <name>: …`) for a name the local driver refuses. */
export function checkVolumeName(name: string): void {
  if (name.length === 1) {
    throw new InvalidArgumentError(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  }
  if (!NAME.test(name)) {
    throw new InvalidArgumentError(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "${NAME_CHARS}" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** Throws dockerd's 400 for options the local driver does not take. */
export function checkVolumeOptions(name: string, options: Record<string, string>): void {
  for (const key of Object.keys(options)) {
    if (!VALID_OPTIONS.has(key)) throw new InvalidArgumentError(`create ${name}: invalid option: ${JSON.stringify(key)}`);
  }
  for (const [key, needs] of Object.entries(REQUIRED_WITH)) {
    if (!(key in options)) continue;
    for (const need of needs) {
      if (!(need in options)) throw new InvalidArgumentError(`create ${name}: missing required option: ${JSON.stringify(need)}`);
    }
  }
}

/** The mount a volume's options describe (undefined for a plain directory). */
export function optionMount(options: Record<string, string>): Mount | undefined {
  if (!options.type && !options.device) return undefined;
  return {
    type: options.type ?? "none",
    source: options.device ?? "",
    options: (options.o ?? "").split(",").filter((o) => o !== ""),
  };
}
