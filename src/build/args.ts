// Build arguments: ARG's scope rules and the values Docker predefines.
//   - ARGs before the first FROM are global: usable in FROM lines, and in a
//     stage only after `ARG NAME` re-declares them there.
//   - A stage's ARG takes --build-arg's value, else its default, else the
//     global one. ENV of the same name wins over ARG when expanding.
//   - The proxy variables and the platform ones exist without a declaration
//     (proxies) or in the global scope (TARGETPLATFORM & co, as BuildKit has them).
import { hostPlatform } from "../image/import.js";
import type { BuildRun, StageState } from "./build-run.js";

export const PROXY_ARGS = [
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "FTP_PROXY",
  "ftp_proxy",
  "NO_PROXY",
  "no_proxy",
  "ALL_PROXY",
  "all_proxy",
];

/** TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT and the BUILD* twins, for the host (berth builds natively only). */
export function platformArgs(platform: string | undefined): Map<string, string> {
  const host = hostPlatform();
  const [os = host.os, arch = host.architecture, variant = ""] = (platform || `${host.os}/${host.architecture}`).split("/");
  const out = new Map<string, string>();
  out.set("TARGETPLATFORM", [os, arch, variant].filter(Boolean).join("/"));
  out.set("TARGETOS", os);
  out.set("TARGETARCH", arch);
  out.set("TARGETVARIANT", variant);
  out.set("BUILDPLATFORM", `${host.os}/${host.architecture}`);
  out.set("BUILDOS", host.os);
  out.set("BUILDARCH", host.architecture);
  out.set("BUILDVARIANT", "");
  return out;
}

/** The value --build-arg gives `name`, if any. */
export function buildArg(run: BuildRun, name: string): string | undefined {
  const v = run.opts.buildArgs[name];
  return v === null ? undefined : v;
}

/** Looks names up as a step sees them: the stage's ENV first, then its ARGs, then undeclared proxy build args. */
export function stageLookup(run: BuildRun, state: StageState): (name: string) => string | undefined {
  const env = envMap(state.result.config.config?.Env ?? []);
  return (name) => {
    if (env.has(name)) return env.get(name);
    if (state.args.has(name)) return state.args.get(name);
    if (PROXY_ARGS.includes(name)) return buildArg(run, name);
    return undefined;
  };
}

export function envMap(env: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env) {
    const eq = e.indexOf("=");
    if (eq < 0) m.set(e, "");
    else m.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return m;
}

/** ARGs with a value that a RUN sees as environment (ENV of the same name wins), sorted by name as the classic builder lists them. */
export function runArgs(run: BuildRun, state: StageState): Array<[string, string]> {
  const env = envMap(state.result.config.config?.Env ?? []);
  const out: Array<[string, string]> = [];
  for (const [name, value] of state.args) if (value !== undefined && !env.has(name)) out.push([name, value]);
  for (const name of PROXY_ARGS) {
    const v = buildArg(run, name);
    if (v !== undefined && !state.args.has(name) && !env.has(name)) out.push([name, v]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
