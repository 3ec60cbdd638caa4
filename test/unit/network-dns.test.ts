// network/dns: the DNS server of a user-defined network, on 127.0.0.1 with a
// free port, against fake upstreams (tiny dns-packet servers) also on
// loopback: names from the table answered, everything else relayed (to the
// asking container's own --dns servers when it has some), failures turned
// into SERVFAIL, garbage survived, the port freed on close; and the records
// that keep a container's --dns servers across berthd restarts.
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
import type { DnsServer, NameTable, Upstream } from "../../src/network/dns/dns-server.js";
import { startDnsServer } from "../../src/network/dns/dns-server-impl.js";
import { hostUpstreams } from "../../src/network/dns/upstreams.js";
import { nameTable } from "../../src/network/dns-servers.js";
import { createNetworkRecords, type NetworkRecords, type NetworkRow } from "../../src/network/records.js";
import { openDatabase, type DB } from "../../src/store/db.js";

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

/** A fake resolver on UDP and TCP: every A question gets `address` (10.9.9.9); it records what it was asked. */
async function fakeUpstream(address = "10.9.9.9"): Promise<{ port: number; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const answer = (raw: Buffer): Buffer => {
    const q = dnsPacket.decode(raw);
    const question = q.questions![0]!;
    asked.push(question.name);
    return dnsPacket.encode({ type: "response", id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [{ type: "A", name: question.name, ttl: 30, data: address }] });
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
  return udpAskFrom("127.0.0.1", port, ...datagrams);
}

/** As udpAsk, from a chosen loopback address (all of 127/8 is loopback on Linux): another container, as the server sees it. */
async function udpAskFrom(source: string, port: number, ...datagrams: Buffer[]): Promise<Reply> {
  const s = createSocket("udp4");
  try {
    s.bind(0, source);
    await once(s, "listening");
    const got = once(s, "message");
    for (const d of datagrams) s.send(d, port, "127.0.0.1");
    const [msg] = (await got) as [Buffer];
    return dnsPacket.decode(msg) as Reply;
  } finally {
    await closeUdp(s);
  }
}
const ask = (server: DnsServer, q: Packet): Promise<Reply> => udpAsk(server.port, dnsPacket.encode(q));

async function tcpAsk(port: number, q: Packet, source = "127.0.0.1"): Promise<Reply> {
  const socket = connect({ host: "127.0.0.1", port, localAddress: source });
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

describe("DNS server: a container's own --dns servers", () => {
  const OWN = "127.0.0.2"; // a container started with --dns
  const INTERNAL = "127.0.0.3"; // a container the table sends nowhere
  const LOOPING = "127.0.0.4"; // a container whose --dns names the server itself first
  let hostResolver: Awaited<ReturnType<typeof fakeUpstream>>;
  let ownResolver: Awaited<ReturnType<typeof fakeUpstream>>;
  let server: DnsServer;
  const perClient = new Map<string, Upstream[]>();
  before(async () => {
    hostResolver = await fakeUpstream("10.9.9.9");
    ownResolver = await fakeUpstream("10.8.8.8");
    const own = { host: "127.0.0.1", port: ownResolver.port };
    server = await startDnsServer({
      address: "127.0.0.1",
      port: 0,
      names: { ...names, upstreamsFor: (ip) => perClient.get(ip) },
      upstreams: [{ host: "127.0.0.1", port: hostResolver.port }],
      forwardTimeoutMs: 200,
    });
    perClient.set(OWN, [own]);
    perClient.set(INTERNAL, []);
    perClient.set(LOOPING, [{ host: "127.0.0.1", port: server.port }, own]);
  });
  after(async () => {
    await server.close();
    await Promise.all([hostResolver.close(), ownResolver.close()]);
  });

  test("its names go to its own upstreams, over UDP and TCP, never to the default ones", async () => {
    const q = question("own.example.org");
    const r = await udpAskFrom(OWN, server.port, dnsPacket.encode(q));
    assert.equal(r.id, q.id);
    assert.deepEqual(r.answers?.map((a) => a.data), ["10.8.8.8"]);
    assert.deepEqual((await tcpAsk(server.port, question("own-tcp.example.org"), OWN)).answers?.map((a) => a.data), ["10.8.8.8"]);
    assert.deepEqual(ownResolver.asked, ["own.example.org", "own-tcp.example.org"]);
    assert.ok(!hostResolver.asked.some((n) => n.startsWith("own")), `the default upstream was asked ${hostResolver.asked.join(", ")}`);
  });

  test("the network's own names are still answered locally", async () => {
    const r = await udpAskFrom(OWN, server.port, dnsPacket.encode(question("web")));
    assert.equal(r.flag_aa, true);
    assert.deepEqual(r.answers?.map((a) => a.data), ["172.30.0.2"]);
    assert.ok(!ownResolver.asked.includes("web"));
  });

  test("a client without its own upstreams gets the default ones", async () => {
    const r = await ask(server, question("plain.example.org"));
    assert.deepEqual(r.answers?.map((a) => a.data), ["10.9.9.9"]);
    assert.ok(hostResolver.asked.includes("plain.example.org"));
    assert.ok(!ownResolver.asked.includes("plain.example.org"));
  });

  test("an empty list forwards nowhere: SERVFAIL", async () => {
    const r = await udpAskFrom(INTERNAL, server.port, dnsPacket.encode(question("inside.example.org")));
    assert.equal(r.rcode, "SERVFAIL");
    assert.ok(![...hostResolver.asked, ...ownResolver.asked].includes("inside.example.org"));
  });

  test("the server itself is skipped in a client's list", async () => {
    const r = await udpAskFrom(LOOPING, server.port, dnsPacket.encode(question("loop.example.org")));
    assert.deepEqual(r.answers?.map((a) => a.data), ["10.8.8.8"]);
    assert.deepEqual(ownResolver.asked.filter((n) => n === "loop.example.org"), ["loop.example.org"]);
  });
});

describe("a container's --dns servers in the network records", () => {
  let dir: string;
  const dbs: DB[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "berth-dns-records-"));
  });
  after(async () => {
    for (const db of dbs) if (db.open) db.close();
    await rm(dir, { recursive: true, force: true });
  });
  const open = (file: string): DB => {
    const db = openDatabase(join(dir, file));
    dbs.push(db);
    return db;
  };
  const network = (id: string, internal: boolean): NetworkRow => ({
    id,
    name: `net-${id}`,
    driver: "bridge",
    bridgeName: `br-${id}`,
    subnet: "10.77.0.0/24",
    gateway: "10.77.0.1",
    internal,
    labels: {},
    options: {},
    created: new Date(0).toISOString(),
    bridgeCreated: true,
    userIpam: false,
  });
  const join1 = (records: NetworkRecords, networkId: string, containerId: string, ip: string): void => {
    const ok = records.insertEndpoint({
      endpointId: `ep-${networkId}-${containerId}`, containerId, networkId, ifname: "eth0", ip, prefixLen: 24, gateway: "10.77.0.1", mac: "", aliases: [], conf: "{}",
    });
    assert.ok(ok);
  };

  test("kept with the sandbox across a reopen; the network's DNS server finds them by the client's address", () => {
    const first = open("keep.db");
    let records = createNetworkRecords(first);
    records.insertNetwork(network("n1", false));
    records.insertNetwork(network("n2", true));
    records.insertSandbox({ containerId: "c1", name: "withdns", hostname: "c1", netnsPath: "/x/c1", dns: ["192.0.2.53", "2001:db8::53", "not-an-ip"] });
    records.insertSandbox({ containerId: "c2", name: "plain", hostname: "c2", netnsPath: "/x/c2", dns: [] });
    join1(records, "n1", "c1", "10.77.0.2");
    join1(records, "n1", "c2", "10.77.0.3");
    join1(records, "n2", "c1", "10.77.0.2");
    first.close();

    records = createNetworkRecords(open("keep.db"));
    assert.deepEqual(records.sandbox("c1")?.dns, ["192.0.2.53", "2001:db8::53", "not-an-ip"]);
    const table = nameTable({ records }, network("n1", false));
    assert.deepEqual(table.upstreamsFor?.("10.77.0.2"), [
      { host: "192.0.2.53", port: 53 },
      { host: "2001:db8::53", port: 53 },
    ]);
    assert.equal(table.upstreamsFor?.("10.77.0.3"), undefined, "no --dns: the host's resolvers");
    assert.equal(table.upstreamsFor?.("10.77.0.99"), undefined, "not a container's address: the host's resolvers");
    assert.deepEqual(nameTable({ records }, network("n2", true)).upstreamsFor?.("10.77.0.2"), [], "an internal network forwards nowhere");
  });

  test("a database from before the column gets it, empty for the sandboxes it has", () => {
    const db = open("old.db");
    db.exec("CREATE TABLE network_sandboxes (container_id TEXT PRIMARY KEY, name TEXT NOT NULL, hostname TEXT NOT NULL, netns_path TEXT NOT NULL)");
    db.prepare("INSERT INTO network_sandboxes VALUES ('old', 'old', 'old', '/x/old')").run();
    const records = createNetworkRecords(db);
    assert.deepEqual(records.sandbox("old"), { containerId: "old", name: "old", hostname: "old", netnsPath: "/x/old", dns: [] });
    records.insertSandbox({ containerId: "new", name: "new", hostname: "new", netnsPath: "/x/new", dns: ["192.0.2.1"] });
    assert.deepEqual(records.sandbox("new")?.dns, ["192.0.2.1"]);
    // Opening it again changes nothing more.
    assert.deepEqual(createNetworkRecords(db).sandboxes().map((sb) => sb.dns), [[], ["192.0.2.1"]]);
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
