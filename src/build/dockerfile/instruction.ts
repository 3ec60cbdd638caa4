// Second pass over one instruction: its flags and argument count checked,
// its arguments put into the typed shape of ast.ts. Errors are "line" level
// (`dockerfile parse error line N: …`) with the classic builder's wording.
// Which flags each instruction reads follows Docker: ARG and STOPSIGNAL read
// none, so flags given to them are silently dropped.
import type { Heredoc, Instruction } from "./ast.js";
import { parseCopyAdd } from "./copy-add.js";
import { parseFlags } from "./flags.js";
import { parseHealthcheck } from "./healthcheck.js";
import { nodeCommand, type Node } from "./node.js";
import { parseRun } from "./run.js";
import { lineError } from "./syntax-error.js";

type Body = Instruction extends infer I ? (I extends Instruction ? Omit<I, "line" | "endLine" | "original"> : never) : never;

export interface InstructionSource {
  node: Node;
  /** The logical line, trimmed: what "Step n/m : …" shows. */
  original: string;
  heredocs: Heredoc[];
}

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export function parseInstruction(src: InstructionSource): Body {
  const { node, heredocs } = src;
  const keyword = node.keyword.toUpperCase();
  const noFlags = (): void => void parseFlags(node.flags, {});
  const exactlyOne = (): string => {
    if (node.args.length !== 1) throw lineError(`${keyword} requires exactly one argument`);
    return node.args[0]!;
  };
  const atLeastOne = (): void => {
    if (node.args.length === 0) throw lineError(`${keyword} requires at least one argument`);
  };
  switch (keyword) {
    case "FROM":
      return parseFrom(node);
    case "RUN":
      return parseRun(node, heredocs);
    case "CMD":
    case "ENTRYPOINT":
      noFlags();
      return { kind: keyword, command: nodeCommand(node) };
    case "ENV":
    case "LABEL": {
      noFlags();
      const pairs = node.pairs ?? [];
      if (pairs.length === 0) throw lineError(`${keyword} requires at least one argument`);
      if (pairs.some(([k]) => k === "")) throw lineError(`${keyword} names can not be blank`);
      return { kind: keyword, pairs };
    }
    case "ARG": {
      atLeastOne();
      const args = node.args.map((word) => {
        const eq = word.indexOf("=");
        if (eq < 0) return { name: word };
        if (eq === 0) throw lineError("ARG names can not be blank");
        return { name: word.slice(0, eq), value: word.slice(eq + 1) };
      });
      return { kind: "ARG", args };
    }
    case "COPY":
    case "ADD":
      return parseCopyAdd(keyword, node, heredocs);
    case "EXPOSE":
      atLeastOne();
      noFlags();
      return { kind: "EXPOSE", ports: node.args };
    case "USER": {
      const user = exactlyOne();
      noFlags();
      return { kind: "USER", user };
    }
    case "WORKDIR": {
      const path = exactlyOne();
      noFlags();
      return { kind: "WORKDIR", path };
    }
    case "MAINTAINER": {
      const name = exactlyOne();
      noFlags();
      return { kind: "MAINTAINER", name };
    }
    case "STOPSIGNAL":
      return { kind: "STOPSIGNAL", signal: exactlyOne() };
    case "VOLUME": {
      atLeastOne();
      noFlags();
      const paths = node.args.map((p) => p.trim());
      if (paths.includes("")) throw lineError("VOLUME specified can not be an empty string");
      return { kind: "VOLUME", paths };
    }
    case "SHELL":
      noFlags();
      if (node.args.length === 0) throw lineError("SHELL requires at least one argument");
      if (!node.json) throw lineError("SHELL requires the arguments to be in JSON form");
      return { kind: "SHELL", shell: node.args };
    case "HEALTHCHECK":
      return parseHealthcheck(node);
    case "ONBUILD":
      return parseOnbuild(src);
    default:
      throw lineError(`unknown instruction: ${keyword}`);
  }
}

function parseFrom(node: Node): Body {
  const args = node.args;
  let stageName: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === "as") {
    stageName = args[2]!.toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      throw lineError(`invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) {
    throw lineError("FROM requires either one or three arguments");
  }
  const platform = parseFlags(node.flags, { platform: "string" }).strings.get("platform");
  return {
    kind: "FROM",
    image: args[0]!,
    ...(stageName !== undefined && { stageName }),
    ...(platform !== undefined && { platform }),
  };
}

/**
 * The trigger is kept as text, run when an image built FROM this one is
 * built; heredoc bodies are appended so that text parses on its own again.
 * Docker checks only that the trigger is not ONBUILD, FROM or MAINTAINER.
 */
function parseOnbuild({ node, original, heredocs }: InstructionSource): Body {
  if (!node.child) throw lineError("ONBUILD requires at least one argument");
  parseFlags(node.flags, {});
  const trigger = node.child.keyword.toUpperCase();
  if (trigger === "ONBUILD") throw lineError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (trigger === "MAINTAINER" || trigger === "FROM") throw lineError(`${trigger} isn't allowed as an ONBUILD trigger`);
  let text = original.replace(/^\s*ONBUILD\s*/i, "");
  for (const h of heredocs) text += `\n${h.content}${h.name}`;
  return { kind: "ONBUILD", trigger: text };
}
