// Healthchecks, the pure part: what a container's HEALTHCHECK / --health-*
// settings mean (dockerd's defaults and limits), how one probe result moves
// the health state, and when the next probe is due. health-monitor.ts runs
// the probes; this file is unit-tested as a table.
//
// The life of a container's health, as dockerd (daemon/health.go):
//   start     → Status "starting", FailingStreak 0 (the Log is kept);
//   each probe appends to the Log (the last 5 kept); exit 0 → "healthy" and
//               the streak resets; anything else adds to the streak, except
//               while still "starting" inside the start period, and `retries`
//               failures in a row make it "unhealthy";
//   the next probe comes `interval` after the last ended (`start-interval`
//   while starting inside the start period); stop, exit or pause end the probing.
import type { ContainerConfig, ContainerState } from "../api/types/index.js";
import { InvalidArgumentError } from "../errors.js";

export type HealthConfig = NonNullable<ContainerConfig["Healthcheck"]>;
export type HealthStatus = "starting" | "healthy" | "unhealthy";
export interface HealthResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}
export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthResult[];
}
export type HealthView = NonNullable<ContainerState["Health"]>;

export interface ProbeSettings {
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

const NS_PER_MS = 1e6;
const MIN_DURATION_NS = 1e6;
/** dockerd keeps this many results, and this many bytes of a probe's output. */
export const MAX_LOG_ENTRIES = 5;
export const MAX_OUTPUT_BYTES = 4096;

/** The probe's argv, or undefined when the container has no healthcheck (none, or ["NONE"]). */
export function probeArgs(hc: HealthConfig | undefined, shell: string[] = ["/bin/sh", "-c"]): string[] | undefined {
  const test = hc?.Test ?? [];
  switch (test[0]) {
    case "CMD":
      return test.length > 1 ? test.slice(1) : undefined;
    case "CMD-SHELL":
      return test.length > 1 ? [...shell, test.slice(1).join(" ")] : undefined;
    default:
      return undefined;
  }
}

export function probeSettings(hc: HealthConfig): ProbeSettings {
  const ms = (ns: number | undefined, fallbackMs: number) => (ns && ns > 0 ? ns / NS_PER_MS : fallbackMs);
  return {
    intervalMs: ms(hc.Interval, 30_000),
    timeoutMs: ms(hc.Timeout, 30_000),
    startPeriodMs: ms(hc.StartPeriod, 0),
    startIntervalMs: ms(hc.StartInterval, 5_000),
    retries: hc.Retries && hc.Retries > 0 ? hc.Retries : 3,
  };
}

/** dockerd's checks of a create body's Healthcheck (0 means "inherit"; else at least 1 ms). */
export function checkHealthcheck(hc: HealthConfig | undefined): void {
  if (!hc) return;
  const durations: [string, number | undefined][] = [
    ["Interval", hc.Interval],
    ["Timeout", hc.Timeout],
    ["StartPeriod", hc.StartPeriod],
    ["StartInterval", hc.StartInterval],
  ];
  for (const [name, ns] of durations) {
    // Unset is 0, undefined or null (docker-py, hence docker-compose, sends null for what it was not given).
    if (ns && ns < MIN_DURATION_NS) {
      throw new InvalidArgumentError(`${name} in Healthcheck cannot be less than 1ms`);
    }
  }
  if ((hc.Retries ?? 0) < 0) throw new InvalidArgumentError("Retries in Healthcheck cannot be negative");
}

const HEALTH_NUMBERS = ["Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"] as const;

/**
 * The container's Healthcheck merged with the image's, field by field, as
 * dockerd merges them: what the container leaves empty or zero, the image fills.
 * The result holds only the fields that are set: dockerd's HealthConfig omits
 * empty ones, so the nulls docker-py sends never reach inspect.
 */
export function mergeHealthcheck(own: HealthConfig | undefined, image: HealthConfig | undefined): HealthConfig | undefined {
  if (!own) return image && setFields(image);
  const out: HealthConfig = setFields(own);
  if (!image) return out;
  if (!out.Test?.length && image.Test?.length) out.Test = image.Test;
  for (const key of HEALTH_NUMBERS) {
    if (!out[key] && image[key]) out[key] = image[key];
  }
  return out;
}

function setFields(hc: HealthConfig): HealthConfig {
  const out: HealthConfig = {};
  if (hc.Test?.length) out.Test = hc.Test;
  for (const key of HEALTH_NUMBERS) {
    const value = hc[key];
    if (value) out[key] = value;
  }
  return out;
}

export function initialHealth(previous?: HealthState): HealthState {
  return { Status: "starting", FailingStreak: 0, Log: previous?.Log ?? [] };
}

/** The state after one probe; `sinceStartMs` is how long after the container's start the probe began. */
export function applyResult(state: HealthState, result: HealthResult, opts: { settings: ProbeSettings; sinceStartMs: number }): HealthState {
  const Log = [...state.Log, result].slice(-MAX_LOG_ENTRIES);
  if (result.ExitCode === 0) return { Status: "healthy", FailingStreak: 0, Log };
  // A container that was never healthy may fail freely during its start period.
  if (state.Status === "starting" && opts.sinceStartMs < opts.settings.startPeriodMs) return { ...state, Log };
  const FailingStreak = state.FailingStreak + 1;
  return { Status: FailingStreak >= opts.settings.retries ? "unhealthy" : state.Status, FailingStreak, Log };
}

/** Milliseconds until the next probe, counted from the end of the last (or from the start). */
export function nextDelay(state: HealthState, opts: { settings: ProbeSettings; sinceStartMs: number }): number {
  const { settings } = opts;
  if (opts.sinceStartMs < settings.startPeriodMs && state.Status === "starting") return settings.startIntervalMs;
  return settings.intervalMs;
}

/** dockerd's cap on a probe's output: the first 4096 bytes, then "...". */
export function capOutput(out: Buffer, truncated: boolean): string {
  return out.toString("utf8") + (truncated ? "..." : "");
}

/** A duration as Go's time.Duration prints it ("30s", "200ms", "1m30s", "1.5s"). */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${trim(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${trim(s)}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}

/** ps's Status suffix: " (healthy)", " (health: starting)". */
export function healthSuffix(status: HealthStatus | undefined): string {
  if (!status) return "";
  return status === "starting" ? " (health: starting)" : ` (${status})`;
}
