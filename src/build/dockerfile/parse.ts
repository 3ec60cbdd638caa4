// parseDockerfile: Dockerfile text → directives, global ARGs and stages (ast.ts).
//
// Two passes, as in Docker, because the order of errors follows from it:
// first the whole text is cut into instructions (lines.ts joins continuations
// and reads heredocs, node.ts cuts each instruction's arguments) — a problem
// here is reported as `failed to parse Dockerfile: …`; then every instruction
// is checked and typed (instruction.ts) — reported as
// `dockerfile parse error line N: …`. Nothing is expanded (expand.ts does that
// at dispatch). Linear in the size of the text.
import { InvalidArgumentError } from "../../errors.js";
import type { Dockerfile, Heredoc, Instruction, InstructionOf, Stage } from "./ast.js";
import { heredocStarts } from "./heredoc.js";
import { parseInstruction } from "./instruction.js";
import { lineReader, type LogicalLine } from "./lines.js";
import { mayHaveHeredocs, parseNode, type Node } from "./node.js";
import { DockerfileSyntaxError, fileError } from "./syntax-error.js";
import { trimSpace } from "./words.js";

export interface ParseOptions {
  /** The Dockerfile's name in the build context, as error messages show it ("Dockerfile"). */
  name?: string;
}

interface Parsed {
  node: Node;
  at: LogicalLine;
  heredocs: Heredoc[];
}

export function parseDockerfile(text: string, opts: ParseOptions = {}): Dockerfile {
  const name = opts.name ?? "Dockerfile";
  if (text === "") throw new InvalidArgumentError(`the Dockerfile (${name}) cannot be empty`);
  let line = 0;
  try {
    const { directives, parsed, warnings } = splitInstructions(text, (n) => (line = n));
    const metaArgs: Array<InstructionOf<"ARG">> = [];
    const stages: Stage[] = [];
    for (const p of parsed) {
      line = p.at.line;
      const body = parseInstruction({ node: p.node, original: trimSpace(p.at.text), heredocs: p.heredocs });
      const instruction = { ...body, line: p.at.line, endLine: p.at.endLine, original: trimSpace(p.at.text) } as Instruction;
      if (instruction.kind === "FROM") {
        stages.push({
          index: stages.length,
          ...(instruction.stageName !== undefined && { name: instruction.stageName }),
          from: instruction,
          instructions: [],
        });
      } else if (stages.length > 0) {
        stages[stages.length - 1]!.instructions.push(instruction);
      } else if (instruction.kind === "ARG") {
        metaArgs.push(instruction);
      } else {
        throw new InvalidArgumentError("no build stage in current context");
      }
    }
    return { directives, metaArgs, stages, warnings };
  } catch (err) {
    if (!(err instanceof DockerfileSyntaxError)) throw err;
    const message =
      err.level === "file" ? `failed to parse ${name}: ${err.message}` : `dockerfile parse error line ${err.line ?? line}: ${err.message}`;
    throw new InvalidArgumentError(message, { cause: err });
  }
}

/** Pass one: logical lines → nodes with their heredocs. `onLine` tracks the line for error messages. */
function splitInstructions(text: string, onLine: (line: number) => void) {
  const reader = lineReader(text);
  const parsed: Parsed[] = [];
  const warnings: string[] = [];
  for (let at = reader.next(); at !== undefined; at = reader.next()) {
    onLine(at.line);
    // dockerd 20.10's wording; the classic builder prints each as "[WARNING]: <w>" in red on the build
    // stream, then "[WARNING]: Empty continuation lines will become errors in a future release."
    if (at.emptyContinuation) warnings.push(`Empty continuation line found in:\n    ${at.text}`);
    const node = parseNode(at.text, reader.directives.escape);
    const heredocs = mayHaveHeredocs(node) && at.text.includes("<<") ? heredocStarts(at.text).map((h) => reader.readHeredoc(h, at)) : [];
    parsed.push({ node, at, heredocs });
  }
  if (parsed.length === 0) throw fileError("file with no instructions");
  return { directives: reader.directives, parsed, warnings };
}
