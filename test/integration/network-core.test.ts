// The network service driven directly (no daemon): real netns files, CNI
// plugins, bridges, iptables and DNS. Traffic goes only to loopback and to the
// namespaces this test makes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { get } from "node:http";
import { Resolver } from "node:dns/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { openDatabase, type DB } from "../../src/store/db.js";
import { createNetworkService } from "../../src/network/local-network-service.js";
import type { NetworkService } from "../../src/network/network-service.js";
import { sweepRules } from "../../src/network/sweep-rules.js";

const run = promisify(execFile);
const hex = (n: number) => randomBytes(n).toString("hex");

async function sh(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args, { maxBuffer: 64 << 20 })).stdout;
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

interface Link {
  ifname: string;
  operstate: string;
  flags: string[];
  addr_info: Array<{ family: string; local: string; prefixlen: number }>;
}

async function linksIn(netns: string): Promise<Link[]> {
  return JSON.parse(await sh("nsenter", [`--net=${netns}`, "ip", "-j", "addr"])) as Link[];
}

describe("network core", () => {
  let base: string;
  let db: DB;
  let svc: NetworkService & { close(): Promise<void> };
  const bridge = `bt${hex(3)}`;
  const netName = `nc-${hex(4)}`;
  const ids = { a: hex(32), b: hex(32), c: hex(32) };
  const children: ChildProcess[] = [];

  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-netcore-"));
    db = openDatabase(join(base, "berth.db"));
    svc = await createNetworkService({ db, execRoot: join(base, "exec"), config: { bridge } });
  });

  after(async () => {
    for (const c of children) c.kill("SIGKILL");
    for (const id of Object.values(ids)) await svc.tearDown(id).catch(() => undefined);
    await svc.prune(new Map()).catch(() => undefined);
    await svc.close();
    await run("ip", ["link", "del", bridge]).catch(() => undefined);
    await sweepRules({ devices: [bridge] });
    db.close();
    await rm(base, { recursive: true, force: true });
  });

  it("lists the predefined networks with dockerd's shapes", async () => {
    const names = svc.list(new Map()).map((n) => n.Name).sort();
    assert.deepEqual(names, ["bridge", "host", "none"]);
    const br = svc.inspect("bridge");
    assert.equal(br.Driver, "bridge");
    assert.equal(br.Options?.["com.docker.network.bridge.name"], bridge);
    assert.match(br.IPAM?.Config?.[0]?.Subnet ?? "", /^\d+\.\d+\.\d+\.\d+\/\d+$/);
    assert.equal(svc.inspect("none").Driver, "null");
    assert.ok(existsSync(`/sys/class/net/${bridge}`), "the default bridge device exists");
    await assert.rejects(svc.remove("bridge"), /bridge is a pre-defined network and cannot be removed/);
  });

  it("creates a user network and refuses a duplicate name", async () => {
    const { Id } = await svc.create({ Name: netName, Labels: { test: "core" } });
    assert.equal(svc.resolve(netName).id, Id);
    assert.equal(svc.resolve(Id.slice(0, 10)).name, netName);
    await assert.rejects(svc.create({ Name: netName }), /network with name .* already exists/);
    assert.equal(svc.list(new Map([["type", ["custom"]]])).length, 1);
    assert.throws(() => svc.inspect("no-such-net"), /network no-such-net not found/);
  });

  let portA = 0;
  let ipA = "";
  let ipB = "";
  let nsA = "";
  let nsB = "";

  it("sets up sandboxes: eth0 with its address, lo up, published ports", async () => {
    const sa = await svc.setUp({ containerId: ids.a, name: "web", hostname: "web", networks: [{ network: netName, aliases: ["www"] }], ports: { "8080/tcp": [{ HostIp: "", HostPort: "" }] } });
    const sb = await svc.setUp({ containerId: ids.b, name: "client", hostname: "client", networks: [{ network: netName, aliases: [] }], ports: {} });
    nsA = sa.netnsPath;
    nsB = sb.netnsPath;
    ipA = sa.endpoints[0]!.ipAddress;
    ipB = sb.endpoints[0]!.ipAddress;
    assert.notEqual(ipA, ipB);
    portA = Number(sa.ports["8080/tcp"]?.[0]?.HostPort);
    assert.ok(portA > 0);
    const links = await linksIn(nsA);
    const eth0 = links.find((l) => l.ifname === "eth0");
    assert.ok(eth0?.addr_info.some((a) => a.family === "inet" && a.local === ipA));
    const lo = links.find((l) => l.ifname === "lo");
    assert.ok(lo?.flags.includes("UP"));
    assert.equal(sa.endpoints[0]!.dnsServer, svc.resolve(netName).gateway);
    assert.ok(svc.inspect(netName).Containers?.[ids.a]);
  });

  it("lets two sandboxes of one network talk, and publishes at 127.0.0.1", async () => {
    const www = join(base, "www");
    await mkdir(www, { recursive: true });
    await writeFile(join(www, "index.html"), "hello from A\n");
    const httpd = spawn("nsenter", [`--net=${nsA}`, "busybox", "httpd", "-f", "-p", "8080", "-h", www], { stdio: "ignore" });
    children.push(httpd);
    await new Promise((r) => setTimeout(r, 300));
    await sh("nsenter", [`--net=${nsB}`, "busybox", "ping", "-c", "1", "-W", "3", ipA]);
    const fromB = await sh("nsenter", [`--net=${nsB}`, "busybox", "wget", "-qO-", `http://${ipA}:8080/`]);
    assert.equal(fromB, "hello from A\n");
    assert.equal(await httpGet(`http://127.0.0.1:${portA}/`), "hello from A\n");
  });

  it("publishes to other hosts: a namespace behind a veth reaches the port at the host's address", async () => {
    // "Another host": a network namespace of this test, wired to the host by a
    // veth pair on a /30 of its own; its packets arrive from outside, are DNAT'd
    // and forwarded to the bridge, as a LAN peer's would (FORWARD may be DROP).
    const peer = join(base, "peer-ns");
    const hostIf = `bp${hex(3)}`;
    const block = 200 + (randomBytes(1)[0]! % 50);
    await writeFile(peer, "");
    await sh("unshare", [`--net=${peer}`, "true"]);
    try {
      await sh("ip", ["link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", peer]);
      await sh("ip", ["addr", "add", `10.${block}.77.1/30`, "dev", hostIf]);
      await sh("ip", ["link", "set", hostIf, "up"]);
      for (const args of [["addr", "add", `10.${block}.77.2/30`, "dev", "eth0"], ["link", "set", "eth0", "up"], ["link", "set", "lo", "up"], ["route", "add", "default", "via", `10.${block}.77.1`]]) {
        await sh("nsenter", [`--net=${peer}`, "ip", ...args]);
      }
      // Node's client, not busybox wget: a static busybox's wget crashes in a namespace like this one.
      const client = `require("http").get("http://10.${block}.77.1:${portA}/", { timeout: 5000 }, (r) => r.pipe(process.stdout)).on("error", (e) => { console.error(String(e)); process.exit(1); })`;
      const got = await sh("nsenter", [`--net=${peer}`, process.execPath, "-e", client]);
      assert.equal(got, "hello from A\n");
    } finally {
      await sh("ip", ["link", "del", hostIf]).catch(() => "");
      await sh("umount", [peer]).catch(() => "");
    }
  });

  it("answers the network's names on its DNS server", async () => {
    const resolver = new Resolver({ timeout: 3000, tries: 1 });
    resolver.setServers([svc.resolve(netName).gateway!]);
    assert.deepEqual(await resolver.resolve4("web"), [ipA]);
    assert.deepEqual(await resolver.resolve4("www"), [ipA]);
    assert.deepEqual(await resolver.resolve4(ids.b.slice(0, 12)), [ipB]);
  });

  it("refuses a port another sandbox publishes, and removal of a network in use", async () => {
    await assert.rejects(
      svc.setUp({ containerId: ids.c, name: "other", hostname: "other", networks: [{ network: netName, aliases: [] }], ports: { "80/tcp": [{ HostIp: "", HostPort: String(portA) }] } }),
      new RegExp(`Bind for 0.0.0.0:${portA} failed: port is already allocated`),
    );
    assert.equal(svc.sandbox(ids.c), undefined);
    await assert.rejects(svc.remove(netName), /has active endpoints/);
  });

  it("tears down without leaving a rule, a veth or a netns", async () => {
    await svc.tearDown(ids.a);
    await svc.tearDown(ids.b);
    const rules = await sh("iptables-save", []);
    for (const needle of [ids.a, ids.b, `${ipA}/32`, `${ipB}/32`]) assert.ok(!rules.includes(needle), `no rule mentions ${needle}`);
    assert.ok(!existsSync(nsA) && !existsSync(nsB));
    const bridgeName = svc.resolve(netName).bridgeName!;
    assert.deepEqual(JSON.parse(await sh("ip", ["-j", "link", "show", "master", bridgeName])), []);
    assert.equal(svc.sandbox(ids.a), undefined);
  });

  it("reconcile after a crash removes what a dead berthd left", async () => {
    const sc = await svc.setUp({ containerId: ids.c, name: "crashy", hostname: "crashy", networks: [{ network: netName, aliases: [] }], ports: { "9090/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] } });
    const ipC = sc.endpoints[0]!.ipAddress;
    // A new service on the same records, as berthd after a crash: nothing was torn down.
    await svc.close();
    svc = await createNetworkService({ db, execRoot: join(base, "exec"), config: { bridge } });
    const report = await svc.reconcile(new Set());
    assert.equal(report.removed, 1);
    const rules = await sh("iptables-save", []);
    assert.ok(!rules.includes(ids.c) && !rules.includes(`${ipC}/32`));
    assert.ok(!existsSync(sc.netnsPath));
    assert.equal(svc.sandbox(ids.c), undefined);
    const bridgeName = svc.resolve(netName).bridgeName!;
    assert.deepEqual(JSON.parse(await sh("ip", ["-j", "link", "show", "master", bridgeName])), []);
  });

  it("an --internal network has no default route; --ip is honoured once", async () => {
    const internal = `ni-${hex(4)}`;
    await svc.create({ Name: internal, Internal: true, IPAM: { Config: [{ Subnet: "10.213.7.0/24" }] } });
    try {
      const sa = await svc.setUp({ containerId: ids.a, name: "in1", hostname: "in1", networks: [{ network: internal, aliases: [], ipv4Address: "10.213.7.9" }], ports: {} });
      assert.equal(sa.endpoints[0]!.ipAddress, "10.213.7.9");
      assert.equal(sa.endpoints[0]!.gateway, "");
      const routes = await sh("nsenter", [`--net=${sa.netnsPath}`, "ip", "-4", "route"]);
      assert.doesNotMatch(routes, /^default/m);
      await assert.rejects(
        svc.setUp({ containerId: ids.b, name: "in2", hostname: "in2", networks: [{ network: internal, aliases: [], ipv4Address: "10.213.7.9" }], ports: {} }),
        { message: "Address already in use" },
      );
      await assert.rejects(
        svc.setUp({ containerId: ids.b, name: "in2", hostname: "in2", networks: [{ network: "bridge", aliases: [], ipv4Address: "10.213.7.10" }], ports: {} }),
        /user specified IP address is supported on user defined networks only/,
      );
      const none = await svc.setUp({ containerId: ids.b, name: "in2", hostname: "in2", networks: [{ network: "none", aliases: [] }], ports: {} });
      assert.deepEqual((await linksIn(none.netnsPath)).map((l) => l.ifname), ["lo"]);
    } finally {
      await svc.tearDown(ids.a);
      await svc.tearDown(ids.b);
      await svc.remove(internal);
    }
  });

  it("removes the network and its bridge", async () => {
    const bridgeName = svc.resolve(netName).bridgeName!;
    await svc.remove(netName);
    assert.ok(!existsSync(`/sys/class/net/${bridgeName}`));
    assert.ok(!(await sh("iptables-save", [])).includes(bridgeName));
  });
});

describe("a default bridge device that already exists", () => {
  it("is adopted with its address, as dockerd adopts docker0's", async () => {
    const base = await mkdtemp(join(tmpdir(), "berth-netadopt-"));
    const bridge = `bta${hex(3)}`;
    const block = 200 + (randomBytes(1)[0]! % 50);
    // Left by another daemon, or by this one before a crash with another data root.
    await sh("ip", ["link", "add", bridge, "type", "bridge"]);
    await sh("ip", ["addr", "add", `10.${block}.33.1/24`, "dev", bridge]);
    const db = openDatabase(join(base, "berth.db"));
    const svc = await createNetworkService({ db, execRoot: join(base, "exec"), config: { bridge } });
    const id = hex(32);
    try {
      assert.equal(svc.inspect("bridge").IPAM?.Config?.[0]?.Subnet, `10.${block}.33.0/24`);
      // berthd's start (reconcile) gives the adopted bridge its network rules, masquerade included.
      await svc.reconcile(new Set());
      const rules = await sh("iptables-save", []);
      assert.match(rules, new RegExp(`-s 10\\.${block}\\.33\\.0/24 ! -o ${bridge} .*-j MASQUERADE`));
      const sb = await svc.setUp({ containerId: id, name: "adopted", hostname: "adopted", networks: [{ network: "bridge", aliases: [] }], ports: {} });
      assert.match(sb.endpoints[0]!.ipAddress, new RegExp(`^10\\.${block}\\.33\\.\\d+$`));
    } finally {
      await svc.tearDown(id).catch(() => undefined);
      await svc.close();
      db.close();
      await run("ip", ["link", "del", bridge]).catch(() => undefined);
      await sweepRules({ devices: [bridge] });
      await rm(base, { recursive: true, force: true });
    }
  });
});
