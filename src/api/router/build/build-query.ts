// POST /build's query string → BuildOptions, parsed as dockerd's
// newImageBuildOptions does (same defaults, same error wording), plus the
// parameters the edge itself acts on: remote, squash and version. pull, rm
// and forcerm are accepted and have no effect: berth has no registry client
// to pull with, and a RUN step's container never outlives its step.
import type { BuildOptions } from "../../../build/build-service.js";
import { InvalidArgumentError } from "../../../errors.js";
import { boolParam } from "../../query.js";
import { goStringList, goStringMap } from "./go-json.js";

export interface BuildRequest {
  options: BuildOptions;
  /** A URL the daemon fetches the context (tarball or Dockerfile) from, instead of the body. */
  remote?: string;
}

/**
 * dockerd reads the resource limits with Int64ValueOrZero, so a value that
 * is not a number means "no limit" rather than an error; clients depend on
 * that leniency as little as on anything, but it is what they get from Docker.
 */
function int64OrZero(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === "" || !/^[+-]?\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value === 0 ? undefined : value;
}

function decode<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    throw new InvalidArgumentError(what ? `${what}: ${err.message}` : err.message);
  }
}

/** The builder backend: "" or "1" is the classic builder; "2" (BuildKit) needs a gRPC session berth does not speak. */
function checkVersion(version: string | null): void {
  if (version === null || version === "" || version === "1") return;
  if (version === "2") {
    throw new InvalidArgumentError("buildkit is not enabled on daemon: berth implements the classic builder only (version=1)");
  }
  throw new InvalidArgumentError(`invalid version "${version}"`);
}

export function parseBuildQuery(query: URLSearchParams): BuildRequest {
  const shm = query.get("shmsize");
  if (shm && !/^[+-]?\d+$/.test(shm)) throw new InvalidArgumentError(`strconv.ParseInt: parsing "${shm}": invalid syntax`);
  const buildArgsText = query.get("buildargs");
  const labelsText = query.get("labels");
  const cacheFromText = query.get("cachefrom");
  const options: BuildOptions = {
    dockerfile: query.get("dockerfile") ?? "",
    tags: query.getAll("t"),
    buildArgs: buildArgsText ? decode("error reading build args", () => goStringMap(buildArgsText, { nullable: true })) : {},
    labels: labelsText ? decode("error reading labels", () => goStringMap(labelsText)) : {},
    noCache: boolParam(query, "nocache"),
    quiet: boolParam(query, "q"),
    network: query.get("networkmode") || "default",
    extraHosts: query.getAll("extrahosts"),
    resources: {},
  };
  const target = query.get("target");
  if (target) options.target = target;
  const platform = query.get("platform");
  if (platform) options.platform = platform;
  const resources = {
    memory: int64OrZero(query, "memory"),
    memorySwap: int64OrZero(query, "memswap"),
    cpuShares: int64OrZero(query, "cpushares"),
    cpuPeriod: int64OrZero(query, "cpuperiod"),
    cpuQuota: int64OrZero(query, "cpuquota"),
    cpusetCpus: query.get("cpusetcpus") || undefined,
    shmSize: shm ? Number(shm) || undefined : undefined,
  };
  for (const [key, value] of Object.entries(resources)) {
    if (value !== undefined) Object.assign(options.resources, { [key]: value });
  }
  // Checked like dockerd does; BuildOptions has no cache sources yet, so the list goes no further.
  if (cacheFromText) decode("", () => goStringList(cacheFromText));
  checkVersion(query.get("version"));
  // After the options, as in dockerd: a request that is wrong in two ways reports the option first.
  if (boolParam(query, "squash")) throw new InvalidArgumentError("squash is only supported with experimental mode");
  const remote = query.get("remote");
  return remote ? { options, remote } : { options };
}
