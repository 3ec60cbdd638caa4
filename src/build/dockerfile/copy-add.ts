// COPY and ADD: sources and destination (JSON or words), their flags, and
// heredocs used as source files (`COPY <<EOF /etc/motd`).
import type { Heredoc, InstructionOf } from "./ast.js";
import { parseFlags, type FlagType } from "./flags.js";
import { parseHeredocWord } from "./heredoc.js";
import type { Node } from "./node.js";
import { lineError } from "./syntax-error.js";

type CopyAdd = Omit<InstructionOf<"COPY" | "ADD">, "line" | "endLine" | "original">;

const COPY_FLAGS: Record<string, FlagType> = {
  from: "string",
  chown: "string",
  chmod: "string",
  link: "bool",
  parents: "bool",
  exclude: "strings",
};
const ADD_FLAGS: Record<string, FlagType> = {
  chown: "string",
  chmod: "string",
  link: "bool",
  checksum: "string",
  "keep-git-dir": "bool",
  exclude: "strings",
};

export function parseCopyAdd(kind: "COPY" | "ADD", node: Node, heredocs: Heredoc[]): CopyAdd {
  if (node.args.length < 2) {
    throw lineError(`${kind} requires at least two arguments, but only one was provided. Destination could not be determined`);
  }
  const flags = parseFlags(node.flags, kind === "COPY" ? COPY_FLAGS : ADD_FLAGS);
  const dest = node.args[node.args.length - 1]!;
  if (parseHeredocWord(dest)) throw lineError(`${kind} cannot accept a heredoc as a destination`);
  const names = new Set(heredocs.map((h) => h.name));
  // A heredoc source is written `<<NAME` whatever its quoting, so the builder
  // can find its body in `heredocs` by name.
  const sources = node.args.slice(0, -1).map((src) => {
    const start = parseHeredocWord(src);
    return start && names.has(start.name) ? `<<${start.name}` : src;
  });
  const result: CopyAdd = { kind, sources, dest, exclude: flags.lists.get("exclude") ?? [], heredocs };
  const from = flags.strings.get("from");
  if (from !== undefined) result.from = from;
  const chown = flags.strings.get("chown");
  if (chown !== undefined) result.chown = chown;
  const chmod = flags.strings.get("chmod");
  if (chmod !== undefined) result.chmod = chmod;
  const checksum = flags.strings.get("checksum");
  if (checksum !== undefined) result.checksum = checksum;
  const link = flags.bools.get("link");
  if (link !== undefined) result.link = link;
  const parents = flags.bools.get("parents");
  if (parents !== undefined) result.parents = parents;
  const keepGitDir = flags.bools.get("keep-git-dir");
  if (keepGitDir !== undefined) result.keepGitDir = keepGitDir;
  return result;
}
