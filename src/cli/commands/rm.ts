// berth rm: remove containers (-f kills running ones, -v drops anonymous volumes).
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { forEach } from "../each.js";
import { NotFoundError } from "../../errors.js";

interface Flags {
  force?: boolean;
  volumes?: boolean;
  link?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] CONTAINER [CONTAINER...]")
    .description("Remove one or more containers")
    .option("-f, --force", "Force the removal of a running container (uses SIGKILL)")
    .option("-l, --link", "Remove the specified link")
    .option("-v, --volumes", "Remove anonymous volumes associated with the container");
  action<Flags>(cmd, { min: 1 }, async (names, flags) => {
    const { failed } = await forEach(ctx, names, (name) =>
      ctx.client().containers.remove(name, { force: flags.force, volumes: flags.volumes, link: flags.link }),
      // With --force a container already gone is reported but is no failure, as in Docker.
      { tolerate: (err) => (flags.force ?? false) && err instanceof NotFoundError },
    );
    return failed.length > 0 ? 1 : 0;
  }, ctx);
}
