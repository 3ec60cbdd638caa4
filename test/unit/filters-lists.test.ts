// List filters as dockerd reads them, one row per case: ps's publish/expose/
// volume, events, networks — matches and dockerd's errors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { portSet, portsMatch, volumeMatches } from "../../src/container/ps-filters.js";
import { eventFilter } from "../../src/api/router/system/event-filter.js";
import { listFilter } from "../../src/network/network-view.js";
import type { EventMessage, Port } from "../../src/api/types/index.js";
import type { NetworkRow } from "../../src/network/records.js";

const ports: Port[] = [
  { IP: "127.0.0.1", PrivatePort: 80, PublicPort: 18080, Type: "tcp" },
  { PrivatePort: 90, Type: "tcp" },
];

describe("ps publish/expose", () => {
  const rows: [key: "publish" | "expose", value: string, matches: boolean][] = [
    ["publish", "18080", true],
    ["publish", "18080/tcp", true],
    ["publish", "18000-18100", true],
    ["publish", "18080/udp", false],
    ["publish", "80", false],
    ["expose", "80", true],
    ["expose", "90/tcp", true],
    ["expose", "85-95", true],
    ["expose", "91", false],
  ];
  for (const [key, value, matches] of rows) {
    it(`${key}=${value}`, () => {
      const filter = { publish: new Set<string>(), expose: new Set<string>(), [key]: portSet(key, [value]) };
      assert.equal(portsMatch(ports, filter), matches);
    });
  }

  const errors: [string, string][] = [
    ["1:2", "filter for 'publish' should not contain ':': 1:2"],
    ["a", 'error while looking up for publish a: strconv.ParseUint: parsing "a": invalid syntax'],
    ["70000", 'error while looking up for publish 70000: strconv.ParseUint: parsing "70000": value out of range'],
    ["20-10", "error while looking up for publish 20-10: invalid range specified for port: 20-10"],
  ];
  for (const [value, message] of errors) {
    it(`publish=${value} is refused`, () => assert.throws(() => portSet("publish", [value]), { message }));
  }
});

describe("ps volume", () => {
  const mounts = [
    { Type: "volume" as const, Name: "fmtvol", Source: "/v/fmtvol/_data", Destination: "/data", Mode: "z", RW: true, Propagation: "" },
    { Type: "bind" as const, Source: "/host/dir", Destination: "/mnt", Mode: "", RW: true, Propagation: "rprivate" },
  ];
  const rows: [string, boolean][] = [
    ["fmtvol", true],
    ["/data", true],
    ["/host/dir", true],
    ["/mnt", true],
    ["fmt", false],
    ["/v/fmtvol/_data", false],
  ];
  for (const [value, matches] of rows) it(`volume=${value}`, () => assert.equal(volumeMatches(mounts, [value]), matches));
});

describe("events", () => {
  const start: EventMessage = {
    Type: "container",
    Action: "start",
    Actor: { ID: "abc123", Attributes: { name: "web", image: "busybox:latest", app: "shop", tier: "front" } },
    scope: "local",
  };
  const health: EventMessage = { ...start, Action: "health_status: healthy" };
  const connect: EventMessage = { Type: "network", Action: "connect", Actor: { ID: "net1", Attributes: { name: "front", container: "abc123" } } };
  const rows: [filters: Record<string, string[]>, event: EventMessage, matches: boolean][] = [
    [{ container: ["web"] }, start, true],
    [{ container: ["ab"] }, start, true],
    [{ container: ["eb"] }, start, false],
    // dockerd checks the actor, not the event's type.
    [{ container: ["front"] }, connect, true],
    [{ network: ["web"] }, start, true],
    [{ image: ["busybox"] }, start, true],
    [{ image: ["busybox:latest"] }, start, true],
    [{ image: ["busy"] }, start, false],
    [{ event: ["start"] }, start, true],
    [{ event: ["health_status"] }, health, true],
    [{ event: ["health_status: healthy"] }, health, true],
    [{ event: ["health"] }, health, false],
    [{ type: ["container"], event: ["stop", "start"] }, start, true],
    [{ type: ["network"] }, start, false],
    [{ label: ["app=shop", "tier"] }, start, true],
    [{ label: ["app=shop", "tier=back"] }, start, false],
    [{ scope: ["local"] }, connect, true],
    [{ scope: ["swarm"] }, start, false],
    // dockerd checks no key: an unknown one filters nothing out.
    [{ foo: ["bar"] }, start, true],
  ];
  for (const [filters, event, matches] of rows) {
    it(`${JSON.stringify(filters)} ${event.Action}`, () => assert.equal(eventFilter(new Map(Object.entries(filters)))(event), matches));
  }
});

describe("network ls", () => {
  const net = (name: string, id: string): NetworkRow => ({ name, id, labels: name === "fmtnet" ? { a: "b" } : {} }) as unknown as NetworkRow;
  const all = [net("bridge", "1111"), net("fmtnet", "59a5"), net("other", "77ab")];
  const inUse = (n: NetworkRow): boolean => n.name === "other";
  const rows: [Record<string, string[]>, string[]][] = [
    [{ name: ["fmt"] }, ["fmtnet"]],
    [{ name: ["^fmt"] }, ["fmtnet"]],
    [{ name: ["net$"] }, ["fmtnet"]],
    [{ id: ["59"] }, ["fmtnet"]],
    [{ id: ["7a"] }, ["other"]],
    [{ label: ["a=b"] }, ["fmtnet"]],
    [{ type: ["builtin"] }, ["bridge"]],
    [{ dangling: ["true"] }, ["fmtnet"]],
    [{ dangling: ["0"] }, ["bridge", "other"]],
  ];
  for (const [filters, names] of rows) {
    it(JSON.stringify(filters), () => {
      const keep = listFilter(new Map(Object.entries(filters)), inUse);
      assert.deepEqual(all.filter((n) => keep(n)).map((n) => n.name), names);
    });
  }

  const errors: [Record<string, string[]>, string][] = [
    [{ foo: ["1"] }, "invalid filter 'foo'"],
    [{ type: ["bad"] }, "invalid filter: 'type'='bad'"],
    [{ dangling: ["x"] }, `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`],
    [{ dangling: ["true", "false"] }, 'got more than one value for filter key "dangling"'],
  ];
  for (const [filters, message] of errors) {
    it(`${JSON.stringify(filters)} is refused`, () => assert.throws(() => listFilter(new Map(Object.entries(filters)), inUse), { message }));
  }
});
