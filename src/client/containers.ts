// /containers endpoints.
import type {
  ContainerCreateBody,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerSummary,
  ContainerTopResponse,
  ContainerWaitResponse,
} from "../api/types/index.js";
import { attachedStream, type AttachedStream } from "./attached-stream.js";
import { encodeFilters, seg, type Filters } from "./query.js";
import { demuxStdcopy, rawStream, type StreamChunk } from "./stdcopy.js";
import { readAll, type Transport } from "./transport.js";

export interface ContainerListOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  filters?: Filters;
}

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Unix seconds, with an optional fraction ("1700000000.000000001"), as Docker's CLI sends them. */
  since?: string;
  until?: string;
  timestamps?: boolean;
  tail?: string;
  /** Whether the container has a TTY; used when the daemon does not say. */
  tty?: boolean;
}

export interface AttachOptions {
  stream?: boolean;
  logs?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  detachKeys?: string;
  /** Whether the container has a TTY; used when the daemon does not say. */
  tty: boolean;
}

export type WaitCondition = "not-running" | "next-exit" | "removed";

export interface ContainersApi {
  list(opts?: ContainerListOptions): Promise<ContainerSummary[]>;
  create(body: ContainerCreateBody, opts?: { name?: string; platform?: string }): Promise<ContainerCreateResponse>;
  inspect(id: string, opts?: { size?: boolean }): Promise<ContainerInspect>;
  start(id: string, opts?: { detachKeys?: string }): Promise<void>;
  stop(id: string, opts?: { timeout?: number; signal?: string }): Promise<void>;
  restart(id: string, opts?: { timeout?: number; signal?: string }): Promise<void>;
  kill(id: string, opts?: { signal?: string }): Promise<void>;
  remove(id: string, opts?: { force?: boolean; volumes?: boolean; link?: boolean }): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  /** Waits for the container to meet the condition (default not-running). */
  wait(id: string, opts?: { condition?: WaitCondition }): Promise<ContainerWaitResponse>;
  /**
   * Like wait, but resolves as soon as the daemon has registered the wait, so
   * that a container started afterwards cannot exit unseen; `result` settles on exit.
   */
  watchExit(id: string, opts?: { condition?: WaitCondition }): Promise<{ result: Promise<ContainerWaitResponse> }>;
  logs(id: string, opts?: LogsOptions): Promise<AsyncIterable<StreamChunk>>;
  attach(id: string, opts: AttachOptions): Promise<AttachedStream>;
  resize(id: string, size: { height: number; width: number }): Promise<void>;
  top(id: string, opts?: { psArgs?: string }): Promise<ContainerTopResponse>;
}

// A daemon that holds the wait's response headers until the exit would
// deadlock a client that starts the container only after they arrive; moby
// flushes them at once, and past this delay we go ahead as the request is out.
const WAIT_REGISTER_GRACE_MS = 1000;

export function containersApi(t: Transport): ContainersApi {
  const post = async (path: string, query?: Record<string, string | number | boolean | undefined>): Promise<void> => {
    await readAll(await t.request(path, { method: "POST", query }));
  };
  const json = async <T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> =>
    JSON.parse(await readAll(await t.request(path, { query }))) as T;

  const watchExit: ContainersApi["watchExit"] = (id, opts = {}) =>
    new Promise((resolve, reject) => {
      const response = t.request(`/containers/${seg(id)}/wait`, { method: "POST", query: { condition: opts.condition } });
      const result = response.then(async (res) => JSON.parse(await readAll(res)) as ContainerWaitResponse);
      const timer = setTimeout(() => resolve({ result }), WAIT_REGISTER_GRACE_MS);
      response.then(
        () => {
          clearTimeout(timer);
          resolve({ result });
        },
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
      // The caller may only look at `result` later; keep an early failure from being unhandled.
      result.catch(() => undefined);
    });

  return {
    list: (opts = {}) =>
      json("/containers/json", { all: opts.all, limit: opts.limit, size: opts.size, filters: encodeFilters(opts.filters) }),
    create: async (body, opts = {}) =>
      JSON.parse(
        await readAll(await t.request("/containers/create", { method: "POST", body, query: { name: opts.name, platform: opts.platform } })),
      ) as ContainerCreateResponse,
    inspect: (id, opts = {}) => json(`/containers/${seg(id)}/json`, { size: opts.size }),
    start: (id, opts = {}) => post(`/containers/${seg(id)}/start`, { detachKeys: opts.detachKeys }),
    stop: (id, opts = {}) => post(`/containers/${seg(id)}/stop`, { t: opts.timeout, signal: opts.signal }),
    restart: (id, opts = {}) => post(`/containers/${seg(id)}/restart`, { t: opts.timeout, signal: opts.signal }),
    kill: (id, opts = {}) => post(`/containers/${seg(id)}/kill`, { signal: opts.signal }),
    remove: async (id, opts = {}) => {
      const query = { force: opts.force, v: opts.volumes, link: opts.link };
      await readAll(await t.request(`/containers/${seg(id)}`, { method: "DELETE", query }));
    },
    rename: (id, name) => post(`/containers/${seg(id)}/rename`, { name }),
    pause: (id) => post(`/containers/${seg(id)}/pause`),
    unpause: (id) => post(`/containers/${seg(id)}/unpause`),
    wait: async (id, opts = {}) => (await watchExit(id, opts)).result,
    watchExit,
    logs: async (id, opts = {}) => {
      const { tty, ...query } = opts;
      const res = await t.request(`/containers/${seg(id)}/logs`, { query });
      const type = res.headers["content-type"];
      const multiplexed =
        type === "application/vnd.docker.multiplexed-stream" || (type !== "application/vnd.docker.raw-stream" && !tty);
      return multiplexed ? demuxStdcopy(res) : rawStream(res);
    },
    attach: async (id, opts) => {
      const { tty, ...query } = opts;
      return attachedStream(await t.hijack(`/containers/${seg(id)}/attach`, { query }), tty);
    },
    resize: (id, size) => post(`/containers/${seg(id)}/resize`, { h: size.height, w: size.width }),
    top: (id, opts = {}) => json(`/containers/${seg(id)}/top`, { ps_args: opts.psArgs }),
  };
}
