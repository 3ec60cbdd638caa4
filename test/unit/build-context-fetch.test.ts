// fetchRemote (ADD <URL>) against a local HTTP server.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchRemote } from "../../src/build/context/fetch-remote.js";
import { InvalidArgumentError } from "../../src/errors.js";

const body = Buffer.from("remote content\n");
const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;

describe("fetchRemote", () => {
  let server: Server;
  let url: string;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "berth-fetch-"));
    server = createServer((req, res) => {
      if (req.url === "/files/app.tar.gz") {
        res.writeHead(200, { "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT" });
        res.end(body);
      } else if (req.url === "/dl/") {
        res.writeHead(200, { "Content-Disposition": 'attachment; filename="named.txt"' });
        res.end(body);
      } else {
        res.writeHead(404);
        res.end("nothing here");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("downloads to a one-file tree named after the URL, mode 0600, mtime from Last-Modified", async () => {
    const tree = await fetchRemote(`${url}/files/app.tar.gz`, { dir, checksum: digest });
    assert.equal(tree.fileName, "app.tar.gz");
    const sel = await tree.select([tree.fileName]);
    const e = sel.items[0]!.entry;
    assert.deepEqual([e.type, e.mode, e.size, e.mtimeMs], ["file", 0o600, body.length, Date.parse("2015-10-21T07:28:00Z")]);
    const chunks: Buffer[] = [];
    for await (const c of await tree.open(e)) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), body);
    assert.match(await tree.checksum(sel), /^sha256:/);
  });

  it("takes the name from Content-Disposition when the path ends in /", async () => {
    const tree = await fetchRemote(`${url}/dl/`, { dir });
    assert.equal(tree.fileName, "named.txt");
    assert.equal((await tree.select(["named.txt"])).items[0]!.entry.mtimeMs, 0);
  });

  it("rejects a digest mismatch and a non-2xx status", async () => {
    const wrong = `sha256:${"0".repeat(64)}`;
    await assert.rejects(fetchRemote(`${url}/files/app.tar.gz`, { dir, checksum: wrong }), (err: Error) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.equal(err.message, `digest mismatch ${digest}: ${wrong}`);
      return true;
    });
    await assert.rejects(fetchRemote(`${url}/missing`, { dir }), /failed to GET .*\/missing with status 404 Not Found: nothing here/);
  });
});
