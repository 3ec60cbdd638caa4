// /exec endpoints: create an exec instance in a running container, start it
// (hijacked unless detached), inspect it for the exit code.
import type { ExecCreateBody, ExecInspect, IdResponse } from "../api/types/index.js";
import { attachedStream, type AttachedStream } from "./attached-stream.js";
import { seg } from "./query.js";
import { readAll, type Transport } from "./transport.js";

export interface ExecApi {
  create(containerId: string, body: ExecCreateBody): Promise<IdResponse>;
  /** Starts attached: resolves with the process's streams. */
  start(execId: string, opts: { tty: boolean; consoleSize?: [number, number] }): Promise<AttachedStream>;
  /** Starts detached: resolves once the process runs. */
  startDetached(execId: string, opts?: { tty?: boolean }): Promise<void>;
  inspect(execId: string): Promise<ExecInspect>;
  resize(execId: string, size: { height: number; width: number }): Promise<void>;
}

export function execApi(t: Transport): ExecApi {
  return {
    create: async (containerId, body) =>
      JSON.parse(await readAll(await t.request(`/containers/${seg(containerId)}/exec`, { method: "POST", body }))) as IdResponse,
    start: async (execId, opts) => {
      const body = { Detach: false, Tty: opts.tty, ConsoleSize: opts.consoleSize };
      return attachedStream(await t.hijack(`/exec/${seg(execId)}/start`, { body }), opts.tty);
    },
    startDetached: async (execId, opts = {}) => {
      await readAll(await t.request(`/exec/${seg(execId)}/start`, { method: "POST", body: { Detach: true, Tty: opts.tty ?? false } }));
    },
    inspect: async (execId) => JSON.parse(await readAll(await t.request(`/exec/${seg(execId)}/json`))) as ExecInspect,
    resize: async (execId, size) => {
      await readAll(await t.request(`/exec/${seg(execId)}/resize`, { method: "POST", query: { h: size.height, w: size.width } }));
    },
  };
}
