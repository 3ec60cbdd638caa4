// The daemon's event bus: every state change of a container, image or the
// daemon is published here and streamed by GET /events. A bounded ring keeps
// recent events for `since`.
import { EventEmitter } from "node:events";
import type { EventMessage } from "../api/types/index.js";

const KEEP = 1024;

export class Events {
  private readonly ring: EventMessage[] = [];
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(type: NonNullable<EventMessage["Type"]>, action: string, id: string, attributes: Record<string, string> = {}): void {
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor((performance.now() % 1) * 1e6));
    const msg: EventMessage & Record<string, unknown> = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: "local",
      time: Number(nanos / 1_000_000_000n),
      timeNano: Number(nanos),
      // Pre-1.22 fields that docker-compose 1.x and docker-py still read.
      status: action,
      id,
      from: attributes.image,
    };
    this.ring.push(msg);
    if (this.ring.length > KEEP) this.ring.shift();
    this.emitter.emit("event", msg);
  }

  /** Past events (for `since`), then live ones until the returned function is called. */
  subscribe(onEvent: (e: EventMessage) => void, since?: number): () => void {
    if (since !== undefined) for (const e of this.ring) if ((e.timeNano ?? 0) >= since * 1e9) onEvent(e);
    this.emitter.on("event", onEvent);
    return () => this.emitter.off("event", onEvent);
  }
}
