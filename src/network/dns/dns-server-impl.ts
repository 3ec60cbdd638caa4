// The DNS server of one user-defined network (contract: dns-server.ts). A UDP
// socket and a TCP listener on the same address and port; each request is
// decided by answerQuery() and, when the name is not the network's, relayed
// by forwardQuery() to the asking container's upstreams (names.upstreamsFor)
// or the server's defaults. Nothing is cached: the name table is live, and the
// upstreams cache for themselves.
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { once } from "node:events";
import { createServer, isIPv6, type Server, type Socket } from "node:net";
import { isErrno } from "../../errors.js";
import { answerQuery, reply, RCODE } from "./answer-query.js";
import type { DnsServer, DnsServerOptions, Upstream } from "./dns-server.js";
import { forwardQuery } from "./forward-query.js";

/** Docker's embedded DNS gives an upstream 4 s (moby libnetwork extIOTimeout). */
const FORWARD_TIMEOUT_MS = 4000;
/** Forwarded requests in flight at once; beyond this a flood gets SERVFAIL instead of a socket each (moby caps at 100 too). */
const MAX_FORWARDS = 100;
/** A TCP client that sends nothing for this long is disconnected, so idle connections cannot pile up. */
const TCP_IDLE_MS = 10_000;
/** With port 0 the UDP port is picked first; the TCP side may find it taken and a new pair is tried. */
const PORT_PAIR_ATTEMPTS = 5;

type Transport = "udp" | "tcp";

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const { udp, tcp, port } = await listenPair(opts.address, opts.port ?? 53);
  const log = opts.log ?? (() => {});
  // Never forward to ourselves: a host whose resolv.conf (or a container's --dns) names the gateway would loop.
  const notSelf = (list: Upstream[]) => list.filter((u) => !(u.host === opts.address && u.port === port));
  const defaults = notSelf(opts.upstreams);
  const upstreamsFor = (clientIp: string): Upstream[] => {
    const own = opts.names.upstreamsFor?.(clientIp);
    return own ? notSelf(own) : defaults;
  };
  const closing = new AbortController();
  const connections = new Set<Socket>();
  let forwards = 0;

  /** The answer to one request, or undefined to stay silent. Never throws: one bad request must not take the network's DNS down. */
  async function handle(raw: Buffer, transport: Transport, clientIp: string): Promise<Buffer | undefined> {
    try {
      const decision = answerQuery(raw, opts.names, { transport });
      if (decision.kind === "drop") return undefined;
      if (decision.kind === "answer") return decision.response;
      const question = decision.request.questions ?? [];
      const upstreams = upstreamsFor(clientIp);
      if (forwards >= MAX_FORWARDS || upstreams.length === 0) return reply(decision.request, question, { rcode: RCODE.SERVFAIL });
      forwards++;
      try {
        const timeoutMs = opts.forwardTimeoutMs ?? FORWARD_TIMEOUT_MS;
        const { answer, errors } = await forwardQuery(raw, upstreams, { transport, timeoutMs, signal: closing.signal });
        if (errors.length > 0) log("debug", "dns: upstream failed", { name: question[0]?.name, errors });
        return answer ?? reply(decision.request, question, { rcode: RCODE.SERVFAIL });
      } finally {
        forwards--;
      }
    } catch (err) {
      log("warn", "dns: request failed", { error: (err as Error).message });
      return undefined;
    }
  }

  udp.on("message", (msg, peer) => {
    void handle(msg, "udp", peer.address).then((answer) => {
      if (answer && !closing.signal.aborted) udp.send(answer, peer.port, peer.address, (err) => err && log("debug", "dns: udp send failed", { error: err.message }));
    });
  });
  // A listening UDP socket only errors on something like a send to a vanished peer; it stays usable.
  udp.on("error", (err) => log("warn", "dns: udp socket error", { error: err.message }));
  tcp.on("connection", (socket) => serveTcp(socket, { connections, handle, log }));

  return {
    address: opts.address,
    port,
    async close() {
      closing.abort();
      for (const socket of connections) socket.destroy();
      await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
    },
  };
}

/** Binds UDP and TCP on one port; with port 0, a free one both protocols can have. */
async function listenPair(address: string, wanted: number): Promise<{ udp: UdpSocket; tcp: Server; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const udp = createSocket(isIPv6(address) ? "udp6" : "udp4");
    udp.bind(wanted, address);
    await once(udp, "listening");
    const port = udp.address().port;
    const tcp = createServer();
    tcp.listen(port, address);
    try {
      await once(tcp, "listening");
      return { udp, tcp, port };
    } catch (err) {
      udp.close();
      if (wanted !== 0 || attempt >= PORT_PAIR_ATTEMPTS || !isErrno(err, "EADDRINUSE")) throw err;
    }
  }
}

/** One TCP client: length-prefixed requests (RFC 1035 §4.2.2), several per connection, each answered when ready (RFC 7766 lets IDs pair them up). */
function serveTcp(
  socket: Socket,
  ctx: { connections: Set<Socket>; handle: (raw: Buffer, transport: Transport, clientIp: string) => Promise<Buffer | undefined>; log: NonNullable<DnsServerOptions["log"]> },
): void {
  ctx.connections.add(socket);
  // Undefined only once the socket is gone, when there is nothing left to answer.
  const clientIp = socket.remoteAddress ?? "";
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on("close", () => ctx.connections.delete(socket));
  socket.on("error", (err) => ctx.log("debug", "dns: tcp client error", { error: err.message }));
  let pending = Buffer.alloc(0);
  socket.on("data", (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const request = pending.subarray(2, 2 + pending.readUInt16BE(0));
      pending = pending.subarray(2 + request.length);
      void ctx.handle(request, "tcp", clientIp).then((answer) => {
        if (!answer || socket.destroyed) return;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(answer.length);
        socket.write(Buffer.concat([length, answer]));
      });
    }
  });
}
