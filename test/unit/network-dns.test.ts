// network/dns: the DNS server of a user-defined network, on 127.0.0.1 with a
// free port, against fake upstreams (tiny dns-packet servers) also on
// loopback: names from the table answered, everything else relayed, failures
// turned into SERVFAIL, garbage survived, the port freed on close.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dnsPacket from "dns-packet";
import type { DecodedPacket, Packet, RecordType } from "dns-packet";
import type { DnsServer, NameTable } from "../../src/network/dns/dns-server.js";
import { startDnsServer } from "../../src/network/dns/dns-server-impl.js";
import { hostUpstreams } from "../../src/network/dns/upstreams.js";

const table = new Map<string, string[]>([
  ["web", ["172.30.0.2"]],
  ["frontend", ["172.30.0.2"]], // an alias of web
  ["0123456789ab", ["172.30.0.2"]], // web's short ID
  ["db", ["172.30.0.3"]],
  ["many", Array.from({ length: 100 }, (_, i) => `172.30.1.${i + 1}`)],
]);
const names: NameTable = {
  lookup: (name) => table.get(name) ?? [],
  reverse: (ip) => (ip === "172.30.0.2" ? "web.mynet" : undefined),
};

type Rcode = "NOERROR" | "FORMERR" | "SERVFAIL";
/** A decoded answer, its records seen through the fields every type shares (the typings' union has no common `data`). */
type Reply = Omit<DecodedPacket, "answers"> & { rcode: Rcode; answers?: { type: string; name: string; ttl?: number; data?: unknown }[] };

/** A fake resolver on UDP and TCP: every A question gets 10.9.9.9; it records what it was asked. */
async function fakeUpstream(): Promise<{ port: number; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const answer = (raw: Buffer): Buffer => {
    const q = dnsPacket.decode(raw);
    const question = q.questions![0]!;
    asked.push(question.name);
    return dnsPacket.encode({ type: "response", id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [{ type: "A", name: question.name, ttl: 30, data: "10.9.9.9" }] });
  };
  const udp = createSocket("udp4");
  udp.on("message", (msg, peer) => udp.send(answer(msg), peer.port, peer.address));
  udp.bind(0, "127.0.0.1");
  await once(udp, "listening");
  const port = udp.address().port;
  const tcp = createServer((socket) => socket.on("data", (chunk) => socket.end(dnsPacket.streamEncode(dnsPacket.decode(answer(chunk.subarray(2)))))));
  tcp.listen(port, "127.0.0.1");
  await once(tcp, "listening");
  return { port, asked, close: () => Promise.all([closeUdp(udp), closeTcp(tcp)]).then(() => {}) };
}

/** A port on 127.0.0.1 where nothing listens (bound, read, released). */
async function deadPort(): Promise<number> {
  const s = createSocket("udp4");
  s.bind(0, "127.0.0.1");
  await once(s, "listening");
  const port = s.address().port;
  await closeUdp(s);
  return port;
}

const closeUdp = (s: UdpSocket): Promise<void> => new Promise((resolve) => s.close(() => resolve()));
const closeTcp = (s: Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

let nextId = 1;
const question = (name: string, type: RecordType = "A"): Packet => ({ type: "query", id: nextId++, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

/** Sends raw datagrams from one socket and returns the first answer that comes back. */
async function udpAsk(port: number, ...datagrams: Buffer[]): Promise<Reply> {
  const s = createSocket("udp4");
  try {
    const got = once(s, "message");
    for (const d of datagrams) s.send(d, port, "127.0.0.1");
    const [msg] = (await got) as [Buffer];
    return dnsPacket.decode(msg) as Reply;
  } finally {
    await closeUdp(s);
  }
}
const ask = (server: DnsServer, q: Packet): Promise<Reply> => udpAsk(server.port, dnsPacket.encode(q));

async function tcpAsk(port: number, q: Packet): Promise<Reply> {
  const socket = connect({ host: "127.0.0.1", port });
  socket.write(dnsPacket.streamEncode(q));
  let received = Buffer.alloc(0);
  for await (const chunk of socket) {
    received = Buffer.concat([received, chunk as Buffer]);
    if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) break;
  }
  socket.destroy();
  return dnsPacket.decode(received.subarray(2)) as Reply;
}

describe("DNS server", () => {
  let upstream: Awaited<ReturnType<typeof fakeUpstream>>;
  let server: DnsServer;
  before(async () => {
    upstream = await fakeUpstream();
    server = await startDnsServer({ address: "127.0.0.1", port: 0, names, upstreams: [{ host: "127.0.0.1", port: upstream.port }] });
  });
  after(async () => {
    await server.close();
    await upstream.close();
  });

  test("port 0 picks a free port and reports it", () => {
    assert.equal(server.address, "127.0.0.1");
    assert.ok(server.port > 0);
  });

  test("a container's name gets an authoritative A answer with TTL 600 and the client's ID", async () => {
    const q = question("web");
    const r = await ask(server, q);
    assert.equal(r.id, q.id);
    assert.equal(r.rcode, "NOERROR");
    assert.equal(r.flag_aa, true);
    assert.equal(r.flag_rd, true);
    assert.deepEqual(r.answers, [{ type: "A", name: "web", class: "IN", ttl: 600, flush: false, data: "172.30.0.2" }]);
  });

  test("aliases and short IDs resolve like the name; case does not matter and the answer keeps the asker's spelling", async () => {
    assert.deepEqual((await ask(server, question("frontend"))).answers?.map((a) => a.data), ["172.30.0.2"]);
    assert.deepEqual((await ask(server, question("0123456789ab"))).answers?.map((a) => a.data), ["172.30.0.2"]);
    const r = await ask(server, question("DB."));
    assert.deepEqual(r.answers?.map((a) => [a.name, a.data]), [["DB", "172.30.0.3"]]);
  });

  test("AAAA (or any other type) for a known name is an empty NOERROR, never forwarded", async () => {
    for (const type of ["AAAA", "MX", "PTR"] as const) {
      const r = await ask(server, question("web", type));
      assert.equal(r.rcode, "NOERROR");
      assert.equal(r.flag_aa, true);
      assert.deepEqual(r.answers, []);
    }
    assert.ok(!upstream.asked.includes("web"), `upstream was asked ${upstream.asked.join(", ")}`);
  });

  test("PTR for an address of the network names its container", async () => {
    const r = await ask(server, question("2.0.30.172.in-addr.arpa", "PTR"));
    assert.equal(r.rcode, "NOERROR");
    assert.deepEqual(r.answers?.map((a) => [a.type, a.data, a.ttl]), [["PTR", "web.mynet", 600]]);
  });

  test("other names are forwarded and the upstream's answer is relayed with the client's ID", async () => {
    const q = question("example.org");
    const r = await ask(server, q);
    assert.equal(r.id, q.id);
    assert.equal(r.flag_aa, false);
    assert.deepEqual(r.answers?.map((a) => [a.name, a.data, a.ttl]), [["example.org", "10.9.9.9", 30]]);
    assert.ok(upstream.asked.includes("example.org"));
    // An address outside the table goes to the upstreams too.
    assert.equal((await ask(server, question("9.0.30.172.in-addr.arpa", "PTR"))).answers?.length, 1);
  });

  test("TCP: local names answered, other names forwarded", async () => {
    const local = question("web");
    const r = await tcpAsk(server.port, local);
    assert.equal(r.id, local.id);
    assert.deepEqual(r.answers?.map((a) => a.data), ["172.30.0.2"]);
    const remote = await tcpAsk(server.port, question("tcp.example.org"));
    assert.deepEqual(remote.answers?.map((a) => a.data), ["10.9.9.9"]);
  });

  test("an answer too large for UDP comes back truncated, and whole (shuffled) over TCP", async () => {
    const udp = await ask(server, question("many"));
    assert.equal(udp.flag_tc, true);
    assert.deepEqual(udp.answers, []);
    const tcp = await tcpAsk(server.port, question("many"));
    assert.equal(tcp.flag_tc, false);
    assert.deepEqual(new Set(tcp.answers?.map((a) => a.data)), new Set(table.get("many")));
    // Addresses shared by a name come back shuffled, as Docker's (two equal orders of 100: a 1 in 100! chance).
    const again = await tcpAsk(server.port, question("many"));
    assert.notDeepEqual(again.answers?.map((a) => a.data), tcp.answers?.map((a) => a.data));
  });

  test("malformed input: garbage after a header gets FORMERR, a runt is dropped, and the server keeps answering", async () => {
    const garbage = Buffer.alloc(20, 0xff);
    garbage.writeUInt16BE(0x4242, 0);
    garbage[2] = 0x01; // a query (QR clear) with RD set
    const formerr = await udpAsk(server.port, garbage);
    assert.equal(formerr.id, 0x4242);
    assert.equal(formerr.rcode, "FORMERR");
    // The runt and the stray response come first from the same socket; the first answer is the valid query's.
    const strayResponse = dnsPacket.encode({ type: "response", id: 7, questions: [{ type: "A", name: "web" }] });
    const valid = question("db");
    const r = await udpAsk(server.port, Buffer.from([1, 2, 3]), strayResponse, dnsPacket.encode(valid));
    assert.equal(r.id, valid.id);
    assert.deepEqual(r.answers?.map((a) => a.data), ["172.30.0.3"]);
    // Two questions in one query: FORMERR.
    const two = await ask(server, { type: "query", id: 9, questions: [{ type: "A", name: "web" }, { type: "A", name: "db" }] });
    assert.equal(two.rcode, "FORMERR");
  });
});

describe("DNS server upstream failures", () => {
  const servers: DnsServer[] = [];
  const silent = createSocket("udp4"); // receives and never answers
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await closeUdp(silent);
  });
  const start = async (upstreams: { host: string; port: number }[]): Promise<DnsServer> => {
    const s = await startDnsServer({ address: "127.0.0.1", port: 0, names, upstreams, forwardTimeoutMs: 200 });
    servers.push(s);
    return s;
  };

  test("every upstream down or silent: SERVFAIL with the client's ID", async () => {
    silent.bind(0, "127.0.0.1");
    await once(silent, "listening");
    const s = await start([{ host: "127.0.0.1", port: await deadPort() }, { host: "127.0.0.1", port: silent.address().port }]);
    const q = question("example.org");
    const r = await ask(s, q);
    assert.equal(r.id, q.id);
    assert.equal(r.rcode, "SERVFAIL");
    // Local names still work without any upstream.
    assert.deepEqual((await ask(s, question("web"))).answers?.map((a) => a.data), ["172.30.0.2"]);
  });

  test("no upstreams at all: SERVFAIL", async () => {
    const s = await start([]);
    assert.equal((await ask(s, question("example.org"))).rcode, "SERVFAIL");
  });

  test("a dead first upstream: the next one answers", async () => {
    const up = await fakeUpstream();
    try {
      const s = await start([{ host: "127.0.0.1", port: await deadPort() }, { host: "127.0.0.1", port: up.port }]);
      assert.deepEqual((await ask(s, question("example.net"))).answers?.map((a) => a.data), ["10.9.9.9"]);
    } finally {
      await up.close();
    }
  });

  test("close() frees the port for UDP and TCP", async () => {
    const s = await startDnsServer({ address: "127.0.0.1", port: 0, names, upstreams: [] });
    await tcpAsk(s.port, question("web")); // leaves an open connection behind for close() to end
    await s.close();
    const again = await startDnsServer({ address: "127.0.0.1", port: s.port, names, upstreams: [] });
    assert.equal(again.port, s.port);
    await again.close();
  });
});

describe("hostUpstreams", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "berth-dns-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("reads nameserver lines in order, on port 53, skipping comments and junk", async () => {
    const file = join(dir, "resolv.conf");
    await writeFile(file, "# generated\nsearch example.com\nnameserver 192.0.2.1\n;nameserver 192.0.2.9\nnameserver   2001:db8::1 # v6\nnameserver not-an-ip\noptions ndots:2\nnameserver 127.0.0.53\n");
    assert.deepEqual(hostUpstreams(file), [
      { host: "192.0.2.1", port: 53 },
      { host: "2001:db8::1", port: 53 },
      { host: "127.0.0.53", port: 53 },
    ]);
  });

  test("a missing file means no upstreams", () => {
    assert.deepEqual(hostUpstreams(join(dir, "absent")), []);
  });
});
