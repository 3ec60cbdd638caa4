// Relays a request the network does not own to the host's resolvers, one
// upstream after another until one answers. The request goes out byte for
// byte (EDNS options, DNSSEC bits and all), each attempt from its own fresh
// socket: the kernel picks a random source port, so an answer can only come
// from the upstream asked, and the request's own ID — the client's — comes
// back in the answer, which is relayed unchanged.
import { createSocket } from "node:dgram";
import { connect, isIPv6 } from "node:net";
import type { Upstream } from "./dns-server.js";

export interface ForwardOptions {
  transport: "udp" | "tcp";
  /** How long one upstream may take before the next is asked. */
  timeoutMs: number;
  /** Aborted when the server closes: attempts in flight end at once. */
  signal: AbortSignal;
}

/** The first upstream's answer, or undefined when every upstream failed or timed out (the caller answers SERVFAIL). */
export async function forwardQuery(request: Buffer, upstreams: Upstream[], opts: ForwardOptions): Promise<{ answer?: Buffer; errors: string[] }> {
  const errors: string[] = [];
  for (const upstream of upstreams) {
    if (opts.signal.aborted) break;
    try {
      const answer = await (opts.transport === "udp" ? askUdp : askTcp)(request, upstream, opts);
      return { answer, errors };
    } catch (err) {
      errors.push(`${upstream.host}:${upstream.port}: ${(err as Error).message}`);
    }
  }
  return { errors };
}

/** One UDP exchange. The socket is connected, so an ICMP "port unreachable" fails it at once instead of after the timeout. */
function askUdp(request: Buffer, upstream: Upstream, opts: ForwardOptions): Promise<Buffer> {
  const socket = createSocket(isIPv6(upstream.host) ? "udp6" : "udp4");
  const id = request.readUInt16BE(0);
  return exchange(opts, () => socket.close(), (resolve, reject) => {
    socket.on("error", reject);
    socket.on("message", (msg) => {
      // A stray datagram with another ID is ignored, as resolvers do (RFC 5452 §9.1).
      if (msg.length >= 12 && msg.readUInt16BE(0) === id) resolve(msg);
    });
    socket.connect(upstream.port, upstream.host, () => {
      // The attempt may have timed out and closed the socket while connecting.
      try {
        socket.send(request, (err) => err && reject(err));
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

/** One TCP exchange: a two-byte length, then the message, each way (RFC 1035 §4.2.2). */
function askTcp(request: Buffer, upstream: Upstream, opts: ForwardOptions): Promise<Buffer> {
  const socket = connect({ host: upstream.host, port: upstream.port });
  return exchange(opts, () => socket.destroy(), (resolve, reject) => {
    let received = Buffer.alloc(0);
    socket.on("error", reject);
    socket.on("end", () => reject(new Error("connection closed before an answer")));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(request.length);
    socket.write(Buffer.concat([length, request]));
  });
}

/** Runs one attempt under the timeout and the server's abort signal, and always releases its socket. */
function exchange(
  opts: ForwardOptions,
  release: () => void,
  start: (resolve: (answer: Buffer) => void, reject: (err: Error) => void) => void,
): Promise<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = (): void => {};
  return new Promise<Buffer>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    onAbort = () => reject(new Error("server closed"));
    opts.signal.addEventListener("abort", onAbort, { once: true });
    start(resolve, reject);
  }).finally(() => {
    clearTimeout(timer);
    opts.signal.removeEventListener("abort", onAbort);
    release();
  });
}
