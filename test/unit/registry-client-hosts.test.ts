// Endpoint choice (https first; plain http only for insecure and loopback
// registries), certs.d reading, WWW-Authenticate parsing and the wording of
// registry errors.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { SystemError } from "../../src/errors.js";
import { parseChallenges } from "../../src/registry/challenge.js";
import { endpointCandidates, hostname, isInsecureRegistry, readCertsDir, registryHost } from "../../src/registry/hosts.js";
import { loginHost } from "../../src/registry/login.js";
import { formatRegistryErrors } from "../../src/registry/registry-error.js";
import type { RegistryOptions } from "../../src/registry/registry.js";
import { openRepository } from "../../src/registry/repository.js";

const options: RegistryOptions = { credentials: () => undefined, insecureRegistries: [], certsDir: "/nonexistent" };

describe("registry hosts", () => {
  it("maps Docker Hub's names to its registry host", () => {
    assert.equal(registryHost("docker.io"), "registry-1.docker.io");
    assert.equal(registryHost("index.docker.io"), "registry-1.docker.io");
    assert.equal(registryHost("localhost:5000"), "localhost:5000");
    assert.equal(loginHost("https://index.docker.io/v1/"), "registry-1.docker.io");
    assert.equal(loginHost("docker.io"), "registry-1.docker.io");
    assert.equal(loginHost("http://localhost:5000/v2/"), "localhost:5000");
    assert.equal(hostname("[::1]:5000"), "::1");
    assert.equal(hostname("my.reg:443"), "my.reg");
  });

  it("treats loopback, listed hosts and listed CIDRs as insecure, nothing else", async () => {
    assert.equal(await isInsecureRegistry("localhost:5000", []), true);
    assert.equal(await isInsecureRegistry("127.0.0.5:5000", []), true);
    assert.equal(await isInsecureRegistry("[::1]:5000", []), true);
    assert.equal(await isInsecureRegistry("10.1.2.3:5000", []), false);
    assert.equal(await isInsecureRegistry("10.1.2.3:5000", ["10.0.0.0/8"]), true);
    assert.equal(await isInsecureRegistry("my.registry.invalid:5000", ["my.registry.invalid:5000"]), true);
    assert.equal(await isInsecureRegistry("my.registry.invalid:5000", []), false);
    assert.deepEqual(endpointCandidates("reg.example:5000", false).map(String), ["https://reg.example:5000/"]);
    assert.deepEqual(endpointCandidates("localhost:5000", true).map(String), ["https://localhost:5000/", "http://localhost:5000/"]);
  });

  it("reports the last transport failure when no endpoint answers", async () => {
    const repo = openRepository({ domain: "127.0.0.1:1", path: "x/y" }, options, "pull");
    await assert.rejects(repo.getManifest("latest"), (err: unknown) => {
      assert.ok(err instanceof SystemError);
      assert.match(err.message, /^Get "http:\/\/127\.0\.0\.1:1\/v2\/": .*ECONNREFUSED/);
      return true;
    });
  });
});

describe("certs.d", () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "berth-certs-"));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("reads CAs and a client certificate pair, and refuses a certificate without its key", async () => {
    await fs.mkdir(path.join(dir, "reg:5000"));
    await fs.writeFile(path.join(dir, "reg:5000", "ca.crt"), "CA");
    await fs.writeFile(path.join(dir, "reg:5000", "client.cert"), "CERT");
    await fs.writeFile(path.join(dir, "reg:5000", "client.key"), "KEY");
    const files = await readCertsDir(dir, "reg:5000");
    assert.deepEqual(files.ca.map(String), ["CA"]);
    assert.equal(String(files.cert), "CERT");
    assert.equal(String(files.key), "KEY");
    assert.deepEqual(await readCertsDir(dir, "absent:1"), { ca: [] });
    assert.deepEqual(await readCertsDir(dir, ".."), { ca: [] });
    await fs.mkdir(path.join(dir, "bad"));
    await fs.writeFile(path.join(dir, "bad", "other.cert"), "CERT");
    await assert.rejects(readCertsDir(dir, "bad"), {
      message: "missing key other.key for client certificate other.cert. CA certificates must use the extension .crt",
    });
  });
});

describe("https first for a loopback registry", () => {
  let dir: string;
  let server: https.Server;
  let host: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "berth-tls-"));
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    server = https.createServer(
      { key: await fs.readFile(path.join(dir, "key.pem")), cert: await fs.readFile(path.join(dir, "cert.pem")) },
      (req, res) => {
        res.writeHead(req.url === "/v2/" ? 200 : 404, { "content-type": "application/json" });
        res.end(JSON.stringify(req.url === "/v2/" ? {} : { errors: [{ code: "BLOB_UNKNOWN", message: "blob unknown to registry" }] }));
      },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("speaks TLS without verification to an insecure registry that offers it", async () => {
    const repo = openRepository({ domain: host, path: "x/y" }, options, "pull");
    assert.equal(await repo.statBlob(`sha256:${"0".repeat(64)}`), undefined);
  });
});

describe("WWW-Authenticate and registry errors", () => {
  it("parses several challenges in one header and across headers", () => {
    assert.deepEqual(
      parseChallenges([
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x"',
        'Basic realm="quoted \\"name\\""',
      ]),
      [
        { scheme: "bearer", params: { realm: "https://auth.example/token", service: "registry.example", scope: "repository:a/b:pull,push" } },
        { scheme: "basic", params: { realm: "x" } },
        { scheme: "basic", params: { realm: 'quoted "name"' } },
      ],
    );
    assert.deepEqual(parseChallenges(["Bearer error=invalid_token"]), [{ scheme: "bearer", params: { error: "invalid_token" } }]);
  });

  it("formats errors as Docker's errcode does", () => {
    assert.equal(formatRegistryErrors([{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }]), "manifest unknown: manifest unknown");
    assert.equal(
      formatRegistryErrors([
        { code: "DENIED", message: "requested access to the resource is denied" },
        { code: "UNAUTHORIZED", message: "authentication required" },
      ]),
      "errors:\ndenied: requested access to the resource is denied\nunauthorized: authentication required\n",
    );
  });
});
