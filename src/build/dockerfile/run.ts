// RUN [--mount=…]… [--network=default|none|host] [--security=sandbox|insecure]
// command, in shell form (heredocs allowed) or exec (JSON) form.
import type { Heredoc, InstructionOf } from "./ast.js";
import { parseFlags } from "./flags.js";
import { nodeCommand, type Node } from "./node.js";
import { parseRunMount } from "./run-mount.js";
import { lineError } from "./syntax-error.js";

type Run = Omit<InstructionOf<"RUN">, "line" | "endLine" | "original">;

const NETWORKS = ["default", "none", "host"];
const SECURITY = ["sandbox", "insecure"];

export function parseRun(node: Node, heredocs: Heredoc[]): Run {
  const flags = parseFlags(node.flags, { mount: "strings", network: "string", security: "string" });
  const mounts = (flags.lists.get("mount") ?? []).map(parseRunMount);
  const result: Run = { kind: "RUN", command: nodeCommand(node), mounts, heredocs };
  const network = flags.strings.get("network");
  if (network !== undefined) {
    if (!NETWORKS.includes(network)) throw lineError(`invalid network mode ${JSON.stringify(network)}`);
    result.network = network;
  }
  const security = flags.strings.get("security");
  if (security !== undefined) {
    if (!SECURITY.includes(security)) throw lineError(`security ${JSON.stringify(security)} is not valid`);
    result.security = security;
  }
  return result;
}
