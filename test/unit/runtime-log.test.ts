import assert from "node:assert/strict";
import { appendFile, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { parseTimestamp, readLog, type LogRecord } from "../../src/runtime/conmon-log.js";

let tmp: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "berth-log-"));
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const T = (sec: number) => `2024-05-01T12:00:${String(sec).padStart(2, "0")}.000000001+02:00`;

async function collect(records: AsyncIterable<LogRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of records) out.push(`${r.stream}:${r.line.toString()}`);
  return out;
}

async function logFile(name: string, lines: string[]): Promise<string> {
  const file = path.join(tmp, name);
  await writeFile(file, lines.map((l) => `${l}\n`).join(""));
  return file;
}

describe("readLog", () => {
  it("joins partial records per stream and ends full lines with a newline", async () => {
    const file = await logFile("partial.log", [
      `${T(1)} stdout P hel`,
      `${T(1)} stderr F oops`,
      `${T(2)} stdout F lo`,
      `${T(3)} stdout F `,
      `${T(4)} stderr P tail without newline`,
    ]);
    assert.deepEqual(await collect(readLog(file, { follow: false })), [
      "stderr:oops\n",
      "stdout:hello\n",
      "stdout:\n",
      "stderr:tail without newline",
    ]);
  });

  it("converts conmon's local time to UTC with nanoseconds", () => {
    const ts = parseTimestamp("2024-05-01T12:00:01.000000001+02:00");
    assert.equal(ts?.time, "2024-05-01T10:00:01.000000001Z");
    assert.equal(ts?.seconds, Date.UTC(2024, 4, 1, 10, 0, 1) / 1000 + 1e-9);
    assert.equal(parseTimestamp("garbage"), undefined);
  });

  it("takes the last lines without reading from the start", async () => {
    const lines = Array.from({ length: 20000 }, (_, i) => `${T(1)} stdout F line ${i}`);
    const file = await logFile("big.log", lines);
    assert.deepEqual(await collect(readLog(file, { follow: false, tail: 2 })), ["stdout:line 19998\n", "stdout:line 19999\n"]);
    assert.deepEqual(await collect(readLog(file, { follow: false, tail: 0 })), []);
    assert.equal((await collect(readLog(file, { follow: false, tail: 50000 }))).length, 20000);
  });

  it("counts a line split into pieces once for tail", async () => {
    const file = await logFile("tailpartial.log", [
      `${T(1)} stdout F one`,
      `${T(1)} stdout P t`,
      `${T(1)} stdout P w`,
      `${T(1)} stdout F o`,
      `${T(2)} stdout P thr`,
    ]);
    assert.deepEqual(await collect(readLog(file, { follow: false, tail: 2 })), ["stdout:two\n", "stdout:thr"]);
  });

  it("filters by since and until", async () => {
    const file = await logFile("times.log", [`${T(1)} stdout F a`, `${T(2)} stdout F b`, `${T(3)} stdout F c`]);
    const at = (sec: number) => parseTimestamp(T(sec))!.seconds;
    assert.deepEqual(await collect(readLog(file, { follow: false, since: at(2) })), ["stdout:b\n", "stdout:c\n"]);
    assert.deepEqual(await collect(readLog(file, { follow: false, until: at(2) })), ["stdout:a\n", "stdout:b\n"]);
  });

  it("follows new output until told to stop, then drains", async () => {
    const file = await logFile("follow.log", [`${T(1)} stdout F first`]);
    let stop = false;
    const seen: string[] = [];
    const reading = (async () => {
      for await (const r of readLog(file, { follow: true, stopWhen: async () => stop })) {
        seen.push(r.line.toString());
        if (seen.length === 1) {
          await appendFile(file, `${T(2)} stdout F second\n`);
        } else if (seen.length === 2) {
          await appendFile(file, `${T(3)} stderr F third\n`);
          stop = true;
        }
      }
    })();
    await reading;
    assert.deepEqual(seen, ["first\n", "second\n", "third\n"]);
  });

  it("follows into the file conmon renames over the log (--log-size-max), losing and repeating nothing", async () => {
    const file = await logFile("rotate.log", [`${T(1)} stdout F one`, `${T(1)} stdout P tw`]);
    let stop = false;
    const seen: string[] = [];
    // As conmon rotates: the old file is written to its end, then a new one takes the name.
    const rotate = async (lines: string[]) => {
      await writeFile(`${file}.tmp`, lines.map((l) => `${l}\n`).join(""));
      await rename(`${file}.tmp`, file);
    };
    for await (const r of readLog(file, { follow: true, stopWhen: async () => stop })) {
      seen.push(r.line.toString());
      if (seen.length === 1) {
        await appendFile(file, `${T(2)} stdout F o\n${T(2)} stdout F three\n`);
        await rotate([`${T(3)} stdout F four`]);
      } else if (seen.length === 4) {
        await rotate([`${T(4)} stderr F five`]);
        // The run ends with the rotation: what the new file holds still comes out.
        stop = true;
      }
    }
    assert.deepEqual(seen, ["one\n", "two\n", "three\n", "four\n", "five\n"]);
  });

  it("stops following when the signal aborts", async () => {
    const file = await logFile("abort.log", [`${T(1)} stdout F only`]);
    const ac = new AbortController();
    const seen: string[] = [];
    for await (const r of readLog(file, { follow: true, signal: ac.signal })) {
      seen.push(r.line.toString());
      ac.abort();
    }
    assert.deepEqual(seen, ["only\n"]);
  });

  it("yields nothing for a log that does not exist yet", async () => {
    assert.deepEqual(await collect(readLog(path.join(tmp, "missing.log"), { follow: false })), []);
  });
});
