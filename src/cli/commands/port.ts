// berth port: a container's published ports, from inspect's
// NetworkSettings.Ports, in the docker CLI's words and natural order.
import type { Command } from "commander";
import type { PortMap } from "../../api/types/index.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../usage-error.js";
import { naturalLess } from "./network-format.js";

/** Go's net.JoinHostPort: an IPv6 host goes in brackets. */
function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The lines `port` prints: every mapping, or the host addresses of one container port. */
export function portLines(ports: PortMap, container: string, wanted?: string): string[] {
  const out: string[] = [];
  if (wanted !== undefined) {
    const slash = wanted.indexOf("/");
    const port = slash < 0 ? wanted : wanted.slice(0, slash);
    const proto = slash < 0 || wanted.slice(slash + 1) === "" ? "tcp" : wanted.slice(slash + 1);
    if (!/^\d+$/.test(port) || Number(port) > 65535) {
      const reason = /^\d+$/.test(port) ? "value out of range" : "invalid syntax";
      throw new UsageError(`Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: ${reason}`);
    }
    const frontends = ports[`${port}/${proto}`];
    if (!frontends || frontends.length === 0) throw new UsageError(`Error: No public port '${wanted}' published for ${container}`);
    for (const f of frontends) out.push(joinHostPort(f.HostIp ?? "", f.HostPort ?? ""));
  } else {
    for (const [from, frontends] of Object.entries(ports)) {
      for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp ?? "", f.HostPort ?? "")}`);
    }
  }
  return out.sort((a, b) => (naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0));
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd.usage("CONTAINER [PRIVATE_PORT[/PROTO]]").description("List port mappings or a specific mapping for the container");
  action<Record<string, never>>(cmd, { min: 1, max: 2 }, async ([container, wanted]) => {
    const info = await ctx.client().containers.inspect(container);
    const lines = portLines(info.NetworkSettings?.Ports ?? {}, container, wanted);
    if (lines.length > 0) ctx.out(`${lines.join("\n")}\n`);
  }, ctx);
}
