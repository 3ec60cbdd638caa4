// --ulimit on the daemon's side: HostConfig.Ulimits ({Name, Soft, Hard}) are
// checked at create — a known name, soft ≤ hard, and within what berthd itself
// may grant (runtime/rlimits.ts says why) — and become the spec's rlimits.
import type { HostConfig } from "../api/types/index.js";
import { InvalidArgumentError } from "../errors.js";
import { hostHardLimit, ULIMIT_NAMES } from "../runtime/rlimits.js";
import type { Rlimit } from "../runtime/spec-options.js";

type Ulimit = NonNullable<HostConfig["Ulimits"]>[number];

// -1 asks for "unlimited", RLIM_INFINITY (2^64-1), which a JS number cannot
// write exactly into config.json; the largest exact integer is as good a ceiling
// for every limit the kernel counts (and it still refuses nofile above nr_open).
const RLIM_INFINITY = Number.MAX_SAFE_INTEGER;

export function checkUlimits(ulimits: Ulimit[] | null | undefined, hardLimit: (name: string) => number | undefined = hostHardLimit): void {
  for (const u of ulimits ?? []) {
    const name = u.Name ?? "";
    if (!(name in ULIMIT_NAMES)) throw new InvalidArgumentError(`invalid ulimit type: ${name}`);
    const soft = u.Soft ?? 0;
    const hard = u.Hard ?? 0;
    if (hard >= 0 && (soft < 0 || soft > hard)) {
      throw new InvalidArgumentError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
    }
    const max = hardLimit(name);
    const asked = hard < 0 ? Infinity : hard;
    if (max !== undefined && asked > max) {
      throw new InvalidArgumentError(
        `ulimit ${name}: hard limit ${hard < 0 ? "unlimited" : hard} is above the daemon's own hard limit ${max}; ` +
          `berthd lacks CAP_SYS_RESOURCE to raise it (use ${name}=<soft>:<hard> with hard ≤ ${max})`,
      );
    }
  }
}

export function rlimitsOf(ulimits: Ulimit[] | null | undefined): Rlimit[] {
  const value = (n: number | undefined) => (n === undefined || n < 0 ? RLIM_INFINITY : n);
  return (ulimits ?? []).map((u) => ({ type: `RLIMIT_${(u.Name ?? "").toUpperCase()}`, soft: value(u.Soft), hard: value(u.Hard) }));
}
