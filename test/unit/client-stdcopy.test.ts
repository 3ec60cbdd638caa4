// Docker's stdcopy framing, fed in awkward chunkings.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { demuxStdcopy, frameStdcopy } from "../../src/client/stdcopy.js";
import { parseJSONLines } from "../../src/client/json-stream.js";

async function collect(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for await (const { stream, data } of demuxStdcopy(chunks)) out.push(`${stream}:${data.toString()}`);
  return out;
}

describe("stdcopy demux", () => {
  const all = Buffer.concat([frameStdcopy("stdout", "hello\n"), frameStdcopy("stderr", "warn\n"), frameStdcopy("stdout", "x")]);

  it("splits frames arriving together", async () => {
    assert.deepEqual(await collect([all]), ["stdout:hello\n", "stderr:warn\n", "stdout:x"]);
  });

  it("joins frames split at every byte", async () => {
    const bytes = [...all].map((b) => Buffer.from([b]));
    assert.deepEqual((await collect(bytes)).join(""), "stdout:hello\nstderr:warn\nstdout:x");
  });

  it("joins a header split from its payload", async () => {
    assert.deepEqual(await collect([all.subarray(0, 3), all.subarray(3, 10), all.subarray(10)]), ["stdout:hello\n", "stderr:warn\n", "stdout:x"]);
  });

  it("raises the daemon's in-stream error", async () => {
    await assert.rejects(collect([frameStdcopy("stdout", "a"), frameStdcopy("system", "disk full")]), /error from daemon in stream: disk full/);
  });

  it("rejects a truncated frame", async () => {
    await assert.rejects(collect([all.subarray(0, all.length - 1)]), /unexpected EOF/);
  });
});

describe("JSON lines", () => {
  it("parses objects split across chunks", async () => {
    const out: unknown[] = [];
    for await (const m of parseJSONLines(['{"a":', '1}\r\n{"b"', ":2}\n"])) out.push(m);
    assert.deepEqual(out, [{ a: 1 }, { b: 2 }]);
  });
});
