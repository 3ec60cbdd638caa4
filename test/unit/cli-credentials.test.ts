// The CLI's credential files: keys normalised as docker does, berth's
// config.json written atomically with mode 0600 and other settings kept,
// Docker's config.json read as a fallback and never written, and credential
// helpers run through the docker-credential-helpers protocol (a real script
// on PATH stands in for one).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  configPaths,
  convertToHostname,
  credentialKey,
  eraseCredentials,
  INDEX_SERVER,
  loadCredentials,
  saveCredentials,
  type ConfigPaths,
} from "../../src/cli/credentials.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

describe("credential keys", () => {
  it("files Docker Hub under one key and other registries by host[:port]", () => {
    for (const s of ["", "docker.io", "index.docker.io", INDEX_SERVER, "https://index.docker.io/v1/"]) assert.equal(credentialKey(s), INDEX_SERVER, s);
    assert.equal(credentialKey("localhost:5000"), "localhost:5000");
    assert.equal(credentialKey("https://r.example.com:5000/v2/"), "r.example.com:5000");
    assert.equal(convertToHostname("http://127.0.0.1:5918"), "127.0.0.1:5918");
    assert.equal(convertToHostname("r.example.com/path"), "r.example.com");
  });

  it("finds berth's and Docker's files from the environment", () => {
    assert.deepEqual(configPaths({ HOME: "/h" }), { berth: "/h/.berth/config.json", docker: "/h/.docker/config.json" });
    assert.deepEqual(configPaths({ HOME: "/h", BERTH_CONFIG: "/b", DOCKER_CONFIG: "/d" }), { berth: "/b/config.json", docker: "/d/config.json" });
  });
});

describe("credential files", () => {
  let dir: string;
  let paths: ConfigPaths;
  const savedPath = process.env.PATH;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "berth-creds-"));
    paths = { berth: path.join(dir, "berth", "config.json"), docker: path.join(dir, "docker", "config.json") };
    // A credential helper as the protocol defines it: the action as argument, the server (or JSON) on stdin.
    const bin = path.join(dir, "bin");
    await mkdir(bin);
    const helper = path.join(bin, "docker-credential-fake");
    await writeFile(
      helper,
      `#!/bin/sh
read -r input
case "$1" in
get)
  if [ "$input" = "helper.example" ]; then echo '{"ServerURL":"helper.example","Username":"hu","Secret":"hs"}'; exit 0; fi
  if [ "$input" = "token.example" ]; then echo '{"ServerURL":"token.example","Username":"<token>","Secret":"tok"}'; exit 0; fi
  echo "credentials not found in native keychain"; exit 1;;
store) echo "$input" > "${dir}/stored.json";;
erase) echo "$input" > "${dir}/erased.txt";;
esac
`,
    );
    await chmod(helper, 0o755);
    process.env.PATH = `${bin}:${savedPath}`;
  });

  after(async () => {
    process.env.PATH = savedPath;
    await rm(dir, { recursive: true, force: true });
  });

  it("writes docker's format, 0600, atomically, keeping other settings", async () => {
    await mkdir(path.dirname(paths.berth), { recursive: true });
    await writeFile(paths.berth, JSON.stringify({ psFormat: "table {{.ID}}", auths: { "other:1": { auth: b64("o:p") } } }));
    const saved = await saveCredentials({ serveraddress: "localhost:5000", username: "alice", password: "secret" }, { paths });
    assert.deepEqual(saved, { file: paths.berth, changed: true, helper: undefined });
    const text = await readFile(paths.berth, "utf8");
    assert.deepEqual(JSON.parse(text), {
      psFormat: "table {{.ID}}",
      auths: { "other:1": { auth: b64("o:p") }, "localhost:5000": { auth: "YWxpY2U6c2VjcmV0" } },
    });
    assert.match(text, /\n\t"auths"/);
    assert.equal((await stat(paths.berth)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(path.dirname(paths.berth)), ["config.json"]);
    const again = await saveCredentials({ serveraddress: "localhost:5000", username: "alice", password: "secret" }, { paths });
    assert.equal(again.changed, false);
  });

  it("creates the directory 0700 and the file when neither exists", async () => {
    const fresh = { berth: path.join(dir, "new", "deep", "config.json"), docker: paths.docker };
    await saveCredentials({ serveraddress: INDEX_SERVER, username: "u", password: "p" }, { paths: fresh });
    assert.equal((await stat(path.dirname(fresh.berth))).mode & 0o777, 0o700);
    assert.deepEqual(JSON.parse(await readFile(fresh.berth, "utf8")), { auths: { [INDEX_SERVER]: { auth: b64("u:p") } } });
    assert.deepEqual(await loadCredentials("docker.io", { paths: fresh }), { serveraddress: INDEX_SERVER, username: "u", password: "p" });
  });

  it("stores an identity token in place of the password", async () => {
    await saveCredentials({ serveraddress: "tok:1", username: "u", identitytoken: "it" }, { paths });
    const file = JSON.parse(await readFile(paths.berth, "utf8")) as { auths: Record<string, unknown> };
    assert.deepEqual(file.auths["tok:1"], { auth: b64("u:"), identitytoken: "it" });
    assert.deepEqual(await loadCredentials("tok:1", { paths }), { serveraddress: "tok:1", username: "u", password: "", identitytoken: "it" });
  });

  it("reads Docker's file when berth's has nothing, legacy URL keys included, and never writes it", async () => {
    await mkdir(path.dirname(paths.docker), { recursive: true });
    const dockerText = JSON.stringify({ auths: { "https://legacy.example:5001/v1/": { auth: b64("dl:dp") }, "localhost:5000": { auth: b64("docker:pw") } } });
    await writeFile(paths.docker, dockerText);
    assert.deepEqual(await loadCredentials("legacy.example:5001", { paths }), { serveraddress: "legacy.example:5001", username: "dl", password: "dp" });
    // berth's own entry wins over Docker's.
    assert.deepEqual(await loadCredentials("localhost:5000", { paths }), { serveraddress: "localhost:5000", username: "alice", password: "secret" });
    assert.deepEqual(await loadCredentials("nowhere:1", { paths }), {});
    assert.equal(await eraseCredentials(["legacy.example:5001", "https://legacy.example:5001/v1/"], { paths }), false);
    assert.equal(await readFile(paths.docker, "utf8"), dockerText);
  });

  it("erases keys from berth's file only", async () => {
    assert.equal(await eraseCredentials(["localhost:5000", "http://localhost:5000"], { paths }), true);
    const file = JSON.parse(await readFile(paths.berth, "utf8")) as { auths: Record<string, unknown> };
    assert.equal(file.auths["localhost:5000"], undefined);
    assert.ok(file.auths["other:1"]);
    // Docker's entry shows through again.
    assert.deepEqual(await loadCredentials("localhost:5000", { paths }), { serveraddress: "localhost:5000", username: "docker", password: "pw" });
  });

  it("asks a configured credential helper, and says so when it is missing", async () => {
    const helperPaths = { berth: path.join(dir, "h", "config.json"), docker: path.join(dir, "nodocker", "config.json") };
    await mkdir(path.dirname(helperPaths.berth), { recursive: true });
    await writeFile(helperPaths.berth, JSON.stringify({ credsStore: "fake", credHelpers: { "gone.example": "absent" } }));
    assert.deepEqual(await loadCredentials("helper.example", { paths: helperPaths }), { serveraddress: "helper.example", username: "hu", password: "hs" });
    assert.deepEqual(await loadCredentials("token.example", { paths: helperPaths }), { serveraddress: "token.example", identitytoken: "tok" });
    assert.deepEqual(await loadCredentials("unknown.example", { paths: helperPaths }), {});
    await assert.rejects(loadCredentials("gone.example", { paths: helperPaths }), {
      message: 'error getting credentials - err: exec: "docker-credential-absent": executable file not found in $PATH, out: ``',
    });
    const saved = await saveCredentials({ serveraddress: "helper.example", username: "n", password: "s" }, { paths: helperPaths });
    assert.equal(saved.helper, "fake");
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, "stored.json"), "utf8")), { ServerURL: "helper.example", Username: "n", Secret: "s" });
    assert.deepEqual((JSON.parse(await readFile(helperPaths.berth, "utf8")) as { auths: unknown }).auths, { "helper.example": {} });
    await eraseCredentials(["helper.example"], { paths: helperPaths });
    assert.equal((await readFile(path.join(dir, "erased.txt"), "utf8")).trim(), "helper.example");
  });

  it("refuses a config file that is not JSON, naming it", async () => {
    const bad = { berth: path.join(dir, "bad.json"), docker: paths.docker };
    await writeFile(bad.berth, "{nope");
    await assert.rejects(loadCredentials("x:1", { paths: bad }), (err: Error) => err.message.startsWith(`Error parsing config file (${bad.berth}): `));
  });
});
