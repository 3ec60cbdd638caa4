// stop, restart, kill, pause, unpause: one verb applied to each container named.
import { Option, type Command } from "commander";
import { action } from "../action.js";
import { integer, parsed } from "../args.js";
import type { CliContext } from "../context.js";
import { forEach } from "../each.js";
import type { CommandModule } from "../registry.js";

type Verb = "stop" | "restart" | "kill" | "pause" | "unpause";

interface Flags {
  time?: number;
  timeout?: number;
  signal?: string;
}

const DESCRIPTIONS: Record<Verb, string> = {
  stop: "Stop one or more running containers",
  restart: "Restart one or more containers",
  kill: "Kill one or more running containers",
  pause: "Pause all processes within one or more containers",
  unpause: "Unpause all processes within one or more containers",
};

export function command(verb: string): CommandModule {
  const v = verb as Verb;
  return {
    define(cmd: Command, ctx: CliContext) {
      cmd.usage("[OPTIONS] CONTAINER [CONTAINER...]").description(DESCRIPTIONS[v]);
      if (v === "stop" || v === "restart") {
        cmd
          .option("-s, --signal <string>", "Signal to send to the container")
          .option("-t, --timeout <int>", "Seconds to wait before killing the container", parsed(integer))
          .addOption(new Option("--time <int>").argParser(parsed(integer)).hideHelp());
      }
      if (v === "kill") cmd.option("-s, --signal <string>", "Signal to send to the container");
      action<Flags>(cmd, { min: 1 }, async (names, flags) => {
        const containers = ctx.client().containers;
        const timeout = flags.timeout ?? flags.time;
        const { failed } = await forEach(ctx, names, (name) => {
          switch (v) {
            case "stop":
              return containers.stop(name, { timeout, signal: flags.signal });
            case "restart":
              return containers.restart(name, { timeout, signal: flags.signal });
            case "kill":
              return containers.kill(name, { signal: flags.signal });
            case "pause":
              return containers.pause(name);
            case "unpause":
              return containers.unpause(name);
          }
        });
        return failed.length > 0 ? 1 : 0;
      }, ctx);
    },
  };
}
