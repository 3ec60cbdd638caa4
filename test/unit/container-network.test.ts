// The container side of networks, without a daemon: which networks a create
// request joins and what dockerd refuses, the ports to publish, host-gateway,
// resolv.conf on a user network, and how inspect and ps show it all.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ContainerConfig, HostConfig, NetworkingConfig } from "../../src/api/types/index.js";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.js";
import type { NetworkRecord, Sandbox } from "../../src/network/network-service.js";
import {
  checkNetworkMode,
  dnsNames,
  planNetworks,
  portsToPublish,
  resolveHostGateway,
  type NetworkLookup,
} from "../../src/container/network-mode.js";
import { endpointsView, networkSettings, onNetwork, portList, portMap, type NetworkView } from "../../src/container/network-settings.js";
import { renderResolvConf } from "../../src/container/etc-files.js";
import { initialState } from "../../src/container/records.js";

const networks: Pick<NetworkRecord, "id" | "name" | "driver">[] = [
  { id: "b".repeat(64), name: "bridge", driver: "bridge" },
  { id: "a".repeat(64), name: "host", driver: "host" },
  { id: "0".repeat(64), name: "none", driver: "null" },
  { id: "1234" + "c".repeat(60), name: "front", driver: "bridge" },
  { id: "5678" + "d".repeat(60), name: "back", driver: "bridge" },
];
const lookup: NetworkLookup = (idOrName) => {
  const net = networks.find((n) => n.id === idOrName || n.name === idOrName) ?? networks.find((n) => n.id.startsWith(idOrName));
  if (!net) throw new NotFoundError(`network ${idOrName} not found`);
  return net;
};
const plan = (hostConfig: HostConfig, networking?: NetworkingConfig, macAddress?: string) =>
  planNetworks({ hostConfig, ...(networking ? { networking } : {}), ...(macAddress ? { macAddress } : {}) }, lookup);

test("the networks a create joins: NetworkMode's first, then every EndpointsConfig key", () => {
  assert.deepEqual(plan({ NetworkMode: "default" }), [{ id: "b".repeat(64), name: "bridge", aliases: [] }]);
  // The docker CLI (API ≥ 1.44) sends the default network as an EndpointsConfig key "default".
  assert.deepEqual(plan({ NetworkMode: "default" }, { EndpointsConfig: { default: { MacAddress: "02:42:ac:11:00:09" } } }), [
    { id: "b".repeat(64), name: "bridge", aliases: [], macAddress: "02:42:ac:11:00:09" },
  ]);
  assert.deepEqual(
    plan(
      { NetworkMode: "front" },
      {
        EndpointsConfig: {
          back: { Aliases: ["db"] },
          front: { Aliases: ["web"], IPAMConfig: { IPv4Address: "10.9.0.7" }, MacAddress: "02:42:0a:09:00:07" },
        },
      },
    ),
    [
      { id: networks[3]!.id, name: "front", aliases: ["web"], ipv4Address: "10.9.0.7", macAddress: "02:42:0a:09:00:07" },
      { id: networks[4]!.id, name: "back", aliases: ["db"] },
    ],
  );
  // A network named twice (by name and by ID prefix) is joined once; the pre-1.44 MacAddress is the primary's.
  assert.deepEqual(plan({ NetworkMode: "front" }, { EndpointsConfig: { "1234": {} } }, "02:42:00:00:00:01"), [
    { id: networks[3]!.id, name: "front", aliases: [], macAddress: "02:42:00:00:00:01" },
  ]);
  // The docker CLI sends the mode's own network in EndpointsConfig too.
  for (const mode of ["host", "none", "container:abc"]) {
    assert.deepEqual(plan({ NetworkMode: mode }, { EndpointsConfig: { [mode]: {} } }), []);
  }
});

test("network combinations and endpoint settings dockerd refuses, in its words", () => {
  const refused: [HostConfig, NetworkingConfig | undefined, string][] = [
    [{ NetworkMode: "none" }, { EndpointsConfig: { front: {} } }, "conflicting options: cannot attach both user-defined and non-user-defined network-modes"],
    [{ NetworkMode: "front" }, { EndpointsConfig: { host: {} } }, "conflicting options: cannot attach both user-defined and non-user-defined network-modes"],
    [{ NetworkMode: "bridge" }, { EndpointsConfig: { bridge: { IPAMConfig: { IPv4Address: "172.17.0.9" } } } }, "user specified IP address is supported on user defined networks only"],
    [{ NetworkMode: "bridge" }, { EndpointsConfig: { bridge: { Aliases: ["x"] } } }, "network-scoped alias is supported only for containers in user defined networks"],
    [{ NetworkMode: "front" }, { EndpointsConfig: { front: { IPAMConfig: { IPv4Address: "10.1" } } } }, "invalid IPv4 address: 10.1"],
  ];
  for (const [hc, nc, message] of refused) {
    assert.throws(() => plan(hc, nc), (e: unknown) => e instanceof InvalidArgumentError && e.message === message, message);
  }
  assert.throws(() => plan({ NetworkMode: "nonet" }), (e: unknown) => e instanceof NotFoundError && e.message === "network nonet not found");
  assert.throws(() => plan({ NetworkMode: "front" }, { EndpointsConfig: { gone: {} } }), /network gone not found/);
});

test("container:<id> and host modes refuse what they cannot honour", () => {
  const refused: [ContainerConfig, HostConfig, string][] = [
    [{}, { NetworkMode: "container:" }, "Invalid network mode: invalid container format container:<name|id>"],
    [{ Hostname: "h" }, { NetworkMode: "container:x" }, "conflicting options: hostname and the network mode"],
    [{}, { NetworkMode: "container:x", Dns: ["1.1.1.1"] }, "conflicting options: dns and the network mode"],
    [{}, { NetworkMode: "container:x", ExtraHosts: ["a:1.2.3.4"] }, "conflicting options: custom host-to-IP mapping and the network mode"],
    [{}, { NetworkMode: "container:x", PortBindings: { "80/tcp": [{}] } }, "conflicting options: port publishing and the container type network mode"],
    [{}, { NetworkMode: "container:x", PublishAllPorts: true }, "conflicting options: port publishing and the container type network mode"],
    [{ ExposedPorts: { "80/tcp": {} } }, { NetworkMode: "container:x" }, "conflicting options: port exposing and the container type network mode"],
    [{ MacAddress: "02:42:00:00:00:01" }, { NetworkMode: "host" }, "conflicting options: mac-address and the network mode"],
  ];
  for (const [config, hc, message] of refused) {
    assert.throws(() => checkNetworkMode(config, hc), (e: unknown) => e instanceof InvalidArgumentError && e.message === message, message);
  }
  checkNetworkMode({ Hostname: "h", ExposedPorts: { "80/tcp": {} } }, { NetworkMode: "front", Dns: ["1.1.1.1"] });
});

test("-P publishes every exposed port not bound already on a random host port", () => {
  const config: ContainerConfig = { ExposedPorts: { "80/tcp": {}, "53/udp": {}, "443/tcp": {} } };
  assert.deepEqual(portsToPublish(config, { PortBindings: { "443/tcp": [{ HostIp: "", HostPort: "8443" }] } }), {
    "443/tcp": [{ HostIp: "", HostPort: "8443" }],
  });
  assert.deepEqual(portsToPublish(config, { PublishAllPorts: true, PortBindings: { "443/tcp": [{ HostIp: "", HostPort: "8443" }] } }), {
    "443/tcp": [{ HostIp: "", HostPort: "8443" }],
    "80/tcp": [{ HostIp: "", HostPort: "" }],
    "53/udp": [{ HostIp: "", HostPort: "" }],
  });
});

test("host-gateway becomes the default bridge's gateway", () => {
  assert.deepEqual(resolveHostGateway(["host.docker.internal:host-gateway", "db:10.0.0.5", "v6:fe80::1"], "172.18.0.1"), [
    "host.docker.internal:172.18.0.1",
    "db:10.0.0.5",
    "v6:fe80::1",
  ]);
  assert.deepEqual(resolveHostGateway(["db:10.0.0.5"], undefined), ["db:10.0.0.5"]);
});

test("resolv.conf on a user network: only its DNS server (which forwards to --dns), the host's search and options, ndots:0", () => {
  const host = "# host\nsearch corp.example\nnameserver 10.1.2.3\noptions edns0\n";
  assert.equal(
    renderResolvConf(host, { network: "bridge", embeddedDns: "10.9.0.1" }),
    "search corp.example\nnameserver 10.9.0.1\noptions edns0 ndots:0\n",
  );
  assert.equal(renderResolvConf("nameserver 10.1.2.3\n", { network: "bridge", embeddedDns: "10.9.0.1" }), "nameserver 10.9.0.1\noptions ndots:0\n");
  assert.equal(
    renderResolvConf(host, { network: "bridge", embeddedDns: "10.9.0.1", dns: ["9.9.9.9"], dnsSearch: ["foo.com"], dnsOptions: ["ndots:2"] }),
    "search foo.com\nnameserver 10.9.0.1\noptions ndots:2\n",
  );
  // --dns alone: the servers are the DNS server's upstreams, not nameservers; Docker's ndots:0 is added to --dns-option's.
  assert.equal(
    renderResolvConf(host, { network: "bridge", embeddedDns: "10.9.0.1", dns: ["9.9.9.9", "127.0.0.1"], dnsOptions: ["timeout:2"] }),
    "search corp.example\nnameserver 10.9.0.1\noptions timeout:2 ndots:0\n",
  );
});

test("DNS names: name, aliases, short ID, hostname, once each", () => {
  const id = "f".repeat(64);
  assert.deepEqual(dnsNames({ id, name: "/web", hostname: "fffffffffff" + "f" }, ["www", "web"]), ["web", "www", "ffffffffffff"]);
  assert.deepEqual(dnsNames({ id, name: "/web", hostname: "box" }, []), ["web", "ffffffffffff", "box"]);
});

const id = "e".repeat(64);
const front = { id: networks[3]!.id, name: "front", aliases: ["web"] };
const bridge = { id: networks[0]!.id, name: "bridge", aliases: [] };
const sandbox: Sandbox = {
  netnsPath: `/run/berth/netns/${id}`,
  endpoints: [
    { networkId: bridge.id, networkName: "bridge", endpointId: "ep1", ifname: "eth0", ipAddress: "172.18.0.2", prefixLen: 16, gateway: "172.18.0.1", macAddress: "02:42:ac:12:00:02", aliases: [] },
    { networkId: front.id, networkName: "front", endpointId: "ep2", ifname: "eth1", ipAddress: "10.9.0.2", prefixLen: 24, gateway: "10.9.0.1", macAddress: "02:42:0a:09:00:02", aliases: ["web"], dnsServer: "10.9.0.1" },
  ],
  ports: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }] },
};
const running = { ...initialState(), status: "running" as const, startedAt: "2024-01-01T00:00:00Z" };
const view = (over: Partial<NetworkView> & { hostConfig?: HostConfig } = {}): NetworkView => ({
  rec: { id, name: "/web", config: { Hostname: id.slice(0, 12), ExposedPorts: { "80/tcp": {}, "90/tcp": {} } }, hostConfig: over.hostConfig ?? { NetworkMode: "default" }, state: running },
  networks: [bridge, front],
  sandbox,
  ...over,
});

test("inspect of a running container: live endpoints, the bridge's addresses on top, actual ports", () => {
  const s = networkSettings(view()) as Record<string, unknown>;
  assert.equal(s.SandboxKey, sandbox.netnsPath);
  assert.equal(s.IPAddress, "172.18.0.2");
  assert.equal(s.Gateway, "172.18.0.1");
  assert.equal(s.IPPrefixLen, 16);
  assert.equal(s.MacAddress, "02:42:ac:12:00:02");
  assert.deepEqual(s.Ports, { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }], "90/tcp": null });
  const nets = s.Networks as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(nets), ["bridge", "front"]);
  assert.deepEqual(nets.front, {
    IPAMConfig: null,
    Links: null,
    MacAddress: "02:42:0a:09:00:02",
    Aliases: ["web"],
    NetworkID: front.id,
    EndpointID: "ep2",
    Gateway: "10.9.0.1",
    IPAddress: "10.9.0.2",
    IPPrefixLen: 24,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    DriverOpts: null,
    DNSNames: ["web", id.slice(0, 12)],
  });
  assert.equal(nets.bridge!.DNSNames, null);
  assert.equal(nets.bridge!.Aliases, null);

  // Only on a user network: no top-level addresses.
  const user = networkSettings(view({ networks: [front], sandbox: { ...sandbox, endpoints: [sandbox.endpoints[1]!] } })) as Record<string, unknown>;
  assert.equal(user.IPAddress, "");
  assert.equal(user.EndpointID, "");
});

test("inspect of a stopped container, and of host, none and container:<id> modes", () => {
  const stopped = networkSettings(view({ sandbox: undefined, rec: { ...view().rec, state: { ...running, status: "exited" } } })) as Record<string, unknown>;
  assert.deepEqual(stopped.Ports, {});
  assert.equal(stopped.SandboxKey, "");
  const nets = stopped.Networks as Record<string, Record<string, unknown>>;
  assert.equal(nets.front!.IPAddress, "");
  assert.equal(nets.front!.NetworkID, front.id);
  assert.deepEqual(nets.front!.Aliases, ["web"]);
  const created = endpointsView(view({ sandbox: undefined, rec: { ...view().rec, state: initialState() } }));
  assert.equal(created.front!.NetworkID, "");

  assert.deepEqual(Object.keys(endpointsView(view({ hostConfig: { NetworkMode: "none" }, networks: [], sandbox: undefined }))), ["none"]);
  assert.deepEqual(Object.keys(endpointsView(view({ hostConfig: { NetworkMode: "host" }, networks: [], sandbox: undefined }))), ["host"]);
  assert.deepEqual(endpointsView(view({ hostConfig: { NetworkMode: `container:${"9".repeat(64)}` }, networks: [], sandbox: undefined })), {});
});

test("ps: ports as rows, the network filter by name or ID prefix", () => {
  assert.deepEqual(portList(portMap({ "80/tcp": {}, "90/tcp": {} }, sandbox.ports)), [
    { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 8080, Type: "tcp" },
    { PrivatePort: 90, Type: "tcp" },
  ]);
  assert.deepEqual(portList(portMap(undefined, { "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }] })), [
    { IP: "127.0.0.1", PrivatePort: 53, PublicPort: 5353, Type: "udp" },
  ]);
  const v = view();
  assert.ok(onNetwork(v, "front"));
  assert.ok(onNetwork(v, "1234"));
  assert.ok(onNetwork(v, "bridge"));
  assert.ok(!onNetwork(v, "back"));
  assert.ok(onNetwork(view({ hostConfig: { NetworkMode: "none" }, networks: [] }), "none"));
});
