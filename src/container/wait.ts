// docker wait: resolves with the exit code once the container is in the
// condition asked for. The check and the subscription happen in the same tick,
// so an exit cannot slip between them.
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
  if (condition === "not-running" && !isActive(rec.state.status)) return Promise.resolve(resultOf(rec));
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
      resolve(resultOf(r));
    };
    ctx.changes.on("exit", onExit);
    ctx.changes.on("removed", onRemoved);
  });
}

function resultOf(rec: ContainerRecord): WaitResult {
  return { StatusCode: rec.state.exitCode, ...(rec.state.error ? { Error: { Message: rec.state.error } } : {}) };
}
