// HEALTHCHECK NONE | HEALTHCHECK [--interval=D --timeout=D --start-period=D
// --start-interval=D --retries=N] CMD command. Durations are Go durations;
// limits and wording are dockerd 20.10's classic builder: every duration
// given must be at least 1ms (0 included), retries at least 1.
import { InvalidArgumentError } from "../../errors.js";
import { parseGoDuration } from "../../oci/duration.js";
import type { InstructionOf } from "./ast.js";
import { parseFlags } from "./flags.js";
import type { Node } from "./node.js";
import { lineError } from "./syntax-error.js";

type Healthcheck = Omit<InstructionOf<"HEALTHCHECK">, "line" | "endLine" | "original">;

const MIN_DURATION_NS = 1e6;

export function parseHealthcheck(node: Node): Healthcheck {
  if (node.args.length === 0) throw lineError("HEALTHCHECK requires at least one argument");
  const type = node.args[0]!.toUpperCase();
  const cmd = node.args.slice(1);
  // Docker reads no flags for NONE, so `HEALTHCHECK --anything NONE` passes.
  if (type === "NONE") {
    if (cmd.length !== 0) throw lineError("HEALTHCHECK NONE takes no arguments");
    return { kind: "HEALTHCHECK" };
  }
  const flags = parseFlags(node.flags, {
    interval: "string",
    timeout: "string",
    "start-period": "string",
    "start-interval": "string",
    retries: "string",
  });
  if (type !== "CMD") throw lineError(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  if (cmd.length === 0) throw lineError("Missing command after HEALTHCHECK CMD");
  const result: Healthcheck = { kind: "HEALTHCHECK", test: node.json ? ["CMD", ...cmd] : ["CMD-SHELL", ...cmd] };
  const durations = [
    ["interval", "interval"],
    ["timeout", "timeout"],
    ["start-period", "startPeriod"],
    ["start-interval", "startInterval"],
  ] as const;
  for (const [flag, field] of durations) {
    const value = flags.strings.get(flag);
    if (value !== undefined && value !== "") result[field] = duration(flag, value);
  }
  const retries = flags.strings.get("retries");
  if (retries !== undefined && retries !== "") {
    const n = goParseInt32(retries);
    if (n < 1) throw lineError(`--retries must be at least 1 (not ${n})`);
    result.retries = n;
  }
  return result;
}

function duration(flag: string, value: string): number {
  let ns: number;
  try {
    ns = parseGoDuration(value);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw lineError(err.message);
    throw err;
  }
  if (ns < MIN_DURATION_NS) throw lineError(`Interval ${JSON.stringify(flag)} cannot be less than 1ms`);
  return ns;
}

/** Go's strconv.ParseInt(s, 10, 32), with its error wording. */
function goParseInt32(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw lineError(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n > 2 ** 31 - 1 || n < -(2 ** 31)) throw lineError(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}
