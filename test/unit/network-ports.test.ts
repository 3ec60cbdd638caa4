// Published ports: PortBindings expanded, conflicts found with dockerd's words.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { choosePorts, portRequests, sameSocket, toPortMap } from "../../src/network/ports.js";

describe("ports", () => {
  let server: Server;
  let busyPort = 0;
  before(async () => {
    server = createServer();
    await new Promise<void>((r) => server.listen(0, "0.0.0.0", () => r()));
    busyPort = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  it("expands bindings: defaults, ranges, IPv6 skipped", () => {
    assert.deepEqual(
      portRequests({ "80/tcp": [{ HostIp: "", HostPort: "8080" }, { HostIp: "::", HostPort: "8080" }], "53/udp": [{ HostIp: "127.0.0.1", HostPort: "" }] }),
      [
        { hostIp: "0.0.0.0", containerPort: 80, protocol: "tcp", hostPorts: [8080, 8080] },
        { hostIp: "127.0.0.1", containerPort: 53, protocol: "udp" },
      ],
    );
    assert.deepEqual(
      portRequests({ "7000-7001/tcp": [{ HostIp: "", HostPort: "9000-9001" }] }).map((r) => r.hostPorts),
      [[9000, 9000], [9001, 9001]],
    );
    assert.deepEqual(portRequests({ "80/tcp": [{ HostPort: "8000-8010" }] })[0]!.hostPorts, [8000, 8010]);
    assert.throws(() => portRequests({ "80/tcp": [{ HostPort: "99999" }] }), /invalid hostPort/);
  });

  it("knows which mappings share a socket", () => {
    const a = { hostIp: "0.0.0.0", hostPort: 80, protocol: "tcp" as const };
    assert.ok(sameSocket(a, { ...a, hostIp: "127.0.0.1" }));
    assert.ok(!sameSocket(a, { ...a, protocol: "udp" }));
    assert.ok(!sameSocket({ ...a, hostIp: "127.0.0.2" }, { ...a, hostIp: "127.0.0.1" }));
  });

  it("refuses a port another container publishes, and one a host process holds", async () => {
    const endpoint = { endpointName: "web", endpointId: "e1" };
    const taken = [{ hostIp: "0.0.0.0", hostPort: 18181, containerPort: 80, protocol: "tcp" as const }];
    await assert.rejects(choosePorts([{ hostIp: "0.0.0.0", hostPorts: [18181, 18181], containerPort: 80, protocol: "tcp" }], { taken, ...endpoint }), {
      message: "driver failed programming external connectivity on endpoint web (e1): Bind for 0.0.0.0:18181 failed: port is already allocated",
    });
    await assert.rejects(choosePorts([{ hostIp: "0.0.0.0", hostPorts: [busyPort, busyPort], containerPort: 80, protocol: "tcp" }], { taken: [], ...endpoint }), {
      message: `driver failed programming external connectivity on endpoint web (e1): Error starting userland proxy: listen tcp4 0.0.0.0:${busyPort}: bind: address already in use`,
    });
  });

  it("picks free random ports and shows them in PortBindings' shape", async () => {
    const got = await choosePorts(
      [
        { hostIp: "0.0.0.0", containerPort: 80, protocol: "tcp" },
        { hostIp: "0.0.0.0", containerPort: 81, protocol: "tcp" },
      ],
      { taken: [], endpointName: "web", endpointId: "e1", range: [busyPort, busyPort + 2] },
    );
    // busyPort is held by this test's server: both avoid it, and never share one.
    const ports = got.map((m) => m.hostPort);
    assert.ok(!ports.includes(busyPort));
    assert.notEqual(ports[0], ports[1]);
  });

  it("formats mappings as PortBindings", () => {
    assert.deepEqual(toPortMap([{ hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80, protocol: "tcp" }]), { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }] });
  });
});
