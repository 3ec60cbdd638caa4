// `docker import --change` / `docker commit --change`: Dockerfile instructions
// that edit an image's runtime config without running anything. Each change is
// one Dockerfile line; the instruction set is the one moby allows for commit.
import path from "node:path/posix";
import { InvalidArgumentError, NotImplementedError } from "../errors.js";
import type { ImageRuntimeConfig } from "../oci/types.js";

/** Returns a new config with `changes` applied in order. */
export function applyChanges(base: ImageRuntimeConfig, changes: readonly string[]): ImageRuntimeConfig {
  const cfg: ImageRuntimeConfig = structuredClone(base);
  let cmdSet = false;
  for (const line of changes.flatMap((c) => c.split("\n"))) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)!;
    const instruction = m[1]!.toLowerCase();
    const args = m[2]!.trim();
    const requireArgs = (): void => {
      if (args === "") throw new InvalidArgumentError(`${instruction.toUpperCase()} requires at least one argument`);
    };
    switch (instruction) {
      case "cmd":
        requireArgs();
        cfg.Cmd = commandForm(args);
        cmdSet = true;
        break;
      case "entrypoint":
        requireArgs();
        cfg.Entrypoint = commandForm(args);
        // As in a Dockerfile, ENTRYPOINT resets a CMD inherited from before.
        if (!cmdSet) cfg.Cmd = null;
        break;
      case "env":
        requireArgs();
        for (const [k, v] of keyValues(args, "ENV")) setEnv(cfg, k, v);
        break;
      case "label":
        requireArgs();
        cfg.Labels = { ...cfg.Labels };
        for (const [k, v] of keyValues(args, "LABEL")) cfg.Labels[k] = v;
        break;
      case "workdir":
        requireArgs();
        cfg.WorkingDir = path.resolve(cfg.WorkingDir || "/", unquote(args));
        break;
      case "user":
        requireArgs();
        cfg.User = unquote(args);
        break;
      case "stopsignal":
        requireArgs();
        cfg.StopSignal = unquote(args);
        break;
      case "expose":
        requireArgs();
        cfg.ExposedPorts = { ...cfg.ExposedPorts };
        for (const word of splitWords(args)) for (const p of exposedPorts(word)) cfg.ExposedPorts[p] = {};
        break;
      case "volume": {
        requireArgs();
        cfg.Volumes = { ...cfg.Volumes };
        const list = jsonArray(args) ?? splitWords(args);
        for (const v of list) {
          if (v.trim() === "") throw new InvalidArgumentError("VOLUME specified can not be an empty string");
          cfg.Volumes[v] = {};
        }
        break;
      }
      case "onbuild":
        requireArgs();
        cfg.OnBuild = [...(cfg.OnBuild ?? []), args];
        break;
      case "healthcheck":
        throw new NotImplementedError("HEALTHCHECK in --change is not supported yet");
      default:
        throw new InvalidArgumentError(`${instruction} is not a valid change command`);
    }
  }
  return cfg;
}

/** Exec form (a JSON array of strings) or shell form, which runs under /bin/sh -c. */
function commandForm(args: string): string[] {
  return jsonArray(args) ?? ["/bin/sh", "-c", args];
}

function jsonArray(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed as string[];
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  return undefined;
}

function setEnv(cfg: ImageRuntimeConfig, key: string, value: string): void {
  const env = (cfg.Env ?? []).filter((e) => e.split("=", 1)[0] !== key);
  env.push(`${key}=${value}`);
  cfg.Env = env;
}

/** `k=v k2="v 2"`, or the legacy single pair `k some value`. */
function keyValues(args: string, instruction: string): [string, string][] {
  const words = splitWords(args);
  if (!words[0]!.includes("=")) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(args);
    if (!m) throw new InvalidArgumentError(`${instruction} must have two arguments`);
    return [[unquote(m[1]!), unquote(m[2]!.trim())]];
  }
  return words.map((w) => {
    const i = w.indexOf("=");
    if (i <= 0) throw new InvalidArgumentError(`${instruction} names can not be blank`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Splits on unquoted whitespace; quotes are removed, backslash escapes the next character. */
export function splitWords(s: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new InvalidArgumentError(`unexpected end of statement while looking for matching ${quote}`);
  if (inWord) words.push(cur);
  return words;
}

function unquote(s: string): string {
  return splitWords(s).join(" ");
}

/** "80" → 80/tcp; "8000-8001/udp" → each port of the range. */
function exposedPorts(spec: string): string[] {
  const [range, proto = "tcp"] = spec.split("/", 2) as [string, string | undefined];
  const m = /^(\d+)(?:-(\d+))?$/.exec(range);
  if (!m) throw new InvalidArgumentError(`invalid containerPort: ${range}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || end < start) throw new InvalidArgumentError(`invalid containerPort: ${range}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}
