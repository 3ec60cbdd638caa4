// Dockerfile errors before they get their final wording. The classic builder
// reports two kinds differently, and users' scripts match on the text:
//   "file": found while splitting the text into instructions (the AST
//           parser): `failed to parse Dockerfile: ENV must have two arguments`
//   "line": found while checking one instruction's shape:
//           `dockerfile parse error line 3: Unknown flag: foo`
// parse.ts catches these and throws InvalidArgumentError with the prefix.

export type SyntaxErrorLevel = "file" | "line";

export class DockerfileSyntaxError extends Error {
  constructor(
    message: string,
    readonly level: SyntaxErrorLevel,
    /** For "line" errors: the line to name when the thrower knows better than the instruction's first line. */
    readonly line?: number,
  ) {
    super(message);
    this.name = "DockerfileSyntaxError";
  }
}

/** An error in the text's structure (the AST parser's level). */
export function fileError(message: string): DockerfileSyntaxError {
  return new DockerfileSyntaxError(message, "file");
}

/** An error in one instruction's arguments or flags. */
export function lineError(message: string, line?: number): DockerfileSyntaxError {
  return new DockerfileSyntaxError(message, "line", line);
}
