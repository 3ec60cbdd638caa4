// A parsed Dockerfile: parser directives, the ARGs before the first FROM, and
// the stages with their instructions, each knowing the line it came from.
//
// Lifecycle: parseDockerfile(text) (parse.ts) splits the text into
// instructions — continuations joined, comments dropped, heredocs read — and
// checks each one's shape (flags it may carry, argument count, JSON or shell
// form). Nothing is expanded yet: which `$VAR`s mean what depends on the ENV
// and ARG steps before it, so the builder expands words when it reaches each
// step (expand.ts), exactly where Docker does: FROM, ADD, COPY, ENV, ARG,
// EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, and the values of flags
// (`--from`, `--chown`, `--chmod`, `--platform`, `--mount`). RUN, CMD,
// ENTRYPOINT, SHELL, HEALTHCHECK and ONBUILD stay as written (the shell does
// RUN's expansion).

export interface Directives {
  /** The escape character: "\\" (default) or "`". */
  escape: "\\" | "`";
  /** `# syntax=` is accepted and reported as not applied (berth has one frontend). */
  syntax?: string;
  /** `# check=` as written. */
  check?: string;
}

export interface Heredoc {
  /** The delimiter word, without quotes: `EOF` for `<<EOF`, `<<"EOF"`, `<<-EOF`. */
  name: string;
  /** The body, lines joined with "\n" and ending with "\n"; for `<<-` leading tabs are already removed. */
  content: string;
  /** False when the delimiter was quoted: the body is taken literally. */
  expand: boolean;
  /** `<<-`: leading tabs were stripped. */
  chomp: boolean;
}

/** Exec (JSON array) form or shell form; shell-form text is as written (continuations joined). */
export type Command = { form: "exec"; args: string[] } | { form: "shell"; text: string };

/** What every instruction carries. */
export interface Located {
  /** 1-based line where the instruction starts. */
  line: number;
  /** 1-based line where it ends (continuations and heredocs included). */
  endLine: number;
  /** The instruction as dockerd prints it in "Step n/m : …": the source text trimmed, keyword case kept, continuation lines appended as they are, heredoc bodies left out. */
  original: string;
}

export interface RunMount {
  type: "cache" | "bind" | "tmpfs" | "secret" | "ssh";
  /** Raw `key=value` fields of the --mount flag, values unexpanded ("target", "source", "from", "id", "readonly"/"ro", "sharing", "mode", "uid", "gid", "required", "size"). A bare key (e.g. `readonly`) maps to "true". */
  fields: Record<string, string>;
}

export type Instruction = Located &
  (
    | { kind: "FROM"; image: string; stageName?: string; platform?: string }
    | { kind: "RUN"; command: Command; mounts: RunMount[]; network?: string; security?: string; heredocs: Heredoc[] }
    | { kind: "CMD"; command: Command }
    | { kind: "ENTRYPOINT"; command: Command }
    /** Raw key and value words (quotes still in place; expand.ts removes them). `ENV a b c` (old form) → [["a", "b c"]]. */
    | { kind: "ENV"; pairs: Array<[string, string]> }
    /** `ARG a=1 b` → [{name:"a", value:"1"}, {name:"b"}]; values raw. */
    | { kind: "ARG"; args: Array<{ name: string; value?: string }> }
    | { kind: "LABEL"; pairs: Array<[string, string]> }
    /** Raw words: "80", "443/tcp", "$PORT". */
    | { kind: "EXPOSE"; ports: string[] }
    | { kind: "USER"; user: string }
    | { kind: "WORKDIR"; path: string }
    /** JSON or whitespace-separated list, raw words. */
    | { kind: "VOLUME"; paths: string[] }
    | {
        kind: "COPY" | "ADD";
        /** Raw source words (may hold globs); heredoc sources appear as their `<<NAME` word and in `heredocs`. */
        sources: string[];
        dest: string;
        from?: string;
        chown?: string;
        chmod?: string;
        link?: boolean;
        /** ADD only. */
        checksum?: string;
        keepGitDir?: boolean;
        exclude: string[];
        parents?: boolean;
        heredocs: Heredoc[];
      }
    | { kind: "SHELL"; shell: string[] }
    | { kind: "STOPSIGNAL"; signal: string }
    | {
        kind: "HEALTHCHECK";
        /** undefined for HEALTHCHECK NONE. Otherwise Docker's Test array: ["CMD", …] or ["CMD-SHELL", "…"]. */
        test?: string[];
        /** Durations in nanoseconds; undefined when not given. */
        interval?: number;
        timeout?: number;
        startPeriod?: number;
        startInterval?: number;
        retries?: number;
      }
    /** The trigger text after ONBUILD, e.g. "RUN echo hi" (checked: not ONBUILD, FROM or MAINTAINER). */
    | { kind: "ONBUILD"; trigger: string }
    | { kind: "MAINTAINER"; name: string }
  );

export type InstructionKind = Instruction["kind"];
export type InstructionOf<K extends InstructionKind> = Extract<Instruction, { kind: K }>;

export interface Stage {
  /** 0-based position. */
  index: number;
  /** `AS name`, lower-cased as Docker compares stage names. */
  name?: string;
  from: InstructionOf<"FROM">;
  /** The instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Directives;
  /** ARG instructions before the first FROM (global scope, usable in FROM lines). */
  metaArgs: Array<InstructionOf<"ARG">>;
  stages: Stage[];
  /** Non-fatal findings Docker also reports, e.g. "Empty continuation line found in: …" (with the line). */
  warnings: string[];
}
