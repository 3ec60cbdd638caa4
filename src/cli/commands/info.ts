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
      ctx.out(renderEach(flags.format, [{ ...info, ClientInfo: clientInfo }]));
    } else {
      ctx.out(["Client:", ` Version:    ${clientInfo.Version}`, ` Context:    default`, ` Debug Mode: false`, ""].join("\n") + "\n");
      if (info) ctx.out(serverSection(info));
    }
    if (failure) {
      ctx.err(`${describe(failure)}\n`);
      return 1;
    }
  }, ctx);
}

function serverSection(i: SystemInfo): string {
  const lines: string[] = ["Server:"];
  const add = (label: string, value: unknown, indent = 1): void => {
    if (value !== undefined && value !== null && value !== "") lines.push(`${" ".repeat(indent)}${label}: ${value}`);
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
  if (i.Runtimes) add("Runtimes", Object.keys(i.Runtimes).sort().join(" "));
  add("Default Runtime", i.DefaultRuntime);
  add("Init Binary", i.InitBinary);
  if (i.SecurityOptions?.length) {
    lines.push(" Security Options:");
    for (const opt of i.SecurityOptions) lines.push(`  ${opt.replace(/^name=/, "").split(",")[0]}`);
  }
  add("Kernel Version", i.KernelVersion);
  add("Operating System", i.OperatingSystem);
  add("OSType", i.OSType);
  add("Architecture", i.Architecture);
  add("CPUs", i.NCPU);
  add("Total Memory", i.MemTotal === undefined ? undefined : bytesSize(i.MemTotal));
  add("Name", i.Name);
  add("ID", i.ID);
  add("Docker Root Dir", i.DockerRootDir);
  add("Debug Mode", i.Debug ?? false);
  add("Experimental", i.ExperimentalBuild ?? false);
  if (i.Labels?.length) {
    lines.push(" Labels:");
    for (const l of i.Labels) lines.push(`  ${l}`);
  }
  add("Live Restore Enabled", i.LiveRestoreEnabled ?? false);
  for (const w of i.Warnings ?? []) lines.push(w);
  return `${lines.join("\n")}\n`;
}
