// The networking flags of `run`/`create`: -p parsed as go-connections'
// nat.ParsePortSpecs (cases from its tests and docker's docs), --expose, and
// --network/--network-alias/--ip/--mac-address/--dns/--add-host as the
// docker CLI (API ≥ 1.44) puts them in the create body.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import { normalizeArgs } from "../../src/cli/args.js";
import { addRunFlags, type RunFlags } from "../../src/cli/commands/run.js";
import { buildCreateRequest } from "../../src/cli/commands/container-flags.js";
import { parsePortSpec, parsePublish } from "../../src/cli/commands/network-ports.js";
import { parseNetworkAttachment, validateDnsSearch, validateExtraHost } from "../../src/cli/commands/network-flags.js";

function parseRun(argv: string[]) {
  const cmd = addRunFlags(new Command("run")).exitOverride().configureOutput({ writeErr: () => undefined });
  cmd.allowExcessArguments(true).action(() => undefined);
  cmd.parse(normalizeArgs(cmd, argv), { from: "user" });
  return buildCreateRequest(cmd.args, cmd.opts<RunFlags>(), {});
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail("expected a failure");
}

// [spec, expected [port, hostIp, hostPort][] or an error message]
type PortRow = [string, Array<[string, string, string]> | string];

const portRows: PortRow[] = [
  ["1234", [["1234/tcp", "", ""]]],
  ["1234/udp", [["1234/udp", "", ""]]],
  ["1234/SCTP", [["1234/sctp", "", ""]]],
  ["8080:80", [["80/tcp", "", "8080"]]],
  ["0.0.0.0:8080:80", [["80/tcp", "0.0.0.0", "8080"]]],
  ["127.0.0.1::80/udp", [["80/udp", "127.0.0.1", ""]]],
  ["[::1]:8080:80", [["80/tcp", "::1", "8080"]]],
  ["::1:8080:80", [["80/tcp", "::1", "8080"]]],
  ["1234-1236", [["1234/tcp", "", ""], ["1235/tcp", "", ""], ["1236/tcp", "", ""]]],
  ["8000-8002:80-82", [["80/tcp", "", "8000"], ["81/tcp", "", "8001"], ["82/tcp", "", "8002"]]],
  ["0.0.0.0:8000-8002:80-82/udp", [["80/udp", "0.0.0.0", "8000"], ["81/udp", "0.0.0.0", "8001"], ["82/udp", "0.0.0.0", "8002"]]],
  // A host range for one container port is where a free host port is picked from.
  ["8000-8010:80", [["80/tcp", "", "8000-8010"]]],
  ["080", [["80/tcp", "", ""]]],
  ["abc", "invalid containerPort: abc"],
  ["8080:abc", "invalid containerPort: abc"],
  ["abc:80", "invalid hostPort: abc"],
  ["65536", "invalid containerPort: 65536"],
  ["80-70", "invalid containerPort: 80-70"],
  ["1234/xyz", "invalid proto: xyz"],
  ["", "invalid proto: "],
  ["localhost:8080:80", "invalid IP address: localhost"],
  ["1.2.3:8080:80", "invalid IP address: 1.2.3"],
  ["1234-1236:1234-1237", "invalid ranges specified for container and host Ports: 1234-1237 and 1234-1236"],
  ["0.0.0.0:1234-1235:80-82", "invalid ranges specified for container and host Ports: 80-82 and 1234-1235"],
];

describe("nat.ParsePortSpec", () => {
  for (const [spec, expected] of portRows) {
    it(`${JSON.stringify(spec)} → ${typeof expected === "string" ? expected : expected.map((e) => e.join(" ")).join(", ")}`, () => {
      if (typeof expected === "string") {
        assert.equal(failure(() => parsePortSpec(spec)), expected);
        return;
      }
      assert.deepEqual(
        parsePortSpec(spec).map((m) => [m.port, m.hostIp, m.hostPort]),
        expected,
      );
    });
  }

  it("merges several specs for one port, as ParsePortSpecs does", () => {
    const { exposed, bindings } = parsePublish(["8080:80", "127.0.0.1:9090:80", "53/udp"]);
    assert.deepEqual(exposed, { "80/tcp": {}, "53/udp": {} });
    assert.deepEqual(bindings, {
      "80/tcp": [{ HostIp: "", HostPort: "8080" }, { HostIp: "127.0.0.1", HostPort: "9090" }],
      "53/udp": [{ HostIp: "", HostPort: "" }],
    });
  });

  it("reads the long syntax as the docker CLI converts it", () => {
    assert.deepEqual(parsePublish(["published=8080,target=80"]).bindings, { "80/tcp": [{ HostIp: "", HostPort: "8080" }] });
    assert.deepEqual(parsePublish(["target=53,protocol=udp"]).bindings, { "53/udp": [{ HostIp: "", HostPort: "" }] });
    assert.equal(failure(() => parsePublish(["target=80,mode"])), "invalid publish opts format (should be name=value but got 'mode')");
  });
});

describe("run/create networking flags", () => {
  it("sends NetworkMode default and nothing else without flags", () => {
    const body = parseRun(["busybox"]).body;
    assert.equal(body.HostConfig?.NetworkMode, "default");
    assert.equal(body.NetworkingConfig, undefined);
    assert.equal(body.ExposedPorts, undefined);
    assert.equal(body.HostConfig?.PortBindings, undefined);
  });

  it("publishes ports and exposes them; -P and --expose add to the exposed set", () => {
    const body = parseRun(["-p", "8080:80", "-p", "127.0.0.1:5353:53/udp", "--expose", "9000", "--expose", "7000-7001/udp", "-P", "busybox"]).body;
    assert.deepEqual(body.HostConfig?.PortBindings, {
      "80/tcp": [{ HostIp: "", HostPort: "8080" }],
      "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }],
    });
    assert.deepEqual(body.ExposedPorts, { "80/tcp": {}, "53/udp": {}, "9000/tcp": {}, "7000/udp": {}, "7001/udp": {} });
    assert.equal(body.HostConfig?.PublishAllPorts, true);
  });

  it("reports docker's errors for bad ports", () => {
    assert.equal(failure(() => parseRun(["-p", "8080:x", "busybox"])), "invalid containerPort: x");
    assert.equal(failure(() => parseRun(["--expose", "1:2", "busybox"])), "invalid port format for --expose: 1:2");
    assert.equal(
      failure(() => parseRun(["--expose", "x", "busybox"])),
      'invalid range format for --expose: x, error: strconv.ParseUint: parsing "x": invalid syntax',
    );
  });

  it("puts the first network in NetworkMode and the plain flags on its endpoint", () => {
    const body = parseRun(["--network", "front", "--network-alias", "web", "--network-alias", "www", "--ip", "10.5.0.9", "--mac-address", "02:42:ac:11:00:09", "busybox"]).body;
    assert.equal(body.HostConfig?.NetworkMode, "front");
    assert.deepEqual(body.NetworkingConfig, {
      EndpointsConfig: { front: { Aliases: ["web", "www"], IPAMConfig: { IPv4Address: "10.5.0.9" }, MacAddress: "02:42:ac:11:00:09" } },
    });
    assert.equal(body.MacAddress, "02:42:ac:11:00:09");
  });

  it("lists every --network (and --net) in EndpointsConfig, with the advanced syntax", () => {
    const body = parseRun(["--network", "front", "--net", "name=back,alias=db,ip=10.6.0.3", "busybox"]).body;
    assert.equal(body.HostConfig?.NetworkMode, "front");
    assert.deepEqual(body.NetworkingConfig?.EndpointsConfig, { front: {}, back: { Aliases: ["db"], IPAMConfig: { IPv4Address: "10.6.0.3" } } });
    assert.equal(parseRun(["--network", "none", "busybox"]).body.NetworkingConfig, undefined);
    assert.equal(parseRun(["--network", "container:web", "busybox"]).body.HostConfig?.NetworkMode, "container:web");
  });

  it("gives the default network the plain flags when no --network is named", () => {
    const body = parseRun(["--ip", "172.30.0.9", "busybox"]).body;
    assert.equal(body.HostConfig?.NetworkMode, "default");
    assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { default: { IPAMConfig: { IPv4Address: "172.30.0.9" } } } });
  });

  it("refuses what the docker CLI refuses", () => {
    assert.equal(failure(() => parseRun(["--network", "none", "--network", "front", "busybox"])), "conflicting options: cannot attach both user-defined and non-user-defined network-modes");
    assert.equal(failure(() => parseRun(["--network-alias", "web", "busybox"])), "network-scoped aliases are only supported for user-defined networks");
    assert.equal(failure(() => parseRun(["--network", "bridge", "--network-alias", "web", "busybox"])), "network-scoped aliases are only supported for user-defined networks");
    assert.equal(failure(() => parseRun(["--network", "a", "--network", "a", "busybox"])), 'network "a" is specified multiple times');
    assert.equal(failure(() => parseRun(["--mac-address", "nope", "busybox"])), "nope is not a valid mac address");
    assert.equal(
      failure(() => parseRun(["--network", "name=a,alias=x", "--network-alias", "y", "busybox"])),
      "conflicting options: cannot specify both --network-alias and per-network alias",
    );
    assert.match(failure(() => parseRun(["--network", "name=a,color=red", "busybox"])), /invalid field key color/);
    assert.match(failure(() => parseRun(["--network", "alias=x,ip=1", "busybox"])), /network name\/id is not specified/);
  });

  it("maps --dns, --dns-search, --dns-option and --add-host", () => {
    const host = parseRun([
      "--dns", "1.1.1.1", "--dns", " 2001:db8::1 ", "--dns-search", "example.com.", "--dns-search", ".", "--dns-option", "ndots:2",
      "--add-host", "db:10.0.0.5", "--add-host", "gw=host-gateway", "--add-host", "v6:[::1]", "busybox",
    ]).body.HostConfig;
    assert.deepEqual(host?.Dns, ["1.1.1.1", "2001:db8::1"]);
    assert.deepEqual(host?.DnsSearch, ["example.com", "."]);
    assert.deepEqual(host?.DnsOptions, ["ndots:2"]);
    assert.deepEqual(host?.ExtraHosts, ["db:10.0.0.5", "gw:host-gateway", "v6:::1"]);
  });

  it("rejects bad --dns and --add-host values as flag errors, worded as docker's validators", () => {
    assert.match(failure(() => parseRun(["--dns", "dns.google", "busybox"])), /argument 'dns.google' is invalid\. IP address is not correctly formatted: dns.google/);
    assert.match(failure(() => parseRun(["--add-host", "nohost", "busybox"])), /bad format for add-host: "nohost"/);
    assert.equal(failure(() => validateExtraHost("a:b:c")), 'invalid IP address in add-host: "b:c"');
    assert.equal(failure(() => validateExtraHost(":1.2.3.4")), 'bad format for add-host: ":1.2.3.4"');
    assert.equal(failure(() => validateDnsSearch("-bad-")), "-bad- is not a valid domain");
    assert.equal(failure(() => validateDnsSearch("123")), "123 is not a valid domain");
  });

  it("reads quoted advanced --network fields as CSV", () => {
    const att = parseNetworkAttachment('name=front,"driver-opt=com.example.a=1",alias=web');
    assert.equal(att.target, "front");
    assert.deepEqual(att.driverOpts, { "com.example.a": "1" });
    assert.deepEqual(att.aliases, ["web"]);
    assert.equal(parseNetworkAttachment("my-net").target, "my-net");
  });
});
