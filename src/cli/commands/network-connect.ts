// berth network connect / disconnect: one container joins or leaves one
// network; nothing is printed on success, as with Docker.
import type { Command } from "commander";
import type { EndpointSettings } from "../../api/types/index.js";
import { action } from "../action.js";
import { collect } from "../args.js";
import type { CliContext } from "../context.js";
import type { CommandModule } from "../registry.js";

interface ConnectFlags {
  alias?: string[];
  ip?: string;
  ip6?: string;
}

interface DisconnectFlags {
  force?: boolean;
}

/** pflag's StringSlice: repeatable, and each value may hold several, comma-separated. */
function stringSlice(value: string, previous: string[] | undefined): string[] {
  return value.split(",").reduce<string[]>((all, v) => collect(v, all), previous ?? []);
}

export function endpointConfig(flags: ConnectFlags): EndpointSettings | undefined {
  const ipam = { ...(flags.ip ? { IPv4Address: flags.ip } : {}), ...(flags.ip6 ? { IPv6Address: flags.ip6 } : {}) };
  const settings: EndpointSettings = {
    ...(Object.keys(ipam).length > 0 ? { IPAMConfig: ipam } : {}),
    ...(flags.alias?.length ? { Aliases: flags.alias } : {}),
  };
  return Object.keys(settings).length > 0 ? settings : undefined;
}

export function command(verb: string): CommandModule {
  return {
    define(cmd: Command, ctx: CliContext) {
      cmd.usage("[OPTIONS] NETWORK CONTAINER");
      if (verb === "connect") {
        cmd
          .description("Connect a container to a network")
          .option("--alias <strings>", "Add network-scoped alias for the container", stringSlice)
          .option("--ip <string>", "IPv4 address (e.g., \"172.30.100.104\")")
          .option("--ip6 <string>", "IPv6 address (e.g., \"2001:db8::33\")");
        action<ConnectFlags>(cmd, { min: 2, max: 2 }, async ([network, container], flags) => {
          await ctx.client().networks.connect(network, container, endpointConfig(flags));
        }, ctx);
        return;
      }
      cmd.description("Disconnect a container from a network").option("-f, --force", "Force the container to disconnect from a network");
      action<DisconnectFlags>(cmd, { min: 2, max: 2 }, async ([network, container], flags) => {
        await ctx.client().networks.disconnect(network, container, { force: flags.force });
      }, ctx);
    },
  };
}
