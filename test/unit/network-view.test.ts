// Network list/prune filters and the rules sweep's matching, on data.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { listFilter, pruneFilter } from "../../src/network/network-view.js";
import { matchingRules } from "../../src/network/sweep-rules.js";
import type { NetworkRow } from "../../src/network/records.js";

const row = (name: string, extra: Partial<NetworkRow> = {}): NetworkRow => ({
  id: `${name}0123456789abcdef`,
  name,
  driver: "bridge",
  internal: false,
  labels: {},
  options: {},
  created: "2024-01-01T00:00:00.000Z",
  bridgeCreated: true,
  userIpam: false,
  ...extra,
});

describe("network filters", () => {
  const nets = [row("bridge"), row("host", { driver: "host" }), row("none", { driver: "null" }), row("front", { labels: { tier: "web" } }), row("back")];
  const used = new Set(["back"]);
  const names = (f: Map<string, string[]>) => nets.filter(listFilter(f, (n) => used.has(n.name))).map((n) => n.name);

  it("filters lists by type, driver, name, label and dangling", () => {
    assert.deepEqual(names(new Map([["type", ["custom"]]])), ["front", "back"]);
    assert.deepEqual(names(new Map([["type", ["builtin"]]])), ["bridge", "host", "none"]);
    assert.deepEqual(names(new Map([["driver", ["null", "host"]]])), ["host", "none"]);
    assert.deepEqual(names(new Map([["name", ["ron"]]])), ["front"]);
    assert.deepEqual(names(new Map([["label", ["tier=web"]]])), ["front"]);
    assert.deepEqual(names(new Map([["dangling", ["true"]]])), ["front"]);
    assert.throws(() => names(new Map([["bogus", ["x"]]])), /invalid filter 'bogus'/);
  });

  it("filters prunes by until and label", () => {
    const keep = pruneFilter(new Map([["until", ["2024-06-01T00:00:00Z"]], ["label!", ["tier"]]]), Date.now());
    assert.deepEqual(nets.filter(keep).map((n) => n.name), ["bridge", "host", "none", "back"]);
  });
});

describe("rule sweep matching", () => {
  const save = [
    "*nat",
    '-A POSTROUTING -s 10.1.0.2/32 -m comment --comment "name: \\"berth-abc\\" id: \\"c1\\"" -j CNI-0123',
    '-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"berth-abc\\" id: \\"c2\\"" -m multiport --dports 80 -j CNI-DN-99',
    "COMMIT",
    "*filter",
    "-A CNI-FORWARD -d 10.1.0.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "-A CNI-FORWARD -s 10.1.0.22/32 -j ACCEPT",
    "-A CNI-ISOLATION-STAGE-2 -o bt0 -j DROP",
    "COMMIT",
  ].join("\n");

  it("finds a container's rules by ID and address, and a bridge's by device", () => {
    const got = matchingRules(save, { containerIds: ["c1"], ips: ["10.1.0.2"] });
    assert.deepEqual(got.map((r) => [r.table, r.jump]), [["nat", "CNI-0123"], ["filter", "ACCEPT"]]);
    assert.deepEqual(matchingRules(save, { devices: ["bt0"] }).map((r) => r.rule), ["CNI-ISOLATION-STAGE-2 -o bt0 -j DROP"]);
  });
});
