// `docker import --change` / `docker commit --change`: Dockerfile instructions
// that edit an image's runtime config without running anything. The changes
// are read as one Dockerfile (comments, line continuations); the instruction
// set, the argument checks, the word expansion and the error wording follow
// Docker's builder (BuildFromConfig): every instruction is checked to be one
// commit allows before any is applied.
import path from "node:path/posix";
import { constants as osConstants } from "node:os";
import { InvalidArgumentError } from "../errors.js";
import type { ImageRuntimeConfig } from "../oci/types.js";
import { parseGoDuration } from "../oci/duration.js";
import { processWord } from "./shell-word.js";

const ALLOWED = new Set([
  "cmd",
  "entrypoint",
  "env",
  "expose",
  "healthcheck",
  "label",
  "onbuild",
  "stopsignal",
  "user",
  "volume",
  "workdir",
]);

const DEFAULT_SHELL = ["/bin/sh", "-c"];

interface Instruction {
  /** Lower case, as Docker's messages print it. */
  name: string;
  flags: Map<string, string | undefined>;
  /** The rest of the line after the flags. */
  args: string;
}

/** Returns a new config with `changes` applied in order; `base` is not modified. */
export function applyChanges(base: ImageRuntimeConfig, changes: readonly string[]): ImageRuntimeConfig {
  const instructions = dockerfileLines(changes.join("\n")).map(parseLine);
  for (const ins of instructions) {
    if (!ALLOWED.has(ins.name)) throw new InvalidArgumentError(`${ins.name} is not a valid change command`);
  }
  const cfg: ImageRuntimeConfig = structuredClone(base);
  const state = { cmdSet: false };
  for (const ins of instructions) apply(cfg, ins, state);
  return cfg;
}

function apply(cfg: ImageRuntimeConfig, ins: Instruction, state: { cmdSet: boolean }): void {
  const NAME = ins.name.toUpperCase();
  if (ins.name !== "healthcheck") noFlags(ins);
  const { args } = ins;
  const atLeastOne = (): void => {
    if (args === "") throw new InvalidArgumentError(`${NAME} requires at least one argument`);
  };
  const exactlyOne = (): void => {
    if (args === "") throw new InvalidArgumentError(`${NAME} requires exactly one argument`);
  };
  // Words are expanded against the environment as it was before this instruction.
  const env = cfg.Env ?? [];
  const expand = (word: string): string => processWord(word, env);

  switch (ins.name) {
    case "cmd":
      cfg.Cmd = commandLine(args, cfg, { emptyAsNull: false });
      state.cmdSet = true;
      return;
    case "entrypoint":
      cfg.Entrypoint = commandLine(args, cfg, { emptyAsNull: true });
      // As in a Dockerfile, ENTRYPOINT drops a CMD that was not set alongside it.
      if (!state.cmdSet) cfg.Cmd = null;
      return;
    case "env":
      atLeastOne();
      for (const [k, v] of nameValues(args, NAME).map(([k, v]) => [expand(k), expand(v)] as const)) {
        if (k === "") throw new InvalidArgumentError("ENV names can not be blank");
        setEnv(cfg, k, v);
      }
      return;
    case "label": {
      atLeastOne();
      const pairs = nameValues(args, NAME).map(([k, v]) => [expand(k), expand(v)] as const);
      cfg.Labels = { ...cfg.Labels };
      for (const [k, v] of pairs) {
        if (k === "") throw new InvalidArgumentError("LABEL names can not be blank");
        cfg.Labels[k] = v;
      }
      return;
    }
    case "workdir": {
      exactlyOne();
      const dir = expand(args);
      if (dir === "") throw new InvalidArgumentError("cannot normalize nothing");
      cfg.WorkingDir = path.resolve("/", cfg.WorkingDir || "/", dir);
      return;
    }
    case "user":
      exactlyOne();
      cfg.User = expand(args);
      return;
    case "stopsignal": {
      exactlyOne();
      const signal = expand(args);
      checkSignal(signal);
      cfg.StopSignal = signal;
      return;
    }
    case "expose": {
      atLeastOne();
      const ports = args.split(/\s+/).map(expand).flatMap(exposedPorts);
      cfg.ExposedPorts = { ...cfg.ExposedPorts };
      for (const p of ports) cfg.ExposedPorts[p] = {};
      return;
    }
    case "volume": {
      const list = jsonArray(args) ?? (args === "" ? [] : args.split(/\s+/));
      if (list.length === 0) throw new InvalidArgumentError("VOLUME requires at least one argument");
      const volumes = list.map((v) => {
        if (v.trim() === "") throw new InvalidArgumentError("VOLUME specified can not be an empty string");
        return expand(v.trim());
      });
      cfg.Volumes = { ...cfg.Volumes };
      for (const v of volumes) cfg.Volumes[v] = {};
      return;
    }
    case "onbuild": {
      atLeastOne();
      const trigger = args.split(/\s+/, 1)[0]!.toUpperCase();
      if (trigger === "ONBUILD") throw new InvalidArgumentError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === "FROM" || trigger === "MAINTAINER") {
        throw new InvalidArgumentError(`${trigger} isn't allowed as an ONBUILD trigger`);
      }
      cfg.OnBuild = [...(cfg.OnBuild ?? []), args];
      return;
    }
    case "healthcheck":
      atLeastOne();
      cfg.Healthcheck = healthcheck(ins);
      return;
  }
}

/** Exec form (a JSON array of strings), else shell form run by the image's shell. */
function commandLine(args: string, cfg: ImageRuntimeConfig, opts: { emptyAsNull: boolean }): string[] | null {
  const exec = jsonArray(args);
  if (exec !== undefined) return exec.length === 0 ? null : exec;
  if (args === "") return opts.emptyAsNull ? null : [...(cfg.Shell ?? DEFAULT_SHELL)];
  return [...(cfg.Shell ?? DEFAULT_SHELL), args];
}

/** A JSON array of strings; undefined when `args` is not JSON (then it is shell form). */
function jsonArray(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (!Array.isArray(parsed)) return undefined;
  if (!parsed.every((x) => typeof x === "string")) {
    throw new InvalidArgumentError("when using JSON array syntax, arrays must be comprised of strings only");
  }
  return parsed as string[];
}

/** Replaces a variable in place (its position is kept), or appends it. */
function setEnv(cfg: ImageRuntimeConfig, key: string, value: string): void {
  const env = [...(cfg.Env ?? [])];
  const i = env.findIndex((e) => e.split("=", 1)[0] === key);
  if (i === -1) env.push(`${key}=${value}`);
  else env[i] = `${key}=${value}`;
  cfg.Env = env;
}

/** `k=v k2="v 2"` (raw, still quoted), or the legacy single pair `k some value`. */
function nameValues(args: string, instruction: string): [string, string][] {
  const words = rawWords(args);
  if (!words[0]!.includes("=")) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(args);
    if (!m) throw new InvalidArgumentError(`${instruction} must have two arguments`);
    return [[m[1]!, m[2]!]];
  }
  return words.map((w) => {
    const i = w.indexOf("=");
    if (i === -1) {
      throw new InvalidArgumentError(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    }
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Splits on whitespace outside quotes, keeping quotes and escapes for processWord. */
function rawWords(s: string): string[] {
  const words: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\" && quote !== "'" && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (/\s/.test(c)) {
      if (cur !== "") words.push(cur);
      cur = "";
      continue;
    }
    cur += c;
  }
  if (cur !== "") words.push(cur);
  return words;
}

/** EXPOSE takes `[ip:][hostPort:]port[-end][/proto]`; only the container side is kept. */
function exposedPorts(spec: string): string[] {
  const containerPart = spec.slice(spec.lastIndexOf(":") + 1);
  const [range = "", protoPart] = containerPart.split("/");
  const proto = (protoPart || "tcp").toLowerCase();
  if (range === "") throw new InvalidArgumentError(`no port specified: ${spec}<empty>`);
  const m = /^(\d+)(?:-(\d+))?$/.exec(range);
  const start = m ? Number(m[1]) : NaN;
  const end = m?.[2] === undefined ? start : Number(m[2]);
  if (!m || start > 65535 || end > 65535 || end < start) throw new InvalidArgumentError(`invalid containerPort: ${range}`);
  if (!["tcp", "udp", "sctp"].includes(proto)) throw new InvalidArgumentError(`invalid proto: ${protoPart}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}

/** Docker's signal.ParseSignal: a number, or a name with or without "SIG". */
function checkSignal(raw: string): void {
  if (/^\d+$/.test(raw)) {
    if (Number(raw) !== 0) return;
  } else {
    const name = `SIG${raw.toUpperCase().replace(/^SIG/, "")}`;
    if (Object.hasOwn(osConstants.signals, name) || /^SIGRTM(?:IN|AX)(?:[+-]\d+)?$/.test(name)) return;
  }
  throw new InvalidArgumentError(`Invalid signal: ${raw}`);
}

const HEALTH_DURATIONS = {
  interval: "Interval",
  timeout: "Timeout",
  "start-period": "StartPeriod",
  "start-interval": "StartInterval",
} as const;

function healthcheck(ins: Instruction): NonNullable<ImageRuntimeConfig["Healthcheck"]> {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(ins.args)!;
  const type = m[1]!.toUpperCase();
  const rest = m[2]!;
  if (type === "NONE") {
    if (rest !== "") throw new InvalidArgumentError("HEALTHCHECK NONE takes no arguments");
    return { Test: ["NONE"] };
  }
  for (const name of ins.flags.keys()) {
    if (name !== "retries" && !Object.hasOwn(HEALTH_DURATIONS, name)) {
      throw new InvalidArgumentError(`Unknown flag: ${name}`);
    }
  }
  if (type !== "CMD") throw new InvalidArgumentError(`Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  const exec = jsonArray(rest);
  if (exec?.length === 0 || rest === "") throw new InvalidArgumentError("Missing command after HEALTHCHECK CMD");
  const out: NonNullable<ImageRuntimeConfig["Healthcheck"]> = {
    Test: exec ? ["CMD", ...exec] : ["CMD-SHELL", rest],
  };
  for (const [flag, field] of Object.entries(HEALTH_DURATIONS)) {
    const value = flagValue(ins, flag);
    if (value === undefined || value === "") continue;
    const ns = parseGoDuration(value);
    if (ns === 0) continue;
    if (ns < 1e6) throw new InvalidArgumentError(`Interval "${flag}" cannot be less than 1ms`);
    out[field] = ns;
  }
  const retries = flagValue(ins, "retries");
  if (retries !== undefined && retries !== "") {
    if (!/^[+-]?\d+$/.test(retries)) {
      throw new InvalidArgumentError(`strconv.ParseInt: parsing ${JSON.stringify(retries)}: invalid syntax`);
    }
    const n = Number(retries);
    if (n < 0) throw new InvalidArgumentError(`--retries cannot be negative (${n})`);
    if (n > 0) out.Retries = n;
  }
  return out;
}

function flagValue(ins: Instruction, name: string): string | undefined {
  if (!ins.flags.has(name)) return undefined;
  const value = ins.flags.get(name);
  if (value === undefined) throw new InvalidArgumentError(`Missing a value on flag: ${name}`);
  return value;
}

function noFlags(ins: Instruction): void {
  const first = ins.flags.keys().next();
  if (!first.done) throw new InvalidArgumentError(`Unknown flag: ${first.value}`);
}

/** The instruction word, then leading `--flag[=value]` words, then the arguments. */
function parseLine(line: string): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
  let rest = m[2]!;
  const flags = new Map<string, string | undefined>();
  for (let f = /^--(\S*)\s*/.exec(rest); f; f = /^--(\S*)\s*/.exec(rest)) {
    const i = f[1]!.indexOf("=");
    const name = i === -1 ? f[1]! : f[1]!.slice(0, i);
    if (flags.has(name)) throw new InvalidArgumentError(`Duplicate flag specified: ${name}`);
    flags.set(name, i === -1 ? undefined : f[1]!.slice(i + 1));
    rest = rest.slice(f[0].length);
  }
  return { name: m[1]!.toLowerCase(), flags, args: rest.trim() };
}

/** Non-blank, non-comment lines, with backslash-continued lines joined. */
function dockerfileLines(text: string): string[] {
  const out: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1);
      continue;
    }
    out.push(pending + line);
    pending = "";
  }
  if (pending.trim() !== "") out.push(pending);
  return out;
}
