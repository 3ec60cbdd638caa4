// docker wait: resolves with the exit code once the container is in the
// condition asked for. The check and the subscription happen in the same tick,
// so an exit cannot slip between them. As in Docker, only a container found
// already stopped reports its recorded error; an awaited exit or removal
// (even one caused by a failed start) answers with the exit code alone, so the
// docker CLI does not print "Error waiting for container" after `run --rm`.
import type { Context } from "./context.js";
import type { ContainerRecord } from "./records.js";
import { isActive } from "./state.js";

export type WaitCondition = "not-running" | "next-exit" | "removed";
export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string };
}

export function waitContainer(ctx: Context, idOrName: string, condition: WaitCondition): Promise<WaitResult> {
  const rec = ctx.records.get(idOrName);
  if (condition === "not-running" && !isActive(rec.state.status)) {
    return Promise.resolve({ StatusCode: rec.state.exitCode, ...(rec.state.error ? { Error: { Message: rec.state.error } } : {}) });
  }
  return new Promise((resolve) => {
    const onExit = (r: ContainerRecord) => {
      if (r.id === rec.id && condition !== "removed") done(r);
    };
    const onRemoved = (r: ContainerRecord) => {
      if (r.id === rec.id) done(r);
    };
    const done = (r: ContainerRecord) => {
      ctx.changes.off("exit", onExit);
      ctx.changes.off("removed", onRemoved);
      resolve({ StatusCode: r.state.exitCode });
    };
    ctx.changes.on("exit", onExit);
    ctx.changes.on("removed", onRemoved);
  });
}
