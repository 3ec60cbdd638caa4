// Shared by the api-*.test.ts files: small in-memory fakes of berth's own
// service interfaces (this layer's tests check the HTTP edge only) and an
// API server on a private Unix socket.
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { ConflictError, NotFoundError, NotImplementedError, NotModifiedError, SystemError, UnauthorizedError } from "../../src/errors.js";
import { familiarName, familiarString, parseReference } from "../../src/oci/reference.js";
import type { PullOptions, PushOptions } from "../../src/image/image-service.js";
import type { Credentials } from "../../src/registry/registry.js";
import { systemDf } from "../../src/daemon/system-df.js";
import type { Backends, ContainersBackend, ExecBackend, ImagesBackend, SystemBackend } from "../../src/api/backends.js";
import { createApiServer, type ApiServer } from "../../src/api/server.js";
import type { ContainerCreateBody, EventMessage, JSONMessage } from "../../src/api/types/index.js";
import type { LogEntry, StdioStreams } from "../../src/container/container-service.js";

export interface FakeContainer {
  id: string;
  tty: boolean;
  running: boolean;
}

/** What the fakes saw, for tests that check how the edge called its backend. */
export interface Recorded {
  created?: { name: string | undefined; body: ContainerCreateBody };
  stop?: { id: string; timeout?: number; signal?: string };
  imported?: { reference?: string; changes?: string[]; body: string };
  pulled?: { reference: string; opts: PullOptions };
  pushed?: { reference: string; opts: PushOptions };
  auth?: Credentials & { serveraddress?: string };
  /** Set when an attach to "hold" saw its abort signal fire. */
  attachAborted?: Promise<void>;
  /** Resolves the pending wait of a container. */
  finishWait?: (code: number) => void;
}

export const events: EventMessage[] = [
  { Type: "container", Action: "create", Actor: { ID: "c1", Attributes: { name: "web", image: "busybox:latest" } }, time: 100, timeNano: 100e9 },
  { Type: "image", Action: "tag", Actor: { ID: "sha256:aa", Attributes: { name: "busybox:latest" } }, time: 101, timeNano: 101e9 },
  { Type: "container", Action: "start", Actor: { ID: "c1", Attributes: { name: "web", image: "busybox:latest", team: "a" } }, time: 102, timeNano: 102e9 },
];

/** The one account the fakes' registry knows. */
export const REGISTRY_USER = { username: "alice", password: "secret" };

function systemFake(rec: Recorded): SystemBackend {
  return {
    async auth(creds) {
      rec.auth = creds;
      if (creds.username !== REGISTRY_USER.username || creds.password !== REGISTRY_USER.password) {
        throw new UnauthorizedError(`login attempt to http://${creds.serveraddress ?? "registry-1.docker.io"}/v2/ failed with status: 401 Unauthorized`);
      }
      return { Status: "Login Succeeded" };
    },
    async info() {
      return { ID: "berth-test", Containers: 2, OSType: "linux" };
    },
    version() {
      return { Version: "0.1.0", ApiVersion: "wrong", Os: "linux", Arch: "amd64" };
    },
    subscribe(onEvent, since) {
      if (since !== undefined) for (const e of events) if ((e.timeNano ?? 0) >= since * 1e9) onEvent(e);
      return () => {};
    },
  };
}

function lookup(containers: Map<string, FakeContainer>, id: string): FakeContainer {
  const c = containers.get(id);
  if (!c) throw new NotFoundError(`No such container: ${id}`);
  return c;
}

/**
 * attach/exec behaviour of the fakes: "out\n" on stdout and "err\n" on
 * stderr, then stdin echoed to stdout as it comes; when stdin ends, "bye\n"
 * and the stream is done. Without stdin it is done after the first two.
 */
function converse(io: StdioStreams): Promise<void> {
  io.stdout.write("out\n");
  io.stderr.write("err\n");
  const stdin = io.stdin;
  if (!stdin) return Promise.resolve();
  return new Promise((resolve) => {
    stdin.on("data", (chunk: Buffer) => io.stdout.write(chunk));
    stdin.on("end", () => {
      io.stdout.write("bye\n");
      resolve();
    });
  });
}

const notFaked = (verb: string) => async (): Promise<never> => {
  throw new Error(`${verb} is not faked: test/integration/container-fs.test.ts drives the real service`);
};

function containersFake(containers: Map<string, FakeContainer>, rec: Recorded): ContainersBackend {
  return {
    async create(name, body) {
      rec.created = { name, body };
      return { id: "new1", warnings: [] };
    },
    async start(id) {
      const c = lookup(containers, id);
      if (c.running) throw new NotModifiedError("Container already started");
      c.running = true;
    },
    async stop(id, opts) {
      const c = lookup(containers, id);
      rec.stop = { id, ...opts };
      if (!c.running) throw new NotModifiedError("Container already stopped");
      c.running = false;
    },
    async restart(id) {
      lookup(containers, id).running = true;
    },
    async kill(id) {
      const c = lookup(containers, id);
      if (!c.running) throw new ConflictError(`Container ${id} is not running`);
      c.running = false;
    },
    async remove(id) {
      lookup(containers, id);
      containers.delete(id);
    },
    async rename(id) {
      lookup(containers, id);
    },
    wait(id) {
      return new Promise((resolve, reject) => {
        if (!containers.has(id)) return reject(new NotFoundError(`No such container: ${id}`));
        rec.finishWait = (code) => resolve({ StatusCode: code });
      });
    },
    async inspect(id) {
      const c = lookup(containers, id);
      return { Id: c.id, Name: `/${c.id}`, State: { Running: c.running }, Config: { Tty: c.tty } };
    },
    async list(opts) {
      return [...containers.values()].filter((c) => opts.all || c.running).map((c) => ({ Id: c.id, ImageID: "sha256:aa", Labels: { all: String(opts.all) } }));
    },
    async logs(id, opts) {
      const c = lookup(containers, id);
      const all: LogEntry[] = [
        { stream: "stdout", time: "2024-01-02T03:04:05.000000001Z", line: Buffer.from("hello\n") },
        { stream: "stderr", time: "2024-01-02T03:04:06.000000002Z", line: Buffer.from("oops\n") },
      ];
      const wanted = all.filter((e) => (e.stream === "stdout" ? opts.stdout : opts.stderr));
      return { tty: c.tty, entries: Readable.from(opts.tail === undefined ? wanted : wanted.slice(-opts.tail)) };
    },
    async attach(id, _opts, io, signal) {
      const c = lookup(containers, id);
      if (id === "hold") {
        // A container that keeps printing until the client goes away. A client
        // that closes looks like a half-close until the next write fails, as
        // with dockerd, so the output is what reveals the departure.
        const tick = setInterval(() => io.stdout.write("held\n"), 10);
        const done = new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => {
            clearInterval(tick);
            resolve();
          }),
        );
        rec.attachAborted = done;
        return { tty: c.tty, done };
      }
      return { tty: c.tty, done: converse(io) };
    },
    async isTty(id) {
      return lookup(containers, id).tty;
    },
    async resize(id) {
      lookup(containers, id);
    },
    async top(id, psArgs) {
      lookup(containers, id);
      return { Titles: ["PID", "CMD"], Processes: [["1", psArgs ?? "sh"]] };
    },
    async pause(id) {
      lookup(containers, id);
    },
    async unpause(id) {
      lookup(containers, id);
    },
    async connect() {
      throw new Error("connect is not faked: the networks API tests use their own backend");
    },
    async disconnect() {
      throw new Error("disconnect is not faked: the networks API tests use their own backend");
    },
    async stats(id) {
      lookup(containers, id);
      throw new Error("stats is not faked: test/integration/stats-update-prune.test.ts drives the real service");
    },
    async update(id) {
      lookup(containers, id);
      return { Warnings: [] };
    },
    async prune() {
      return { ContainersDeleted: [], SpaceReclaimed: 0 };
    },
    // cp, diff, export and commit run against real containers: test/integration/container-fs.test.ts.
    statPath: notFaked("statPath"),
    getArchive: notFaked("getArchive"),
    putArchive: notFaked("putArchive"),
    changes: notFaked("changes"),
    export: notFaked("export"),
    commit: notFaked("commit"),
  };
}

function execFake(): ExecBackend {
  const known = new Set(["e1"]);
  const check = (id: string): void => {
    if (!known.has(id)) throw new NotFoundError(`No such exec instance: ${id}`);
  };
  return {
    async create(containerId, body) {
      if (containerId !== "c1") throw new NotFoundError(`No such container: ${containerId}`);
      const id = `exec-${(body.Cmd ?? []).join("-")}`;
      known.add(id);
      return { id };
    },
    async start(id, opts, io) {
      check(id);
      if (opts.detach) return { tty: opts.tty, done: Promise.resolve() };
      return { tty: opts.tty, done: io ? converse(io) : Promise.resolve() };
    },
    async isTty(id) {
      check(id);
      return false;
    },
    async inspect(id) {
      check(id);
      return { ID: id, Running: false, ExitCode: 0 };
    },
    async resize(id) {
      check(id);
    },
  };
}

function imagesFake(rec: Recorded): ImagesBackend {
  const names = new Set(["busybox:latest", "localhost:5000/foo/bar:1"]);
  const resolve = async (name: string) => {
    if (!names.has(name)) throw new NotFoundError(`No such image: ${name}`);
    return { id: "sha256:aa", config: { architecture: "amd64", os: "linux", rootfs: { type: "layers" as const, diff_ids: [] } }, refs: [name], chainIds: [], created: "", size: 0 };
  };
  return {
    resolve,
    async list(opts) {
      return [{ Id: "sha256:aa", RepoTags: opts.filters?.get("reference") ?? [], ParentId: "", RepoDigests: [], Created: 0, Size: 1000, SharedSize: -1, Labels: {}, Containers: -1 }];
    },
    async inspect(name) {
      await resolve(name);
      return { Id: "sha256:aa", RepoTags: [name] };
    },
    async history(name) {
      await resolve(name);
      return [{ Id: "sha256:aa", Created: 0, CreatedBy: "", Tags: [name], Size: 0, Comment: "" }];
    },
    async tag(source, target) {
      await resolve(source);
      names.add(target);
    },
    async remove(name, opts) {
      await resolve(name);
      const users = opts.usedBy("sha256:aa");
      if (users.length > 0 && !opts.force) throw new ConflictError(`conflict: unable to remove repository reference "${name}" (must force) - container ${users[0].id} is using its referenced image aa`);
      return [{ Untagged: name }];
    },
    async import(source, opts) {
      const chunks: Buffer[] = [];
      for await (const c of source) chunks.push(c as Buffer);
      rec.imported = { reference: opts.reference, changes: opts.changes, body: Buffer.concat(chunks).toString() };
      return "sha256:bb";
    },
    async save(refs) {
      for (const r of refs) await resolve(r);
      return Readable.from([Buffer.from(`TAR:${refs.join(",")}`)]);
    },
    async load(source, onMessage) {
      for await (const _ of source) {
        // The fake only needs the body consumed.
      }
      onMessage({ status: "Loading layer", progressDetail: { current: 1, total: 2 }, progress: "[=>  ]" });
      onMessage({ stream: "Loaded image: busybox:latest\n" });
    },
    async pull(reference, opts, onMessage) {
      rec.pulled = { reference, opts };
      fakePull(reference, opts, onMessage);
    },
    async push(reference, opts, onMessage) {
      rec.pushed = { reference, opts };
      fakePush(reference, opts, onMessage);
    },
    async prune() {
      return { ImagesDeleted: [], SpaceReclaimed: 0 };
    },
    usedBy() {
      return [{ id: "c1", running: true }];
    },
  };
}

/** A pull of a two-layer image as dockerd reports it. "denied" repositories do not exist; "private" ones need REGISTRY_USER. */
function fakePull(reference: string, opts: PullOptions, onMessage: (m: JSONMessage) => void): void {
  const ref = parseReference(reference);
  const name = familiarName(ref);
  if (name.includes("denied") || (name.includes("private") && opts.credentials?.username !== REGISTRY_USER.username)) {
    throw new NotFoundError(`pull access denied for ${name}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
  }
  if (familiarString(ref) === "busybox:latest") {
    onMessage({ status: "Status: Image is up to date for busybox:latest" });
    return;
  }
  onMessage({ status: `Pulling from ${ref.path}`, id: ref.tag ?? ref.digest ?? "latest" });
  if (name.includes("midfail")) throw new SystemError("unexpected EOF");
  for (const id of ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]) onMessage({ status: "Pulling fs layer", progressDetail: {}, id });
  onMessage({ status: "Downloading", progressDetail: { current: 500, total: 1000 }, progress: "[=========================>                         ]     500B/1kB", id: "aaaaaaaaaaaa" });
  for (const id of ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]) {
    onMessage({ status: "Download complete", progressDetail: {}, id });
    onMessage({ status: "Pull complete", progressDetail: {}, id });
  }
  onMessage({ status: `Digest: sha256:${"d".repeat(64)}` });
  onMessage({ status: `Status: Downloaded newer image for ${familiarString(ref)}` });
}

/** A push of one layer; "private" repositories fail in-band without REGISTRY_USER, "missing" ones are not in the store. */
function fakePush(reference: string, opts: PushOptions, onMessage: (m: JSONMessage) => void): void {
  const ref = parseReference(reference);
  const name = familiarName(ref);
  if (name.includes("missing")) throw new NotFoundError(`An image does not exist locally with the tag: ${name}`);
  onMessage({ status: `The push refers to repository [${name}]` });
  onMessage({ status: "Preparing", progressDetail: {}, id: "cccccccccccc" });
  if (name.includes("private") && opts.credentials?.username !== REGISTRY_USER.username) throw new UnauthorizedError("no basic auth credentials");
  onMessage({ status: "Pushed", progressDetail: {}, id: "cccccccccccc" });
  for (const tag of opts.allTags ? ["1", "latest"] : [ref.tag ?? "latest"]) {
    onMessage({ status: `${tag}: digest: sha256:${"e".repeat(64)} size: 527` });
    onMessage({ progressDetail: {}, aux: { Tag: tag, Digest: `sha256:${"e".repeat(64)}`, Size: 527 } });
  }
}

export interface Harness {
  socketPath: string;
  dir: string;
  containers: Map<string, FakeContainer>;
  recorded: Recorded;
  logs: object[];
  server: ApiServer;
  backends: Backends;
  request(method: string, urlPath: string, opts?: { body?: string | Buffer; headers?: Record<string, string> }): Promise<HttpResult>;
  close(): Promise<void>;
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export async function startHarness(): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "berth-api-"));
  const socketPath = path.join(dir, "api.sock");
  const containers = new Map<string, FakeContainer>([
    ["c1", { id: "c1", tty: false, running: true }],
    ["stopped", { id: "stopped", tty: false, running: false }],
    ["t1", { id: "t1", tty: true, running: true }],
    ["hold", { id: "hold", tty: true, running: true }],
  ]);
  const recorded: Recorded = {};
  const logs: object[] = [];
  const containersBackend = containersFake(containers, recorded);
  const imagesBackend = imagesFake(recorded);
  const backends: Backends = {
    system: systemFake(recorded),
    containers: containersBackend,
    exec: execFake(),
    images: imagesBackend,
    diskUsage: {
      diskUsage: (opts) => systemDf({ images: imagesBackend, containers: containersBackend, build: { usage: async () => [] } }, opts),
    },
    build: {
      build: async () => {
        throw new NotImplementedError("no builds here");
      },
      prune: async () => ({ cachesDeleted: [], spaceReclaimed: 0 }),
    },
    // api-volumes.test.ts serves its own volume fake; here there are no volumes.
    volumes: {
      create: async () => {
        throw new NotImplementedError("no volumes here");
      },
      list: async () => ({ Volumes: [], Warnings: [] }),
      inspect: async (name) => {
        throw new NotFoundError(`get ${name}: no such volume`);
      },
      remove: async (name) => {
        throw new NotFoundError(`get ${name}: no such volume`);
      },
      prune: async () => ({ VolumesDeleted: [], SpaceReclaimed: 0 }),
    },
    // api-networks.test.ts serves its own network fake; here networks are simply absent.
    networks: {
      create: async () => {
        throw new NotImplementedError("no networks here");
      },
      list: () => [],
      inspect: (id) => {
        throw new NotFoundError(`network ${id} not found`);
      },
      remove: async (id) => {
        throw new NotFoundError(`network ${id} not found`);
      },
      prune: async () => [],
      connect: async (network) => {
        throw new NotFoundError(`network ${network} not found`);
      },
      disconnect: async (network) => {
        throw new NotFoundError(`network ${network} not found`);
      },
    },
  };
  const server = createApiServer(backends, { log: (m) => logs.push(m) });
  await server.listen(`unix://${socketPath}`);
  return {
    socketPath,
    dir,
    containers,
    recorded,
    logs,
    server,
    backends,
    request: (method, urlPath, opts = {}) => httpRequest(socketPath, method, urlPath, opts),
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function httpRequest(socketPath: string, method: string, urlPath: string, opts: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Sends raw bytes on a fresh connection and collects everything until the server ends it. */
export function rawExchange(socketPath: string, write: (sock: net.Socket) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath, () => write(sock));
    const chunks: Buffer[] = [];
    sock.on("data", (c) => chunks.push(c));
    sock.on("end", () => {
      resolve(Buffer.concat(chunks));
      sock.end();
    });
    sock.on("error", reject);
  });
}

/** Splits a raw HTTP response into its head and body. */
export function splitResponse(raw: Buffer): { head: string; body: Buffer } {
  const at = raw.indexOf("\r\n\r\n");
  return { head: raw.subarray(0, at).toString(), body: raw.subarray(at + 4) };
}

/** Decodes stdcopy frames into [stream, text] pairs. */
export function demux(body: Buffer): [number, string][] {
  const out: [number, string][] = [];
  let at = 0;
  while (at + 8 <= body.length) {
    const size = body.readUInt32BE(at + 4);
    if (body[at + 1] !== 0 || body[at + 2] !== 0 || body[at + 3] !== 0) throw new Error(`bad frame header at ${at}`);
    out.push([body[at], body.subarray(at + 8, at + 8 + size).toString()]);
    at += 8 + size;
  }
  if (at !== body.length) throw new Error(`trailing ${body.length - at} bytes`);
  return out;
}
