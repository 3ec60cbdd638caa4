// Networks through the CLI against a private berthd (root, real CNI plugins):
// network create/ls/inspect/rm/prune, containers talking by name and alias on
// a user network, connect/disconnect, --network none, published ports reached
// from the host at 127.0.0.1, `port`, port conflicts, and the default bridge
// without name resolution. Traffic goes only to loopback and to this test's
// own containers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { startDaemon, type Daemon } from "./harness.js";

const suffix = Math.random().toString(16).slice(2, 8);
const NET = `n4a-${suffix}`;
const OTHER = `n4b-${suffix}`;
const HTTPD = "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www";

/** A port nothing listens on right now (the kernel's pick for port 0). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** GET on loopback, retried while the server in the container comes up. */
async function fetchText(port: number): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const req = http.get({ host: "127.0.0.1", port, path: "/", timeout: 2000 }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve(body));
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", reject);
      });
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}

describe("network CLI", { timeout: 300_000 }, () => {
  let d: Daemon;
  const ok = async (args: string[]): Promise<string> => {
    const r = await d.berth(args);
    assert.equal(r.code, 0, `berth ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  /** Runs a command in a throwaway container, retrying while a just-started server or DNS name settles. */
  const probe = async (args: string[], attempts = 20): Promise<{ code: number; stdout: string; stderr: string }> => {
    let r = await d.berth(["run", "--rm", ...args]);
    for (let i = 1; i < attempts && r.code !== 0; i++) {
      await new Promise((res) => setTimeout(res, 200));
      r = await d.berth(["run", "--rm", ...args]);
    }
    return r;
  };

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    if (!d) return;
    const ids = (await d.berth(["ps", "-aq"])).stdout.split("\n").filter(Boolean);
    if (ids.length) await d.berth(["rm", "-f", ...ids]);
    await d.berth(["network", "rm", "-f", NET, OTHER, `n4p-${suffix}`]);
    await d.destroy();
  });

  test("create, ls, inspect, rm and prune", async () => {
    const id = (await ok(["network", "create", "--subnet", "10.213.7.0/24", "--gateway", "10.213.7.254", "--label", "test=n4", NET])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);

    const table = await ok(["network", "ls"]);
    const lines = table.trimEnd().split("\n");
    assert.match(lines[0], /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
    assert.ok(lines.some((l) => new RegExp(`^${id.slice(0, 12)}\\s+${NET}\\s+bridge\\s+local$`).test(l)), table);
    for (const builtin of ["bridge", "host", "none"]) assert.ok(lines.some((l) => l.split(/\s+/)[1] === builtin), table);
    assert.ok((await ok(["network", "ls", "-q", "--no-trunc"])).split("\n").includes(id));
    assert.equal(await ok(["network", "ls", "-f", "label=test=n4", "--format", "{{.Name}} {{.Driver}} {{.Label \"test\"}}"]), `${NET} bridge n4\n`);

    const [inspected] = JSON.parse(await ok(["network", "inspect", NET]));
    assert.equal(inspected.Id, id);
    assert.deepEqual(inspected.IPAM.Config, [{ Subnet: "10.213.7.0/24", Gateway: "10.213.7.254" }]);
    assert.deepEqual(inspected.Labels, { test: "n4" });
    assert.equal(await ok(["network", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Internal}}", NET]), `${NET} bridge false\n`);

    // As dockerd: a gateway berth picked within the user's subnet is not shown as the user's; one chosen with the subnet is.
    const subnetOnly = `${NET}-s`;
    await ok(["network", "create", "--subnet", "10.213.8.0/24", subnetOnly]);
    assert.deepEqual(JSON.parse(await ok(["network", "inspect", subnetOnly]))[0].IPAM.Config, [{ Subnet: "10.213.8.0/24" }]);
    assert.equal(await ok(["run", "--rm", "--network", subnetOnly, "busybox", "sh", "-c", "ip route | sed -n 's/^default via \\([0-9.]*\\).*/\\1/p'"]), "10.213.8.1\n");
    await ok(["network", "rm", subnetOnly]);

    const dup = await d.berth(["network", "create", NET]);
    assert.equal(dup.code, 1);
    assert.equal(dup.stderr, `Error response from daemon: network with name ${NET} already exists\n`);

    const missing = await d.berth(["network", "inspect", NET, "nope-net"]);
    assert.equal(missing.code, 1);
    assert.equal(JSON.parse(missing.stdout).length, 1);
    assert.equal(missing.stderr, "Error response from daemon: network nope-net not found\n");

    const rm = await d.berth(["network", "rm", "bridge", "nope-net"]);
    assert.equal(rm.code, 1);
    assert.equal(rm.stderr, "Error response from daemon: bridge is a pre-defined network and cannot be removed\nError response from daemon: network nope-net not found\n");
    assert.equal((await d.berth(["network", "rm", "-f", "nope-net"])).code, 0);

    const pruned = `n4p-${suffix}`;
    await ok(["network", "create", pruned]);
    const out = await ok(["network", "prune", "-f", "--filter", "label!=test=n4"]);
    assert.match(out, new RegExp(`^Deleted Networks:\\n(.+\\n)*${pruned}\\n(.+\\n)*\\n$`));
    assert.doesNotMatch(out, new RegExp(`^${NET}$`, "m"));
    assert.equal((await d.berth(["network", "inspect", pruned])).code, 1);
  });

  test("containers on a user network reach each other by name and alias", async () => {
    await ok(["run", "-d", "--name", `web-${suffix}`, "--network", NET, "--network-alias", "site", "busybox", "sh", "-c", HTTPD]);
    const byName = await probe(["--network", NET, "busybox", "wget", "-qO-", `http://web-${suffix}:8080/`]);
    assert.equal(byName.stdout, "hello-from-web\n", byName.stderr);
    const byAlias = await probe(["--network", NET, "busybox", "wget", "-qO-", "http://site:8080/"]);
    assert.equal(byAlias.stdout, "hello-from-web\n", byAlias.stderr);
    const attached = await ok(["network", "inspect", "-f", "{{range .Containers}}{{.Name}}{{end}}", NET]);
    assert.equal(attached, `web-${suffix}\n`);
  });

  test("connect with an alias, then disconnect", async () => {
    await ok(["network", "create", OTHER]);
    const name = `joiner-${suffix}`;
    await ok(["run", "-d", "--name", name, "--network", OTHER, "busybox", "sleep", "300"]);
    assert.equal(await ok(["network", "connect", "--alias", "joined", NET, name]), "");
    const addrs = await ok(["exec", name, "ip", "-o", "-4", "addr"]);
    assert.match(addrs, /eth1\s+inet 10\.213\.7\.\d+\/24/);
    const lookup = await probe(["--network", NET, "busybox", "ping", "-c1", "-W2", "joined"]);
    assert.equal(lookup.code, 0, lookup.stderr);
    assert.match(await ok(["network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}", NET]), new RegExp(name));

    assert.equal(await ok(["network", "disconnect", NET, name]), "");
    assert.doesNotMatch(await ok(["exec", name, "ip", "-o", "-4", "addr"]), /10\.213\.7\./);
    const again = await d.berth(["network", "disconnect", NET, name]);
    assert.equal(again.code, 1);
    await ok(["rm", "-f", name]);
  });

  test("a container that joins its first user network while running resolves names on it, as with dockerd", async () => {
    const target = `target-${suffix}`;
    const lone = `lone-${suffix}`;
    await ok(["run", "-d", "--name", target, "--network", NET, "busybox", "sh", "-c", HTTPD]);
    await ok(["run", "-d", "--name", lone, "busybox", "sleep", "300"]);
    const gateway = (await ok(["network", "inspect", "-f", "{{range .IPAM.Config}}{{.Gateway}}{{end}}", NET])).trim();
    assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/);
    assert.doesNotMatch(await ok(["exec", lone, "cat", "/etc/resolv.conf"]), new RegExp(`nameserver ${gateway}`));

    await ok(["network", "connect", NET, lone]);
    const resolv = await ok(["exec", lone, "cat", "/etc/resolv.conf"]);
    assert.match(resolv, new RegExp(`^nameserver ${gateway.replaceAll(".", "\\.")}$`, "m"));
    assert.match(resolv, /^options .*ndots:0/m);
    let got = await d.berth(["exec", lone, "wget", "-qO-", `http://${target}:8080/`]);
    for (let i = 0; i < 20 && got.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      got = await d.berth(["exec", lone, "wget", "-qO-", `http://${target}:8080/`]);
    }
    assert.equal(got.stdout, "hello-from-web\n", got.stderr);
    await ok(["rm", "-f", lone, target]);
  });

  test("--network none has only lo", async () => {
    const links = await ok(["run", "--rm", "--network", "none", "busybox", "ip", "-o", "link"]);
    const names = links.trim().split("\n").map((l) => l.split(":")[1].trim());
    assert.deepEqual(names, ["lo"]);
  });

  test("a published port is reachable at 127.0.0.1; port shows it; a second claim is refused", async () => {
    const port = await freePort();
    const name = `pub-${suffix}`;
    await ok(["run", "-d", "--name", name, "--network", NET, "-p", `${port}:8080`, "busybox", "sh", "-c", HTTPD]);
    assert.equal(await fetchText(port), "hello-from-web\n");

    assert.equal(await ok(["port", name]), `8080/tcp -> 0.0.0.0:${port}\n`);
    assert.equal(await ok(["port", name, "8080"]), `0.0.0.0:${port}\n`);
    const none = await d.berth(["port", name, "81/tcp"]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, `Error: No public port '81/tcp' published for ${name}\n`);

    const clash = await d.berth(["run", "-d", "--name", `clash-${suffix}`, "--network", NET, "-p", `${port}:8080`, "busybox", "sleep", "30"]);
    assert.equal(clash.code, 125);
    assert.match(clash.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated`));
    await d.berth(["rm", "-f", `clash-${suffix}`]);
  });

  test("bad -p values fail before any request, with docker's words and 125", async () => {
    const r = await d.berth(["run", "--rm", "-p", "8080:http", "busybox", "true"]);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^berth: invalid containerPort: http\n/);
  });

  test("the default bridge has no name resolution", async () => {
    const name = `plain-${suffix}`;
    await ok(["run", "-d", "--name", name, "busybox", "sh", "-c", HTTPD]);
    const [ip, gateway] = (await ok(["inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}", name])).trim().split(" ");
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    // The address works, so the network does.
    const byIp = await probe(["busybox", "wget", "-qO-", `http://${ip}:8080/`]);
    assert.equal(byIp.stdout, "hello-from-web\n", byIp.stderr);
    // No DNS server on the gateway, and none named in resolv.conf (queries stay on the test's own bridge).
    const resolv = await ok(["run", "--rm", "busybox", "cat", "/etc/resolv.conf"]);
    assert.doesNotMatch(resolv, new RegExp(`^nameserver ${gateway.replaceAll(".", "\\.")}$`, "m"));
    const viaGateway = await d.berth(["run", "--rm", "busybox", "nslookup", name, gateway]);
    assert.notEqual(viaGateway.code, 0);
    // Nor does /etc/hosts know the other container.
    const hosts = await ok(["run", "--rm", "busybox", "cat", "/etc/hosts"]);
    assert.doesNotMatch(hosts, new RegExp(`\\s${name}(\\s|$)`, "m"));
    assert.doesNotMatch(hosts, new RegExp(`^${ip.replaceAll(".", "\\.")}\\s`, "m"));
  });
});
