// The steps that only change the image config: ENV, ARG, LABEL, EXPOSE,
// USER, VOLUME, STOPSIGNAL, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD,
// MAINTAINER. Each records a history entry with the classic builder's
// `#(nop)` created_by and no layer.
import { InvalidArgumentError } from "../errors.js";
import { formatGoDuration } from "../oci/duration.js";
import type { ImageRuntimeConfig } from "../oci/types.js";
import { buildArg, stageLookup } from "./args.js";
import type { BuildRun, StageState } from "./build-run.js";
import type { Command, Instruction } from "./dockerfile/ast.js";
import { expandWord, expandWords } from "./dockerfile/expand.js";
import { cachedStep } from "./step.js";
import { nextConfig, type StepResult } from "./step-result.js";

type MetaKind = Exclude<Instruction["kind"], "FROM" | "RUN" | "COPY" | "ADD" | "WORKDIR">;

export function isMetaStep(i: Instruction): i is Extract<Instruction, { kind: MetaKind }> {
  return !["FROM", "RUN", "COPY", "ADD", "WORKDIR"].includes(i.kind);
}

/** Go's %q of a []string, which the classic builder's history uses: ["a" "b c"]. */
export function goQuoteList(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(" ")}]`;
}

export function commandArgs(cmd: Command, shell: string[]): string[] {
  return cmd.form === "exec" ? cmd.args : [...shell, cmd.text];
}

export async function metaStep(run: BuildRun, state: StageState, instr: Extract<Instruction, { kind: MetaKind }>): Promise<StepResult> {
  const lookup = stageLookup(run, state);
  const expand = (w: string): string => expandWord(w, lookup, { escape: run.escape });
  const expandAll = (w: string): string[] => expandWords(w, lookup, { escape: run.escape });
  const { text, change } = describe(run, state, instr, expand, expandAll);
  const createdBy = `${state.shell.join(" ")} #(nop)  ${text}`;
  const parent = state.result;
  const result = await cachedStep(run, state, {
    cacheInput: createdBy,
    description: text,
    execute: async () => {
      const config = nextConfig(parent, { createdBy, change });
      if (instr.kind === "MAINTAINER") config.author = instr.name;
      return { config };
    },
  });
  // Stage state that lives outside the config follows the step, hit or miss.
  if (instr.kind === "SHELL") state.shell = instr.shell;
  if (instr.kind === "CMD") state.cmdSet = true;
  return result;
}

function describe(
  run: BuildRun,
  state: StageState,
  instr: Extract<Instruction, { kind: MetaKind }>,
  expand: (w: string) => string,
  expandAll: (w: string) => string[],
): { text: string; change: (c: ImageRuntimeConfig) => void } {
  switch (instr.kind) {
    case "ENV": {
      // Every word is expanded with the environment before this instruction.
      const pairs = instr.pairs.map(([k, v]) => [expand(k), expand(v)] as const);
      for (const [k] of pairs) if (k === "") throw new InvalidArgumentError("ENV names can not be blank");
      return {
        text: `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`,
        change: (c) => {
          const env = [...(c.Env ?? [])];
          for (const [k, v] of pairs) {
            const at = env.findIndex((e) => e === k || e.startsWith(`${k}=`));
            if (at >= 0) env[at] = `${k}=${v}`;
            else env.push(`${k}=${v}`);
          }
          c.Env = env;
        },
      };
    }
    case "ARG": {
      const shown: string[] = [];
      for (const a of instr.args) {
        const name = expand(a.name);
        const given = buildArg(run, name);
        const fallback = a.value !== undefined ? expand(a.value) : run.globalArgs.get(name);
        const value = given ?? fallback;
        state.args.set(name, value);
        if (name in run.opts.buildArgs) run.consumed.add(name);
        shown.push(a.value !== undefined ? `${name}=${expand(a.value)}` : name);
      }
      return { text: `ARG ${shown.join(" ")}`, change: () => undefined };
    }
    case "LABEL": {
      const pairs = instr.pairs.map(([k, v]) => [expand(k), expand(v)] as const);
      return {
        text: `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`,
        change: (c) => {
          c.Labels = { ...(c.Labels ?? {}) };
          for (const [k, v] of pairs) c.Labels[k] = v;
        },
      };
    }
    case "EXPOSE": {
      const words = instr.ports.flatMap(expandAll);
      const ports = words.flatMap(exposedPorts);
      return {
        text: `EXPOSE ${words.join(" ")}`,
        change: (c) => {
          c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
          for (const p of ports) c.ExposedPorts[p] = {};
        },
      };
    }
    case "USER": {
      const user = expand(instr.user);
      return { text: `USER ${user}`, change: (c) => void (c.User = user) };
    }
    case "VOLUME": {
      const paths = instr.paths.map(expand);
      for (const p of paths) if (p.trim() === "") throw new InvalidArgumentError("VOLUME specified can not be an empty string");
      return {
        text: `VOLUME [${paths.join(" ")}]`,
        change: (c) => {
          c.Volumes = { ...(c.Volumes ?? {}) };
          for (const p of paths) c.Volumes[p] = {};
        },
      };
    }
    case "STOPSIGNAL": {
      const signal = expand(instr.signal);
      if (!/^(SIG)?[A-Z0-9+-]+$/i.test(signal)) throw new InvalidArgumentError(`Invalid signal: ${signal}`);
      return { text: `STOPSIGNAL ${signal}`, change: (c) => void (c.StopSignal = signal) };
    }
    case "CMD": {
      const args = commandArgs(instr.command, state.shell);
      return {
        text: `CMD ${goQuoteList(args)}`,
        change: (c) => {
          c.Cmd = args;
          if (instr.command.form === "shell") c.ArgsEscaped = true;
        },
      };
    }
    case "ENTRYPOINT": {
      const args = commandArgs(instr.command, state.shell);
      const cmdSet = state.cmdSet;
      return {
        text: `ENTRYPOINT ${goQuoteList(args)}`,
        change: (c) => {
          c.Entrypoint = args;
          // An inherited CMD makes no sense for a new entrypoint (Docker's rule).
          if (!cmdSet) c.Cmd = null;
        },
      };
    }
    case "SHELL":
      return { text: `SHELL [${instr.shell.join(" ")}]`, change: (c) => void (c.Shell = instr.shell) };
    case "HEALTHCHECK": {
      const hc: NonNullable<ImageRuntimeConfig["Healthcheck"]> = { Test: instr.test ?? ["NONE"] };
      if (instr.interval !== undefined) hc.Interval = instr.interval;
      if (instr.timeout !== undefined) hc.Timeout = instr.timeout;
      if (instr.startPeriod !== undefined) hc.StartPeriod = instr.startPeriod;
      if (instr.startInterval !== undefined) hc.StartInterval = instr.startInterval;
      if (instr.retries !== undefined) hc.Retries = instr.retries;
      // The classic builder prints the Go struct with %q: &{["CMD" "true"] "5s" "3s" "0s" '\x02'}.
      const d = (ns: number | undefined): string => `"${formatGoDuration(ns ?? 0)}"`;
      const text = instr.test
        ? `HEALTHCHECK &{${goQuoteList(instr.test)} ${d(instr.interval)} ${d(instr.timeout)} ${d(instr.startPeriod)} ${goQuoteRune(instr.retries ?? 0)}}`
        : "HEALTHCHECK &{[\"NONE\"] \"0s\" \"0s\" \"0s\" '\\x00'}";
      return { text, change: (c) => void (c.Healthcheck = hc) };
    }
    case "ONBUILD":
      return { text: `ONBUILD ${instr.trigger}`, change: (c) => void (c.OnBuild = [...(c.OnBuild ?? []), instr.trigger]) };
    case "MAINTAINER":
      // The author is a top-level config field; the step records the history entry only.
      return { text: `MAINTAINER ${instr.name}`, change: () => undefined };
  }
}

/** Go's %q of an integer: a quoted character literal ('\x02', 'A'). */
function goQuoteRune(n: number): string {
  const named: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 39: "\\'", 92: "\\\\" };
  if (named[n] !== undefined) return `'${named[n]}'`;
  if (n >= 0x20 && n < 0x7f) return `'${String.fromCharCode(n)}'`;
  if (n < 0x80) return `'\\x${n.toString(16).padStart(2, "0")}'`;
  return `'\\u${n.toString(16).padStart(4, "0")}'`;
}

/** "80" → ["80/tcp"], "53/udp" → ["53/udp"], "8000-8002" → three ports. */
function exposedPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw new InvalidArgumentError(`Invalid containerPort: ${spec}`);
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  const proto = (m[3] ?? "tcp").toLowerCase();
  if (end < start || end > 65535) throw new InvalidArgumentError(`Invalid containerPort: ${spec}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}
