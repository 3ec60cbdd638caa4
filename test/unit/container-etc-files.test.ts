import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderHosts, renderResolvConf, writeEtcFiles } from "../../src/container/etc-files.js";

const defaults = [
  "127.0.0.1\tlocalhost",
  "::1\tlocalhost ip6-localhost ip6-loopback",
  "fe00::0\tip6-localnet",
  "ff00::0\tip6-mcastprefix",
  "ff02::1\tip6-allnodes",
  "ff02::2\tip6-allrouters",
];

test("hosts: Docker's defaults, extra hosts, then the container's own address", () => {
  assert.equal(renderHosts({ hostname: "abc" }), defaults.join("\n") + "\n");
  assert.equal(
    renderHosts({ hostname: "web", domainname: "example.com", ip: "172.17.0.2", extraHosts: ["db:10.0.0.5", "v6:fe80::1"] }),
    [...defaults, "10.0.0.5\tdb", "fe80::1\tv6", "172.17.0.2\tweb.example.com web"].join("\n") + "\n",
  );
});

const host = "# generated\nsearch corp.example\nnameserver 127.0.0.53\nnameserver 10.1.2.3\nnameserver ::1\noptions edns0\n";

test("resolv.conf: the host's, minus loopback nameservers, for private networks", () => {
  assert.equal(renderResolvConf(host, { network: "bridge" }), "# generated\nsearch corp.example\nnameserver 10.1.2.3\noptions edns0\n");
  assert.equal(renderResolvConf(host, { network: "none" }), "# generated\nsearch corp.example\nnameserver 10.1.2.3\noptions edns0\n");
});

test("resolv.conf: the host's as is for the host network", () => {
  assert.equal(renderResolvConf(host, { network: "host" }), host);
});

test("resolv.conf: Docker's fallback when only loopback resolvers are left", () => {
  assert.equal(
    renderResolvConf("nameserver 127.0.0.53\noptions edns0\n", { network: "bridge" }),
    "options edns0\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n",
  );
  assert.equal(renderResolvConf("", { network: "none" }), "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
});

test("resolv.conf: --dns, --dns-search and --dns-option replace the host's", () => {
  assert.equal(
    renderResolvConf(host, { network: "bridge", dns: ["1.1.1.1"], dnsSearch: ["a.test", "b.test"], dnsOptions: ["ndots:2"] }),
    "# generated\nnameserver 1.1.1.1\nsearch a.test b.test\noptions ndots:2\n",
  );
});

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test("writeEtcFiles writes the three files", async () => {
  const dir = await mkdtemp(join(tmpdir(), "berth-etc-"));
  dirs.push(dir);
  const paths = { hostname: join(dir, "hostname"), hosts: join(dir, "hosts"), resolvConf: join(dir, "resolv.conf") };
  await writeEtcFiles(paths, { hostname: "box1", hosts: { hostname: "box1" }, resolv: { network: "none" } });
  assert.equal(await readFile(paths.hostname, "utf8"), "box1\n");
  assert.equal(await readFile(paths.hosts, "utf8"), defaults.join("\n") + "\n");
  assert.match(await readFile(paths.resolvConf, "utf8"), /^nameserver /m);
});
