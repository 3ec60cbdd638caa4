// berth info: system-wide information from the daemon, like `docker info`.
import type { Command } from "commander";
import type { SystemInfo } from "../../api/types/index.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { describe } from "../each.js";
import { renderEach } from "../format/render.js";
import { bytesSize } from "../format/units.js";
import { clientVersion } from "../version-info.js";

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Display system-wide information")
    .option("-f, --format <string>", "Format output using a custom template");
  action<{ format?: string }>(cmd, { max: 0 }, async (_args, flags) => {
    const clientInfo = { Version: clientVersion().version, Context: "default", Debug: false };
    let info: SystemInfo | undefined;
    let failure: unknown;
    try {
      info = await ctx.client().info();
    } catch (err) {
      failure = err;
    }
    if (flags.format) {
      ctx.out(renderEach(flags.format, [{ ...info, ClientInfo: clientInfo }], { rootType: "system.dockerInfo", errorPrefix: { parse: "template parsing error: ", exec: "" } }));
    } else {
      ctx.out(["Client:", ` Version:    ${clientInfo.Version}`, ` Context:    default`, ` Debug Mode: false`, ""].join("\n") + "\n");
      if (info) {
        ctx.out(serverSection(info));
        // The daemon's warnings go to stderr, after the table, as the docker CLI prints them.
        for (const w of info.Warnings ?? []) ctx.err(`${w}\n`);
      }
    }
    if (failure) {
      ctx.err(`${describe(failure)}\n`);
      return 1;
    }
  }, ctx);
}

/** The server half of `docker info`, line for line as the docker CLI prints it. */
export function serverSection(i: SystemInfo): string {
  const lines: string[] = ["Server:"];
  const add = (label: string, value: unknown, indent = 1): void => {
    lines.push(`${" ".repeat(indent)}${label}: ${value ?? ""}`);
  };
  add("Containers", i.Containers ?? 0);
  add("Running", i.ContainersRunning ?? 0, 2);
  add("Paused", i.ContainersPaused ?? 0, 2);
  add("Stopped", i.ContainersStopped ?? 0, 2);
  add("Images", i.Images ?? 0);
  add("Server Version", i.ServerVersion);
  add("Storage Driver", i.Driver);
  for (const [k, v] of i.DriverStatus ?? []) add(k, v, 2);
  add("Logging Driver", i.LoggingDriver);
  add("Cgroup Driver", i.CgroupDriver);
  add("Cgroup Version", i.CgroupVersion);
  lines.push(" Plugins:");
  add("Volume", (i.Plugins?.Volume ?? []).join(" "), 2);
  add("Network", (i.Plugins?.Network ?? []).join(" "), 2);
  if (i.Plugins?.Authorization?.length) add("Authorization", i.Plugins.Authorization.join(" "), 2);
  add("Log", (i.Plugins?.Log ?? []).join(" "), 2);
  add("Swarm", i.Swarm?.LocalNodeState ?? "inactive");
  add("Runtimes", Object.keys(i.Runtimes ?? {}).sort().join(" "));
  add("Default Runtime", i.DefaultRuntime);
  add("Init Binary", i.InitBinary);
  add("containerd version", i.ContainerdCommit?.ID);
  add("runc version", i.RuncCommit?.ID);
  add("init version", i.InitCommit?.ID);
  if (i.SecurityOptions?.length) {
    lines.push(" Security Options:");
    for (const opt of i.SecurityOptions) lines.push(...securityOption(opt));
  }
  add("Kernel Version", i.KernelVersion);
  add("Operating System", i.OperatingSystem);
  add("OSType", i.OSType);
  add("Architecture", i.Architecture);
  add("CPUs", i.NCPU);
  add("Total Memory", bytesSize(i.MemTotal ?? 0));
  add("Name", i.Name);
  add("ID", i.ID);
  add("Docker Root Dir", i.DockerRootDir);
  add("Debug Mode", i.Debug ?? false);
  if (i.HttpProxy) add("HTTP Proxy", i.HttpProxy);
  if (i.HttpsProxy) add("HTTPS Proxy", i.HttpsProxy);
  if (i.NoProxy) add("No Proxy", i.NoProxy);
  add("Experimental", i.ExperimentalBuild ?? false);
  if (i.Labels?.length) {
    lines.push(" Labels:");
    for (const l of i.Labels) lines.push(`  ${l}`);
  }
  const insecure = [
    ...Object.values(i.RegistryConfig?.IndexConfigs ?? {})
      .filter((c) => c.Secure === false)
      .map((c) => c.Name ?? ""),
    ...(i.RegistryConfig?.InsecureRegistryCIDRs ?? []),
  ];
  if (insecure.length > 0) {
    lines.push(" Insecure Registries:");
    for (const r of insecure) lines.push(`  ${r}`);
  }
  if (i.RegistryConfig?.Mirrors?.length) {
    lines.push(" Registry Mirrors:");
    for (const m of i.RegistryConfig.Mirrors) lines.push(`  ${m}`);
  }
  add("Live Restore Enabled", i.LiveRestoreEnabled ?? false);
  return `${lines.join("\n")}\n\n`;
}

/** "name=seccomp,profile=builtin" → "  seccomp" and "   Profile: builtin". */
function securityOption(opt: string): string[] {
  const fields = Object.fromEntries(opt.split(",").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  const out = [`  ${fields.name ?? opt}`];
  for (const [k, v] of Object.entries(fields)) if (k !== "name") out.push(`   ${k[0]!.toUpperCase()}${k.slice(1)}: ${v}`);
  return out;
}
