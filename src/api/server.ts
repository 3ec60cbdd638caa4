// berthd's HTTP edge: Node's http server, one route table built from the
// resource routers, version negotiation, error mapping and a log line per
// request. Upgrade requests (attach, exec start) go through the same router
// with a response bound to the raw socket, so errors before the hijack are
// ordinary HTTP responses.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable, type Duplex } from "node:stream";
import { chmod, lstat, unlink } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { InvalidArgumentError, isErrno, NotFoundError } from "../errors.js";
import type { Backends } from "./backends.js";
import { createRouter } from "./router.js";
import { statusOf, messageOf, writeError } from "./errors.js";
import { negotiateVersion, standardHeaders } from "./versions.js";
import { systemRoutes } from "./router/system/routes.js";
import { containerRoutes } from "./router/containers/routes.js";
import { execRoutes } from "./router/exec/routes.js";
import { imageRoutes } from "./router/images/routes.js";
import { buildRoutes } from "./router/build/routes.js";
import { networkRoutes } from "./router/networks/routes.js";
import { volumeRoutes } from "./router/volumes/routes.js";

export interface ApiServerOptions {
  /** Receives one object per request ({method, path, status, ms}) and per unexpected error. */
  log?: (msg: object) => void;
}

export interface ApiServer {
  /**
   * Serves on "unix:///run/berth/berth.sock" or "tcp://127.0.0.1:2375"; may be
   * called once per address (-H may be repeated). Resolves to the bound
   * address, with the real port when port 0 was asked for.
   */
  listen(address: string): Promise<string>;
  /** Stops listening everywhere and drops every connection, hijacked ones included. */
  close(): Promise<void>;
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    if (!(await lstat(path)).isSocket()) throw new InvalidArgumentError(`${path} exists and is not a socket`);
    await unlink(path);
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
}

interface Upgrade {
  socket: Duplex;
  /** Bytes read past the headers; readUpgradeBody moves the request body out of it. */
  head: Buffer;
}

/** Same cap as for JSON bodies: an upgrade request's body is a small JSON document (exec start). */
const MAX_UPGRADE_BODY = 16 * 1024 * 1024;

/**
 * On an upgrade Node stops parsing at the headers, so a request body (exec
 * start's {"Detach":false,"Tty":false}) sits at the front of the raw stream.
 * Takes exactly Content-Length bytes from there, leaving what follows (stdin)
 * in upgrade.head or on the socket.
 */
async function readUpgradeBody(req: http.IncomingMessage, upgrade: Upgrade): Promise<Buffer> {
  const length = Number(req.headers["content-length"] ?? "0");
  if (!Number.isSafeInteger(length) || length < 0) throw new InvalidArgumentError(`invalid Content-Length: ${req.headers["content-length"]}`);
  if (length > MAX_UPGRADE_BODY) throw new InvalidArgumentError(`request body is larger than ${MAX_UPGRADE_BODY} bytes`);
  const { socket } = upgrade;
  let buf = upgrade.head;
  while (buf.length < length) {
    const chunk = socket.read() as Buffer | null;
    if (chunk) {
      buf = Buffer.concat([buf, chunk]);
      continue;
    }
    if (socket.readableEnded || socket.destroyed) throw new InvalidArgumentError("unexpected EOF in request body");
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        socket.off("readable", wake);
        socket.off("close", wake);
        socket.off("end", wake);
        resolve();
      };
      socket.on("readable", wake);
      socket.once("close", wake);
      socket.once("end", wake);
    });
  }
  upgrade.head = buf.subarray(length);
  return buf.subarray(0, length);
}

/**
 * A failed operation that could not undo its own work says so in a
 * `cleanupError` beside the error the client sees (image/unpack.ts,
 * image/local-image-service.ts): only the log can tell an operator what was left.
 */
function cleanupOf(err: unknown): { cleanupError?: string } {
  const cleanup = typeof err === "object" && err !== null ? (err as { cleanupError?: unknown }).cleanupError : undefined;
  return cleanup === undefined ? {} : { cleanupError: messageOf(cleanup) };
}

export function createApiServer(backends: Backends, opts: ApiServerOptions = {}): ApiServer {
  const log = opts.log ?? (() => {});
  const router = createRouter([
    ...systemRoutes(backends.system, backends.diskUsage),
    ...containerRoutes(backends.containers),
    ...execRoutes(backends.exec),
    ...imageRoutes(backends.images),
    ...buildRoutes(backends.build),
    ...networkRoutes(backends.networks),
    ...volumeRoutes(backends.volumes),
  ]);
  const headers = standardHeaders(backends.system.version().Version ?? "0.0.0");
  const hijacked = new Set<Duplex>();
  const servers: http.Server[] = [];

  async function dispatch(req: http.IncomingMessage, res: http.ServerResponse, upgrade?: Upgrade): Promise<void> {
    const started = performance.now();
    const connection = upgrade?.socket ?? res;
    const gone = new AbortController();
    connection.once("close", () => {
      if (!res.writableFinished) gone.abort();
      log({ method: req.method, path: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) });
    });
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    try {
      const body = upgrade ? Readable.from([await readUpgradeBody(req, upgrade)]) : req;
      const url = new URL(`http://berth${req.url ?? "/"}`);
      const { version, path } = negotiateVersion(url.pathname);
      const hit = router.match(req.method ?? "GET", path);
      if (!hit) throw new NotFoundError("page not found");
      await hit.handler({ req, body, res, params: hit.params, query: url.searchParams, version, upgrade, signal: gone.signal });
    } catch (err) {
      if (statusOf(err) >= 500) log({ level: "error", method: req.method, path: req.url, error: messageOf(err), stack: err instanceof Error ? err.stack : undefined, ...cleanupOf(err) });
      writeError(res, err);
    }
  }

  // dispatch answers every failure itself; what still escapes is a bug worth a log line, not a crash.
  const run = (req: http.IncomingMessage, res: http.ServerResponse, upgrade?: Upgrade): void => {
    dispatch(req, res, upgrade).catch((err: unknown) => {
      log({ level: "error", method: req.method, path: req.url, error: messageOf(err) });
      res.destroy();
    });
  };

  function newHttpServer(): http.Server {
    // requestTimeout 0: attach without Upgrade streams stdin as the request body for as long as it runs.
    const server = http.createServer({ requestTimeout: 0 }, (req, res) => run(req, res));
    server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      hijacked.add(socket);
      socket.once("close", () => hijacked.delete(socket));
      // Node hands over the socket bare; a response bound to it lets handlers
      // answer errors before hijacking exactly like on a normal request.
      const res = new http.ServerResponse(req);
      res.assignSocket(socket as Socket);
      res.shouldKeepAlive = false;
      res.once("finish", () => socket.end());
      socket.on("error", () => socket.destroy());
      run(req, res, { socket, head });
    });
    return server;
  }

  function listenOn(server: http.Server, target: { path: string } | { port: number; host: string }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(target, () => {
        server.off("error", reject);
        resolve();
      });
    });
  }

  return {
    async listen(address) {
      const unix = /^unix:\/\/(\/.+)$/.exec(address);
      const tcp = /^tcp:\/\/(.+):(\d+)$/.exec(address);
      if (!unix && !tcp) throw new InvalidArgumentError(`Invalid bind address format: ${address}`);
      const server = newHttpServer();
      if (unix) {
        await removeStaleSocket(unix[1]);
        await listenOn(server, { path: unix[1] });
        servers.push(server);
        // Group access: like docker.sock, the socket grants control of the daemon.
        await chmod(unix[1], 0o660);
        return address;
      }
      const [, host, port] = tcp!;
      await listenOn(server, { port: Number(port), host: host.replace(/^\[(.*)\]$/, "$1") });
      servers.push(server);
      const bound = server.address() as AddressInfo;
      return `tcp://${host}:${bound.port}`;
    },

    async close() {
      const closed = servers.map((server) => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))));
      for (const server of servers) server.closeAllConnections();
      for (const socket of hijacked) socket.destroy();
      servers.length = 0;
      await Promise.all(closed);
    },
  };
}
