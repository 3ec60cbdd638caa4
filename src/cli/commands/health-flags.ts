// The healthcheck flags of `run` and `create` and the Config.Healthcheck they
// make, as the docker CLI makes it (durations in nanoseconds; zero fields
// inherit the image's HEALTHCHECK on the daemon's side).
import type { Command } from "commander";
import type { ContainerConfig } from "../../api/types/index.js";
import { integer, parsed } from "../args.js";
import { UsageError } from "../usage-error.js";

export interface HealthFlags {
  healthCmd?: string;
  healthInterval?: number;
  healthTimeout?: number;
  healthRetries?: number;
  healthStartPeriod?: number;
  healthStartInterval?: number;
  /** commander's negation of --no-healthcheck: false when given. */
  healthcheck?: boolean;
}

export function addHealthFlags(cmd: Command): Command {
  const ns = parsed(goDurationNanos);
  return cmd
    .option("--health-cmd <string>", "Command to run to check health")
    .option("--health-interval <duration>", "Time between running the check (ms|s|m|h) (default 0s)", ns)
    .option("--health-retries <int>", "Consecutive failures needed to report unhealthy", parsed(integer))
    .option("--health-start-interval <duration>", "Time between running the check during the start period (ms|s|m|h) (default 0s)", ns)
    .option("--health-start-period <duration>", "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)", ns)
    .option("--health-timeout <duration>", "Maximum time to allow one check to run (ms|s|m|h) (default 0s)", ns)
    .option("--no-healthcheck", "Disable any container-specified HEALTHCHECK");
}

export function healthcheckOf(flags: HealthFlags): ContainerConfig["Healthcheck"] | undefined {
  const durations = {
    interval: flags.healthInterval ?? 0,
    timeout: flags.healthTimeout ?? 0,
    "start-period": flags.healthStartPeriod ?? 0,
    "start-interval": flags.healthStartInterval ?? 0,
  };
  const retries = flags.healthRetries ?? 0;
  const any = (flags.healthCmd ?? "") !== "" || retries !== 0 || Object.values(durations).some((d) => d !== 0);
  if (flags.healthcheck === false) {
    if (any) throw new UsageError("--no-healthcheck conflicts with --health-* options");
    return { Test: ["NONE"] };
  }
  if (!any) return undefined;
  for (const [name, value] of Object.entries(durations)) if (value < 0) throw new UsageError(`--health-${name} cannot be negative`);
  if (retries < 0) throw new UsageError("--health-retries cannot be negative");
  // Zero fields are left out (Go's omitempty), so inspect shows only what was set.
  const fields: [string, number][] = [
    ["Interval", durations.interval],
    ["Timeout", durations.timeout],
    ["StartPeriod", durations["start-period"]],
    ["StartInterval", durations["start-interval"]],
    ["Retries", retries],
  ];
  return {
    ...(flags.healthCmd ? { Test: ["CMD-SHELL", flags.healthCmd] } : {}),
    ...Object.fromEntries(fields.filter(([, v]) => v !== 0)),
  };
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds: "1m30s", "1.5s", "200ms", "0". */
export function goDurationNanos(text: string): number {
  const bad = () => new Error(`time: invalid duration "${text}"`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest[0] === "-") sign = -1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw bad();
  let total = 0;
  while (rest !== "") {
    const m = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) throw /^(\d+(?:\.\d*)?|\.\d+)$/.test(rest) ? new Error(`time: missing unit in duration "${text}"`) : bad();
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}
