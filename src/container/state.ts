// A container's status is one value of ContainerStatus; this table is the only
// place that says which moves are legal, so no code path can leave a container
// "running" and "removing" at once. Operations check their own preconditions
// first (to throw Docker's specific wording) and call transition() to be sure.
import { ConflictError } from "../errors.js";
import type { ContainerStatus } from "./container-service.js";

export type { ContainerStatus };

const allowed: Record<ContainerStatus, readonly ContainerStatus[]> = {
  // created → exited: a start that failed (exec not found) ends with its exit code.
  created: ["running", "exited", "removing", "dead"],
  running: ["paused", "exited", "restarting", "removing"],
  // paused → exited: the process was killed while frozen (stop, kill, rm -f).
  paused: ["running", "exited", "removing"],
  restarting: ["running", "exited", "removing"],
  exited: ["running", "restarting", "removing", "dead"],
  // removing → dead: removal failed halfway and recovery could not finish it.
  removing: ["dead"],
  dead: ["removing"],
};

export function canTransition(from: ContainerStatus, to: ContainerStatus): boolean {
  return allowed[from].includes(to);
}

/** Returns `to` when the move is legal; throws ConflictError otherwise. */
export function transition(from: ContainerStatus, to: ContainerStatus): ContainerStatus {
  if (!canTransition(from, to)) throw new ConflictError(`cannot change container state from ${from} to ${to}`);
  return to;
}

/** A container with a live process (the runtime knows a task that can be signalled). */
export function isActive(status: ContainerStatus): boolean {
  return status === "running" || status === "paused" || status === "restarting";
}
