// Containers on networks, through the CLI: the default bridge gives eth0 an
// address and a default route; none has only lo; container:<id> shares a
// namespace; on a user network resolv.conf points at the network's DNS server
// (only at it, even with --dns, which that server forwards to) and containers
// find each other by name; /etc/hosts has the address; stop
// releases the endpoint, restart gets one again; connect/disconnect while
// running add and remove eth1; published ports show in inspect and ps and
// answer at 127.0.0.1; berthd SIGKILLed and restarted keeps a running
// container's network and leaves nothing of one that exited meanwhile.
// Traffic goes only to loopback and to this test's own containers.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startDaemon, type Daemon } from "./harness.js";

const net = `cn${process.pid}`;

describe("containers on networks", () => {
  let d: Daemon;

  const ok = async (args: string[]): Promise<string> => {
    const r = await d.berth(args);
    assert.equal(r.code, 0, `berth ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const inspect = async (name: string, format: string): Promise<string> => ok(["inspect", "-f", format, name]);

  before(async () => {
    d = await startDaemon();
    await ok(["network", "create", net]);
  });

  after(async () => {
    await d?.destroy();
  });

  test("the default bridge gives eth0 an address and a default route", async () => {
    const out = await ok(["run", "--rm", "busybox", "sh", "-c", "ip -o -4 addr show eth0; ip route"]);
    assert.match(out, /eth0\s+inet (\d+\.\d+\.\d+\.\d+)\/\d+/);
    assert.match(out, /^default via \d+\.\d+\.\d+\.\d+ dev eth0/m);
  });

  test("--network none has only lo", async () => {
    const out = await ok(["run", "--rm", "--network", "none", "busybox", "ls", "/sys/class/net"]);
    assert.deepEqual(out.split(/\s+/), ["lo"]);
  });

  test("a user network: resolv.conf names its DNS server, names resolve, /etc/hosts has the address", async () => {
    await ok(["run", "-d", "--name", "srv", "--network", net, "--network-alias", "web", "busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"]);
    const ip = await inspect("srv", `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`);
    const gateway = await inspect("srv", `{{(index .NetworkSettings.Networks "${net}").Gateway}}`);
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    // Only the default bridge fills the top-level fields.
    assert.equal(await inspect("srv", "{{.NetworkSettings.IPAddress}}"), "");
    assert.match(await ok(["exec", "srv", "cat", "/etc/hosts"]), new RegExp(`^${ip.replace(/\./g, "\\.")}\\t`, "m"));

    const out = await ok([
      "run", "--rm", "--network", net, "busybox", "sh", "-c",
      "cat /etc/resolv.conf; nslookup srv; ping -c1 -W2 web >/dev/null && echo PING-OK; wget -qO- http://srv:8080/hostname",
    ]);
    assert.match(out, new RegExp(`^nameserver ${gateway.replace(/\./g, "\\.")}$`, "m"));
    assert.match(out, new RegExp(`Address( 1)?:\\s+${ip.replace(/\./g, "\\.")}`));
    assert.match(out, /PING-OK/);
    const hostname = await inspect("srv", "{{.Config.Hostname}}");
    assert.match(out, new RegExp(`^${hostname}$`, "m"));

    assert.equal(await ok(["ps", "-q", "--no-trunc", "--filter", `network=${net}`]), await inspect("srv", "{{.Id}}"));
  });

  test("--dns on a user network: resolv.conf names only the network's DNS server, and container names still resolve", async () => {
    await ok(["run", "-d", "--name", "named", "--network", net, "busybox", "sleep", "600"]);
    const ip = await inspect("named", `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`);
    const gateway = await inspect("named", `{{(index .NetworkSettings.Networks "${net}").Gateway}}`);
    const out = await ok([
      "run", "--rm", "--network", net, "--dns", "127.0.0.1", "--dns-search", "corp.test", "busybox", "sh", "-c",
      // ping resolves as the libc does (with ndots:0 the name as given first); busybox's nslookup would only try named.corp.test.
      "cat /etc/resolv.conf; echo =====; ping -c1 -W2 named",
    ]);
    const [resolvConf = "", lookup = ""] = out.split("=====\n");
    assert.deepEqual(resolvConf.split("\n").filter((l) => l.startsWith("nameserver")), [`nameserver ${gateway}`]);
    assert.match(resolvConf, /^search corp\.test$/m);
    assert.match(resolvConf, /^options ndots:0$/m);
    assert.match(lookup, new RegExp(`^PING named \\(${ip.replace(/\./g, "\\.")}\\)`, "m"));
    assert.match(lookup, /1 packets received/);
    await ok(["rm", "-f", "named"]);
  });

  test("container:<id> shares the other container's namespace", async () => {
    await ok(["run", "-d", "--name", "owner", "busybox", "sleep", "600"]);
    const mac = await inspect("owner", "{{.NetworkSettings.MacAddress}}");
    const out = await ok(["run", "--rm", "--network", "container:owner", "busybox", "sh", "-c", "cat /sys/class/net/eth0/address; hostname"]);
    const [seenMac, seenHostname] = out.split("\n");
    assert.equal(seenMac, mac);
    assert.equal(seenHostname, await inspect("owner", "{{.Config.Hostname}}"));
    // The owner stopped: nothing to join.
    await ok(["create", "--name", "guest", "--network", "container:owner", "busybox", "true"]);
    await ok(["stop", "-t", "0", "owner"]);
    const r = await d.berth(["start", "guest"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot join network of a non running container/);
    await ok(["rm", "-f", "guest", "owner"]);
  });

  test("stop releases the endpoint; restart gets one again", async () => {
    await ok(["run", "-d", "--name", "cycle", "--network", net, "busybox", "sleep", "600"]);
    const id = await inspect("cycle", "{{.Id}}");
    assert.ok(existsSync(join(d.execRoot, "netns", id)));
    await ok(["stop", "-t", "0", "cycle"]);
    assert.doesNotMatch(await ok(["network", "inspect", "-f", "{{json .Containers}}", net]), new RegExp(id));
    assert.equal(await inspect("cycle", `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`), "");
    assert.ok(!existsSync(join(d.execRoot, "netns", id)));
    assert.ok(!execFileSync("iptables-save", { encoding: "utf8" }).includes(id), "no firewall rule names the stopped container");
    await ok(["restart", "cycle"]);
    assert.match(await inspect("cycle", `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`), /^\d+\.\d+\.\d+\.\d+$/);
    assert.match(await ok(["network", "inspect", "-f", "{{json .Containers}}", net]), new RegExp(id));
    await ok(["rm", "-f", "cycle"]);
    assert.ok(!existsSync(join(d.execRoot, "netns", id)));
  });

  test("connect and disconnect while running add and remove eth1", async () => {
    await ok(["run", "-d", "--name", "hop", "busybox", "sleep", "600"]);
    await ok(["network", "connect", "--alias", "hopper", net, "hop"]);
    assert.match(await ok(["exec", "hop", "ls", "/sys/class/net"]), /eth1/);
    assert.deepEqual(await inspect("hop", `{{(index .NetworkSettings.Networks "${net}").Aliases}}`), "[hopper]");
    const again = await d.berth(["network", "connect", net, "hop"]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, new RegExp(`endpoint with name hop already exists in network ${net}`));
    await ok(["network", "disconnect", net, "hop"]);
    assert.doesNotMatch(await ok(["exec", "hop", "ls", "/sys/class/net"]), /eth1/);
    const gone = await d.berth(["network", "disconnect", net, "hop"]);
    assert.match(gone.stderr, new RegExp(`is not connected to network ${net}`));
    await ok(["rm", "-f", "hop"]);
  });

  test("a published port shows in inspect and ps and answers at 127.0.0.1", async () => {
    await ok(["run", "-d", "--name", "pub", "-p", "127.0.0.1::8080", "--expose", "9090", "busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"]);
    const port = await inspect("pub", '{{(index (index .NetworkSettings.Ports "8080/tcp") 0).HostPort}}');
    assert.match(port, /^\d+$/);
    assert.equal(await inspect("pub", '{{json (index .NetworkSettings.Ports "9090/tcp")}}'), "null");
    assert.match(await ok(["ps", "--filter", "name=pub", "--format", "{{.Ports}}"]), new RegExp(`127\\.0\\.0\\.1:${port}->8080/tcp`));
    const body = await new Promise<string>((resolve, reject) => {
      get({ host: "127.0.0.1", port: Number(port), path: "/hostname" }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve(text));
      }).on("error", reject);
    });
    assert.equal(body.trim(), await inspect("pub", "{{.Config.Hostname}}"));
    await ok(["rm", "-f", "pub"]);
  });

  test("berthd SIGKILLed: a running container keeps its network, one that exited meanwhile leaves nothing", async () => {
    await ok(["run", "-d", "--name", "stay", "--network", net, "busybox", "sleep", "600"]);
    await ok(["run", "-d", "--name", "goes", "--network", net, "busybox", "sleep", "600"]);
    const stay = await inspect("stay", "{{.Id}}");
    const goes = await inspect("goes", "{{.Id}}");
    const stayIp = await inspect("stay", `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`);
    const goesPid = Number(await inspect("goes", "{{.State.Pid}}"));
    const netId = await ok(["network", "inspect", "-f", "{{.Id}}", net]);
    const bridge = `br-${netId.slice(0, 12)}`;
    const ports = () => (JSON.parse(execFileSync("ip", ["-j", "link", "show", "master", bridge], { encoding: "utf8" }) || "[]") as unknown[]).length;
    const before = ports();

    await d.kill("SIGKILL");
    process.kill(goesPid, "SIGKILL");
    await d.restart();

    assert.equal(await inspect("goes", "{{.State.Status}}"), "exited");
    assert.ok(!existsSync(join(d.execRoot, "netns", goes)), "the exited container's netns is gone");
    assert.ok(existsSync(join(d.execRoot, "netns", stay)));
    assert.equal(ports(), before - 1, "the exited container's veth is gone");
    assert.match(await ok(["exec", "stay", "ip", "-o", "-4", "addr", "show", "eth0"]), new RegExp(`inet ${stayIp.replace(/\./g, "\\.")}/`));
    assert.equal(await inspect("stay", `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`), stayIp);
    // The exited one starts again with a working network.
    await ok(["start", "goes"]);
    assert.match(await ok(["exec", "goes", "ping", "-c1", "-W2", "stay"]), /1 packets received/);
    await ok(["rm", "-f", "stay", "goes"]);
    assert.deepEqual(readdirSync(join(d.execRoot, "netns")).filter((n) => n === stay || n === goes), []);
    assert.equal(ports(), before - 2, "both veths are gone");
    const rules = execFileSync("iptables-save", { encoding: "utf8" });
    assert.ok(!rules.includes(stay) && !rules.includes(goes), "no firewall rule names the removed containers");
  });
});
