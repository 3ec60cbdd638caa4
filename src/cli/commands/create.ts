// berth create: make the container, print its full ID.
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { addContainerFlags, buildCreateRequest, type ContainerFlags } from "./container-flags.js";
import { createContainer } from "./create-container.js";
import { reportRunError } from "./run-errors.js";

export function define(cmd: Command, ctx: CliContext): void {
  addContainerFlags(cmd).description("Create a new container");
  action<ContainerFlags>(cmd, { min: 1 }, create, ctx);
}

async function create(args: string[], flags: ContainerFlags, ctx: CliContext): Promise<number> {
  try {
    // A created container has its streams attachable later, as with docker create.
    const req = buildCreateRequest(args, { ...flags, detach: false });
    ctx.out(`${await createContainer(ctx, req, flags.pull)}\n`);
    return 0;
  } catch (err) {
    return reportRunError(ctx, "create", err, "create");
  }
}
