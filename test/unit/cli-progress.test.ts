// The JSON-message display: the exact bytes the docker CLI writes for a pull
// on a terminal (one line per layer, redrawn in place) and without one (each
// status once, no progress bars), the progress bar itself, and in-band errors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { JSONMessage } from "../../src/api/types/index.js";
import { humanSize, renderProgress, showJSONMessages, type MessageSink } from "../../src/cli/json-messages.js";
import { fromDaemon } from "../../src/client/client.js";

async function* feed(messages: JSONMessage[]): AsyncGenerator<JSONMessage> {
  yield* messages;
}

function sink(opts: { isTTY: boolean; columns?: number }): MessageSink & { text: string } {
  const s = {
    ...opts,
    text: "",
    write(t: string) {
      s.text += t;
      return true;
    },
  };
  return s;
}

// What dockerd 20.10 sent for a pull of a three-layer image, trimmed (captured from this machine).
const PULL: JSONMessage[] = [
  { status: "Pulling from ra-big", id: "latest" },
  { status: "Already exists", progressDetail: {}, id: "50f0e0123bbd" },
  { status: "Pulling fs layer", progressDetail: {}, id: "830f6eb27cf3" },
  { status: "Pulling fs layer", progressDetail: {}, id: "c04ef0f2196b" },
  { status: "Downloading", progressDetail: { current: 36445, total: 3146838 }, progress: "[>   ]  36.45kB/3.147MB", id: "830f6eb27cf3" },
  { status: "Downloading", progressDetail: { current: 110, total: 110 }, progress: "[==>]     110B/110B", id: "c04ef0f2196b" },
  { status: "Download complete", progressDetail: {}, id: "c04ef0f2196b" },
  { status: "Download complete", progressDetail: {}, id: "830f6eb27cf3" },
  { status: "Pull complete", progressDetail: {}, id: "830f6eb27cf3" },
  { status: "Pull complete", progressDetail: {}, id: "c04ef0f2196b" },
  { status: "Digest: sha256:ad5a9b7a71509fb995708877cc72a6f1aca084fab7135564af11f32bdd457a07" },
  { status: "Status: Downloaded newer image for 127.0.0.1:5917/ra-big:latest" },
];

const BAR_36K = `[>${" ".repeat(50)}]  36.45kB/3.147MB`;
const BAR_FULL = `[${"=".repeat(50)}>]     110B/110B`;

describe("JSON-message display", () => {
  it("draws docker's multi-line view on a terminal", async () => {
    const out = sink({ isTTY: true, columns: 130 });
    await showJSONMessages(feed(PULL), out);
    const E = "\x1b[2K\r";
    // Byte for byte what `docker pull` (CLI 28) wrote on a 130-column pty for the same stream.
    assert.equal(
      out.text,
      "latest: Pulling from ra-big\n" +
        `\n\x1b[1A${E}50f0e0123bbd: Already exists \r\x1b[1B` +
        `\n\x1b[1A${E}830f6eb27cf3: Pulling fs layer \r\x1b[1B` +
        `\n\x1b[1A${E}c04ef0f2196b: Pulling fs layer \r\x1b[1B` +
        `\x1b[2A${E}830f6eb27cf3: Downloading ${BAR_36K}\r\x1b[2B` +
        `\x1b[1A${E}c04ef0f2196b: Downloading ${BAR_FULL}\r\x1b[1B` +
        `\x1b[1A${E}c04ef0f2196b: Download complete \r\x1b[1B` +
        `\x1b[2A${E}830f6eb27cf3: Download complete \r\x1b[2B` +
        `\x1b[2A${E}830f6eb27cf3: Pull complete \r\x1b[2B` +
        `\x1b[1A${E}c04ef0f2196b: Pull complete \r\x1b[1B` +
        "Digest: sha256:ad5a9b7a71509fb995708877cc72a6f1aca084fab7135564af11f32bdd457a07\n" +
        "Status: Downloaded newer image for 127.0.0.1:5917/ra-big:latest\n",
    );
  });

  it("prints each status once, without progress, elsewhere", async () => {
    const out = sink({ isTTY: false });
    await showJSONMessages(feed(PULL), out);
    assert.equal(
      out.text,
      [
        "latest: Pulling from ra-big",
        "50f0e0123bbd: Already exists",
        "830f6eb27cf3: Pulling fs layer",
        "c04ef0f2196b: Pulling fs layer",
        "c04ef0f2196b: Download complete",
        "830f6eb27cf3: Download complete",
        "830f6eb27cf3: Pull complete",
        "c04ef0f2196b: Pull complete",
        "Digest: sha256:ad5a9b7a71509fb995708877cc72a6f1aca084fab7135564af11f32bdd457a07",
        "Status: Downloaded newer image for 127.0.0.1:5917/ra-big:latest",
        "",
      ].join("\n"),
    );
  });

  it("starts a new block after a line without progress (pull -a, one block per tag)", async () => {
    const out = sink({ isTTY: true, columns: 80 });
    await showJSONMessages(
      feed([
        { status: "Pulling from x", id: "1" },
        { status: "Pulling fs layer", progressDetail: {}, id: "aa" },
        { status: "Digest: sha256:1" },
        { status: "Pulling from x", id: "2" },
        { status: "Already exists", progressDetail: {}, id: "aa" },
      ]),
      out,
    );
    const E = "\x1b[2K\r";
    assert.equal(
      out.text,
      `1: Pulling from x\n\n\x1b[1A${E}aa: Pulling fs layer \r\x1b[1BDigest: sha256:1\n2: Pulling from x\n\n\x1b[1A${E}aa: Already exists \r\x1b[1B`,
    );
  });

  it("shows build output and load lines as they come, and hands aux to its callback", async () => {
    const aux: unknown[] = [];
    const out = sink({ isTTY: false });
    await showJSONMessages(
      feed([
        { stream: "Step 1/2 : FROM busybox\n" },
        { status: "Loading layer", progressDetail: { current: 1, total: 2 }, progress: "[=>  ]", id: "ab" },
        { stream: "Loaded image: busybox:latest\n" },
        { progressDetail: {}, aux: { Tag: "latest", Digest: "sha256:e", Size: 527 } },
        { status: "latest: digest: sha256:e size: 527" },
      ]),
      out,
      { onAux: (a) => aux.push(a) },
    );
    assert.equal(out.text, "Step 1/2 : FROM busybox\nLoaded image: busybox:latest\nlatest: digest: sha256:e size: 527\n");
    assert.deepEqual(aux, [{ Tag: "latest", Digest: "sha256:e", Size: 527 }]);
  });

  it("ends with an in-band error, marked as the daemon's unless asked for plain", async () => {
    const stream: JSONMessage[] = [
      { status: "Preparing", progressDetail: {}, id: "cc" },
      { errorDetail: { message: "no basic auth credentials" }, error: "no basic auth credentials" },
      { status: "never shown" },
    ];
    const plain = sink({ isTTY: false });
    await assert.rejects(showJSONMessages(feed(stream), plain, { errors: "plain" }), (err: Error) => err.message === "no basic auth credentials" && !fromDaemon(err));
    assert.equal(plain.text, "cc: Preparing\n");
    const daemon = sink({ isTTY: false });
    await assert.rejects(showJSONMessages(feed(stream), daemon), (err: Error) => fromDaemon(err) && err.message === "no basic auth credentials");
  });
});

describe("progress bar", () => {
  it("sizes numbers as go-units does", () => {
    assert.equal(humanSize(0), "0B");
    assert.equal(humanSize(110), "110B");
    assert.equal(humanSize(36445), "36.45kB");
    assert.equal(humanSize(3146838), "3.147MB");
    assert.equal(humanSize(1000), "1kB");
    assert.equal(humanSize(999_960), "1000kB");
    assert.equal(humanSize(2.5e9), "2.5GB");
  });

  it("draws the bar only on terminals wider than 110 columns", () => {
    assert.equal(renderProgress({ current: 36445, total: 3146838 }, 130), BAR_36K);
    assert.equal(renderProgress({ current: 36445, total: 3146838 }, 100), " 36.45kB/3.147MB");
    assert.equal(renderProgress({ current: 1, total: 4 }, 200), `[============>${" ".repeat(38)}]       1B/4B`);
    assert.equal(renderProgress({}, 200), "");
  });

  it("handles unknown totals, units, miscounts and hidden counts", () => {
    assert.equal(renderProgress({ current: 2048 }, 200), " 2.048kB");
    assert.equal(renderProgress({ current: 3, units: "files" }, 200), "3 files");
    assert.equal(renderProgress({ current: 3, total: 10, units: "files" }, 100), "3/10 files");
    assert.equal(renderProgress({ current: 12, total: 10 }, 100), "     12B");
    assert.equal(renderProgress({ current: 5, total: 10, hidecounts: true }, 100), "");
  });

  it("estimates the time left from the start time", () => {
    const now = 1_000_000_000_000;
    // A quarter done in 10 s: 30 s to go.
    assert.equal(renderProgress({ current: 25, total: 100, start: now / 1000 - 10 }, 100, now), "     25B/100B 30s");
    assert.equal(renderProgress({ current: 1, total: 100, start: now / 1000 - 2 }, 100, now), "      1B/100B 3m18s");
    assert.equal(renderProgress({ current: 25, total: 100, start: now / 1000 - 10 }, 40, now), "     25B/100B");
  });
});
