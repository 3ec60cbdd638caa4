// The two-step sandbox setup a start uses (prepare: addresses and netns now,
// CNI ADD in the background) and the cheaper teardown (the netns first, then
// only the plugins with host-side state), driven directly against real netns
// files, plugins, bridges and iptables. A failing plugin is a script of this
// test's own in a CNI path beside the real plugins. Traffic: none.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { openDatabase, type DB } from "../../src/store/db.js";
import { createNetworkService } from "../../src/network/local-network-service.js";
import type { NetworkService } from "../../src/network/network-service.js";
import { sweepRules } from "../../src/network/sweep-rules.js";
import { defaultCniPath } from "../../src/network/cni.js";

const run = promisify(execFile);
const hex = (n: number) => randomBytes(n).toString("hex");

describe("network sandboxes in two steps", () => {
  let base: string;
  let db: DB;
  let svc: NetworkService & { close(): Promise<void> };
  const bridge = `bt${hex(3)}`;
  const netName = `np-${hex(4)}`;
  const ids = { a: hex(32), b: hex(32) };
  let userBridge = "";

  /** The veths on the user network's bridge. */
  const ports = async (): Promise<number> => (JSON.parse((await run("ip", ["-j", "link", "show", "master", userBridge])).stdout || "[]") as unknown[]).length;
  const natRulesOf = async (id: string): Promise<number> => (await run("iptables-save", ["-t", "nat"])).stdout.split("\n").filter((l) => l.includes(id)).length;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-netprep-"));
    // The real plugins, except a portmap that always fails.
    const cni = join(base, "cni");
    await mkdir(cni);
    const real = defaultCniPath.find((dir) => existsSync(join(dir, "bridge")))!;
    for (const plugin of ["bridge", "static", "tuning"]) await symlink(join(real, plugin), join(cni, plugin));
    await writeFile(join(cni, "portmap"), `#!/bin/sh\ncat >/dev/null\necho '{"cniVersion":"1.0.0","code":11,"msg":"portmap refused by the test"}'\nexit 1\n`);
    await chmod(join(cni, "portmap"), 0o755);
    db = openDatabase(join(base, "berth.db"));
    svc = await createNetworkService({ db, execRoot: join(base, "exec"), config: { bridge }, cniPath: [cni], dnsPort: 0 });
    const { Id } = await svc.create({ Name: netName });
    userBridge = `br-${Id.slice(0, 12)}`;
  });

  after(async () => {
    for (const id of Object.values(ids)) await svc.tearDown(id).catch(() => undefined);
    await svc.remove(netName).catch(() => undefined);
    await svc.close();
    await run("ip", ["link", "del", bridge]).catch(() => undefined);
    await sweepRules({ devices: [bridge, userBridge], containerIds: Object.values(ids) });
    db.close();
    await rm(base, { recursive: true, force: true });
  });

  it("gives the netns and the address at once, the wired sandbox later; a tearDown meanwhile waits for the plumbing", async () => {
    const before = await ports();
    const { planned, plumbed } = await svc.prepare({ containerId: ids.a, name: "early", hostname: "early", networks: [{ network: netName, aliases: [] }], ports: {} });
    assert.ok(existsSync(planned.netnsPath));
    const ip = planned.endpoints[0]?.ipAddress ?? "";
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(planned.endpoints[0]?.dnsServer, planned.endpoints[0]?.gateway, "the network's DNS server runs before the plugins finish");
    // Right away, while the bridge plugin may still run: nothing of it may be left behind.
    const down = svc.tearDown(ids.a);
    const wired = await plumbed;
    assert.equal(wired.endpoints[0]?.ipAddress, ip);
    await down;
    assert.equal(svc.sandbox(ids.a), undefined);
    assert.ok(!existsSync(planned.netnsPath));
    assert.equal(await ports(), before, "the veth went with the netns before tearDown returned");
  });

  it("a failing plugin rejects `plumbed` with its words and leaves the rest to tearDown; nothing remains after it", async () => {
    const before = await ports();
    const { planned, plumbed } = await svc.prepare({
      containerId: ids.b,
      name: "refused",
      hostname: "refused",
      networks: [{ network: netName, aliases: [] }],
      ports: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
    });
    await assert.rejects(plumbed, /portmap refused by the test/);
    assert.ok(existsSync(planned.netnsPath), "the netns stays for a runtime that may still be creating in it");
    assert.deepEqual(svc.sandbox(ids.b)?.endpoints, [], "the failed endpoint itself is undone");
    await svc.tearDown(ids.b);
    assert.ok(!existsSync(planned.netnsPath));
    assert.equal(await ports(), before);
    assert.equal(await natRulesOf(ids.b), 0);
  });

  it("setUp undoes everything itself when a plugin fails", async () => {
    const before = await ports();
    await assert.rejects(
      svc.setUp({ containerId: ids.b, name: "refused", hostname: "refused", networks: [{ network: netName, aliases: [] }], ports: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] } }),
      /portmap refused by the test/,
    );
    assert.equal(svc.sandbox(ids.b), undefined);
    assert.ok(!existsSync(join(base, "exec", "netns", ids.b)));
    assert.equal(await ports(), before);
  });
});
