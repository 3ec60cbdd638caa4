// Calling CNI plugins as the CNI spec 1.0.0 says a runtime does: one exec per
// plugin of a network configuration list, the CNI_* variables in the
// environment, the plugin's config (with the list's name and cniVersion) on
// stdin. ADD runs the plugins in order, each given the previous one's result
// as prevResult; DEL runs them in reverse, each given ADD's final result. A
// failing plugin prints {code, msg, details} on stdout: that becomes CniError.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { SystemError } from "../errors.js";

export interface CniPluginConf {
  type: string;
  [key: string]: unknown;
}

/** A network configuration list (the content of a .conflist), exactly as ADD and DEL receive it. */
export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: CniPluginConf[];
}

export interface CniResult {
  cniVersion: string;
  interfaces?: Array<{ name: string; mac?: string; sandbox?: string }>;
  ips?: Array<{ address: string; gateway?: string; interface?: number }>;
  routes?: Array<{ dst: string; gw?: string }>;
  dns?: unknown;
}

/** The CNI_* parameters of one attachment. */
export interface CniAttachment {
  containerId: string;
  netns: string;
  ifname: string;
}

export class CniError extends SystemError {
  constructor(
    readonly plugin: string,
    readonly code: number,
    msg: string,
    readonly details?: string,
  ) {
    super(`plugin type="${plugin}" failed (code ${code}): ${msg}${details ? `: ${details}` : ""}`);
  }
}

/** Where plugins live: Debian's containernetworking-plugins, then the upstream default. */
export const defaultCniPath = ["/usr/lib/cni", "/opt/cni/bin"];

export interface CniOptions {
  /** Directories searched for plugin executables (CNI_PATH). */
  path?: string[];
}

/** CNI ADD of a whole list; returns the final result. */
export async function cniAdd(list: CniConfList, att: CniAttachment, opts: CniOptions = {}): Promise<CniResult> {
  let prev: CniResult | undefined;
  for (const plugin of list.plugins) {
    const conf = { ...plugin, cniVersion: list.cniVersion, name: list.name, ...(prev ? { prevResult: prev } : {}) };
    const out = await execPlugin("ADD", conf, att, opts.path ?? defaultCniPath);
    prev = JSON.parse(out) as CniResult;
  }
  return prev ?? { cniVersion: list.cniVersion };
}

/**
 * CNI DEL of a whole list, in reverse order. Every plugin is called even when
 * one fails (what it owns must go regardless); the first error is thrown at the end.
 */
export async function cniDel(list: CniConfList, att: CniAttachment, prevResult: CniResult | undefined, opts: CniOptions = {}): Promise<void> {
  let first: unknown;
  for (const plugin of [...list.plugins].reverse()) {
    const conf = { ...plugin, cniVersion: list.cniVersion, name: list.name, ...(prevResult ? { prevResult } : {}) };
    try {
      await execPlugin("DEL", conf, att, opts.path ?? defaultCniPath);
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

function findPlugin(type: string, dirs: string[]): string {
  // A type is a file name, never a path: the config must not pick an arbitrary executable.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(type)) throw new CniError(type, 1, "invalid plugin type");
  for (const dir of dirs) {
    const file = join(dir, type);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not in this directory: try the next.
    }
  }
  throw new CniError(type, 1, `failed to find plugin "${type}" in path [${dirs.join(" ")}]`);
}

function execPlugin(command: "ADD" | "DEL", conf: CniPluginConf, att: CniAttachment, dirs: string[]): Promise<string> {
  const file = findPlugin(conf.type, dirs);
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], {
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        PATH: process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin",
        CNI_COMMAND: command,
        CNI_CONTAINERID: att.containerId,
        CNI_NETNS: att.netns,
        CNI_IFNAME: att.ifname,
        CNI_ARGS: "IgnoreUnknown=1",
        CNI_PATH: dirs.join(":"),
      },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => reject(new CniError(conf.type, 1, e.message)));
    child.on("close", (code, signal) => {
      const stdout = Buffer.concat(out).toString("utf8");
      if (code === 0) return resolve(stdout);
      reject(pluginError(conf.type, stdout, Buffer.concat(err).toString("utf8").trim() || `exit ${code ?? signal}`));
    });
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(conf));
  });
}

function pluginError(type: string, stdout: string, stderr: string): CniError {
  try {
    const e = JSON.parse(stdout) as { code?: number; msg?: string; details?: string };
    if (typeof e.msg === "string") return new CniError(type, e.code ?? 999, e.msg, e.details || undefined);
  } catch {
    // Not the spec's error object: report what the plugin printed.
  }
  return new CniError(type, 999, stdout.trim() || stderr);
}
