// What makes a networked start and stop cheaper must not change what they do:
// the DNS name table kept in memory follows every endpoint change; a sandbox
// whose netns is gone still has its host-side plugins (portmap) called; and
// the netns is known to be in use while a process lives in it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nameTable } from "../../src/network/dns-servers.js";
import { endpointConfList, hostSideConfList, hostVeth } from "../../src/network/endpoint-config.js";
import { deviceGone } from "../../src/network/host-devices.js";
import { netnsInUse } from "../../src/network/netns.js";
import { createNetworkRecords, type NetworkRow } from "../../src/network/records.js";
import { openDatabase, type DB } from "../../src/store/db.js";

const net: NetworkRow = {
  id: "n1".padEnd(64, "0"),
  name: "front",
  driver: "bridge",
  bridgeName: "br-test",
  subnet: "10.77.0.0/24",
  gateway: "10.77.0.1",
  internal: false,
  labels: {},
  options: {},
  created: new Date(0).toISOString(),
  bridgeCreated: true,
  userIpam: false,
};

describe("the DNS name table in memory", () => {
  let dir: string;
  let db: DB;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "berth-names-"));
    db = openDatabase(join(dir, "n.db"));
  });
  after(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("answers what the records say after every join, plumbing, rename of the sandbox and leave", () => {
    const records = createNetworkRecords(db);
    records.insertNetwork(net);
    const table = nameTable({ records }, net);
    const join1 = (containerId: string, name: string, ip: string, aliases: string[] = []) => {
      records.insertSandbox({ containerId, name, hostname: containerId.slice(0, 12), netnsPath: `/x/${containerId}`, dns: [] });
      assert.ok(records.insertEndpoint({ endpointId: `ep-${containerId}`, containerId, networkId: net.id, ifname: "eth0", ip, prefixLen: 24, gateway: "10.77.0.1", mac: "", aliases, conf: "{}" }));
    };
    const web = "a".repeat(64);
    const db2 = "b".repeat(64);
    assert.deepEqual(table.lookup("web"), []);
    join1(web, "web", "10.77.0.2", ["www"]);
    assert.deepEqual(table.lookup("web"), [], "not answered before its CNI ADD is done");
    records.setEndpointResult(`ep-${web}`, { mac: "02:00:00:00:00:02", result: "{}" });
    assert.deepEqual(table.lookup("WEB."), ["10.77.0.2"]);
    assert.deepEqual(table.lookup("web.front"), ["10.77.0.2"]);
    assert.deepEqual(table.lookup("www"), ["10.77.0.2"]);
    assert.deepEqual(table.lookup(web.slice(0, 12)), ["10.77.0.2"]);
    assert.equal(table.reverse("10.77.0.2"), "web.front");

    join1(db2, "db", "10.77.0.3", ["www"]);
    records.setEndpointResult(`ep-${db2}`, { mac: "02:00:00:00:00:03", result: "{}" });
    assert.deepEqual(table.lookup("www").sort(), ["10.77.0.2", "10.77.0.3"], "a shared alias names both");
    assert.deepEqual(table.lookup("db"), ["10.77.0.3"]);

    records.deleteEndpoint(`ep-${web}`);
    assert.deepEqual(table.lookup("web"), []);
    assert.deepEqual(table.lookup("www"), ["10.77.0.3"]);
    assert.equal(table.reverse("10.77.0.2"), undefined);

    records.deleteSandbox(db2);
    assert.deepEqual(table.lookup("db"), []);
    assert.deepEqual(table.lookup("www"), []);
  });
});

describe("hostSideConfList", () => {
  const mapping = { hostIp: "127.0.0.1", hostPort: 8080, containerPort: 80, protocol: "tcp" as const };

  test("keeps only portmap of berth's own lists", () => {
    const list = endpointConfList(net, { ip: "10.77.0.2", prefixLen: 24, mac: "02:00:00:00:00:02", ports: [mapping] });
    assert.deepEqual(list.plugins.map((p) => p.type), ["bridge", "tuning", "portmap"]);
    const kept = hostSideConfList(list);
    assert.deepEqual(kept.plugins.map((p) => p.type), ["portmap"]);
    assert.equal(kept.name, list.name);
    assert.equal(kept.cniVersion, list.cniVersion);
  });

  test("nothing at all for an endpoint without published ports", () => {
    assert.deepEqual(hostSideConfList(endpointConfList(net, { ip: "10.77.0.2", prefixLen: 24, ports: [] })).plugins, []);
  });

  test("keeps what holds state on the host: a bridge with ipMasq, another IPAM, the firewall plugin", () => {
    const list = {
      cniVersion: "1.0.0",
      name: "old",
      plugins: [
        { type: "bridge", ipMasq: true, ipam: { type: "static" } },
        { type: "bridge", ipMasq: false, ipam: { type: "host-local" } },
        { type: "firewall" },
      ],
    };
    assert.deepEqual(hostSideConfList(list).plugins, list.plugins);
  });
});

describe("hostVeth", () => {
  test("the bridge plugin's interface outside the netns that is not the bridge", () => {
    const list = endpointConfList(net, { ip: "10.77.0.2", prefixLen: 24, ports: [] });
    const result = {
      cniVersion: "1.0.0",
      interfaces: [{ name: "br-test", mac: "02:00:00:00:00:01" }, { name: "veth1234abcd", mac: "02:00:00:00:00:09" }, { name: "eth0", mac: "02:00:00:00:00:02", sandbox: "/run/x" }],
    };
    assert.equal(hostVeth(list, result), "veth1234abcd");
    assert.equal(hostVeth(list, undefined), undefined, "no result: an ADD that never finished");
  });

  test("waiting for a device that is not there ends at once", async () => {
    await deviceGone("bt-never-made", { timeoutMs: 0 });
  });
});

describe("netnsInUse", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "berth-netns-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("a namespace a process lives in is in use: this test's own", async () => {
    assert.equal(await netnsInUse("/proc/self/ns/net"), true);
  });

  test("a missing file or one never mounted is not", async () => {
    assert.equal(await netnsInUse(join(dir, "gone")), false);
    await writeFile(join(dir, "empty"), "");
    assert.equal(await netnsInUse(join(dir, "empty")), false);
  });
});
