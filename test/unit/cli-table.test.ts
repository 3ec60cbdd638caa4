// Tables, human units and durations as Docker prints them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tabulate } from "../../src/cli/format/tabwriter.js";
import { bytesSize, humanDuration, humanSize, parseBytes, parseNanoCpus, since } from "../../src/cli/format/units.js";
import { containerContext, displayPorts, ellipsis } from "../../src/cli/format/container-context.js";
import { imageRows } from "../../src/cli/format/image-context.js";
import { renderList } from "../../src/cli/format/render.js";
import { CONTAINER_FORMAT } from "../../src/cli/format/container-context.js";
import { IMAGE_FORMAT } from "../../src/cli/format/image-context.js";
import { parseDuration, parseTimestamp } from "../../src/cli/timestamps.js";

describe("tabwriter", () => {
  it("pads columns to the widest cell plus 3, at least 10", () => {
    assert.equal(tabulate("A\tBB\tC\nlonger-cell-here\tx\ty\n"), "A                  BB        C\nlonger-cell-here   x         y\n");
  });
  it("counts runes, so an ellipsis is one column", () => {
    assert.equal(tabulate("ab…\tz\n"), "ab…       z\n");
  });
});

describe("human durations", () => {
  const rows: [number, string][] = [
    [0.5, "Less than a second"],
    [1, "1 second"],
    [59, "59 seconds"],
    [60, "About a minute"],
    [119, "About a minute"],
    [120, "2 minutes"],
    [59 * 60, "59 minutes"],
    [60 * 60, "About an hour"],
    [89 * 60, "About an hour"],
    [90 * 60, "2 hours"],
    [47 * 3600, "47 hours"],
    [48 * 3600, "2 days"],
    [13 * 86400, "13 days"],
    [14 * 86400, "2 weeks"],
    [60 * 86400, "2 months"],
    [800 * 86400, "2 years"],
  ];
  for (const [seconds, text] of rows) it(`${seconds}s → ${text}`, () => assert.equal(humanDuration(seconds), text));
  it("says how long ago", () => assert.equal(since(1000, 1005), "5 seconds ago"));
});

describe("human sizes", () => {
  const rows: [number, number, string][] = [
    [0, 4, "0B"],
    [999, 4, "999B"],
    [1000, 4, "1kB"],
    [4261574, 3, "4.26MB"],
    [4261574, 4, "4.262MB"],
    [123456, 3, "123kB"],
    [1_500_000_000, 3, "1.5GB"],
  ];
  for (const [bytes, precision, text] of rows) it(`${bytes} → ${text}`, () => assert.equal(humanSize(bytes, precision), text));
  it("prints memory in binary units", () => assert.equal(bytesSize(4026531840), "3.75GiB"));
  it("parses sizes with binary multiples", () => {
    assert.equal(parseBytes("64m"), 64 * 1024 * 1024);
    assert.equal(parseBytes("1 GB"), 1024 ** 3);
    assert.equal(parseBytes("10b"), 10);
    assert.throws(() => parseBytes("12q"), /invalid suffix: 'q'/);
    assert.throws(() => parseBytes("m"), /invalid size: 'm'/);
  });
  it("parses --cpus exactly", () => {
    assert.equal(parseNanoCpus("2"), 2e9);
    assert.equal(parseNanoCpus(".5"), 5e8);
    assert.equal(parseNanoCpus("0.000000001"), 1);
  });
});

describe("since/until", () => {
  const now = Date.UTC(2024, 0, 2, 12, 0, 0);
  it("reads relative durations back from now", () => {
    assert.equal(parseTimestamp("10m", now), String(now / 1000 - 600));
    assert.equal(parseTimestamp("1h30m", now), String(now / 1000 - 5400));
    assert.equal(parseDuration("1.5s"), 1.5e9);
  });
  it("passes Unix timestamps through and converts RFC 3339", () => {
    assert.equal(parseTimestamp("1700000000", now), "1700000000");
    assert.equal(parseTimestamp("1700000000.5", now), "1700000000.5");
    assert.equal(parseTimestamp("2024-01-02T10:00:00Z", now), `${Date.UTC(2024, 0, 2, 10) / 1000}.000000000`);
    assert.equal(parseTimestamp("2024-01-02T10:00:00.25+02:00", now), `${Date.UTC(2024, 0, 2, 8) / 1000}.250000000`);
    assert.throws(() => parseTimestamp("yesterday", now), /failed to parse value as time or duration/);
  });
});

describe("ps and images rows", () => {
  const now = 1_700_000_100;
  const container = {
    Id: "8dfafdbc3a40c4a3d0ed1a0cd01c1f9a2e4c0c7a3f0f7b23f44e5b5b1fb3d4a1",
    Names: ["/web"],
    Image: "busybox",
    ImageID: "sha256:abc",
    Command: "sh -c 'while true; do sleep 1; done'",
    Created: 1_700_000_000,
    Ports: [
      { PrivatePort: 80, Type: "tcp" as const },
      { IP: "0.0.0.0", PrivatePort: 443, PublicPort: 8443, Type: "tcp" as const },
    ],
    Labels: { b: "2", a: "1" },
    State: "running",
    Status: "Up 3 seconds",
  };

  it("prints Docker's default ps table", () => {
    const row = containerContext(container, { trunc: true, now });
    assert.equal(
      renderList(undefined, [row], CONTAINER_FORMAT),
      "CONTAINER ID   IMAGE     COMMAND                  CREATED              STATUS         PORTS                           NAMES\n" +
        "8dfafdbc3a40   busybox   \"sh -c 'while true; …\"   About a minute ago   Up 3 seconds   80/tcp, 0.0.0.0:8443->443/tcp   web\n",
    );
    assert.equal(row.Labels, "a=1,b=2");
    assert.equal(containerContext(container, { trunc: false, now }).ID, container.Id);
  });

  it("groups port ranges", () => {
    const ports = [81, 80, 82, 90].map((p) => ({ PrivatePort: p, Type: "tcp" as const }));
    assert.equal(displayPorts(ports), "80-82/tcp, 90/tcp");
    assert.equal(displayPorts([{ IP: "::", PrivatePort: 80, PublicPort: 8080, Type: "tcp" }]), "[::]:8080->80/tcp");
  });

  it("cuts with an ellipsis", () => assert.equal(ellipsis("abcdef", 4), "abc…"));

  it("lists one image row per tag, <none> when untagged", () => {
    const base = { ParentId: "", Created: 1_700_000_000, Size: 4261574, SharedSize: -1, Labels: {}, Containers: -1 };
    const rows = [
      ...imageRows({ ...base, Id: "sha256:ba5dc23f65d4cc4a", RepoTags: ["busybox:latest", "localhost:5000/bb:1"], RepoDigests: [] }, { trunc: true, digests: false, now }),
      ...imageRows({ ...base, Id: "sha256:cc5dc23f65d4cc4a", RepoTags: [], RepoDigests: [] }, { trunc: true, digests: false, now }),
    ];
    assert.equal(
      renderList(undefined, rows, IMAGE_FORMAT),
      "REPOSITORY          TAG       IMAGE ID       CREATED              SIZE\n" +
        "busybox             latest    ba5dc23f65d4   About a minute ago   4.26MB\n" +
        "localhost:5000/bb   1         ba5dc23f65d4   About a minute ago   4.26MB\n" +
        "<none>              <none>    cc5dc23f65d4   About a minute ago   4.26MB\n",
    );
  });
});
