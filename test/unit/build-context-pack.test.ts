// packContext: what `berth build DIR` uploads, as docker/cli packs it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packContext } from "../../src/build/context/pack-context.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { listTar } from "./build-context-tar-fixture.js";

describe("packContext", () => {
  let base: string;
  let dir: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-pack-"));
    dir = join(base, "ctx");
    mkdirSync(join(dir, "node_modules/x"), { recursive: true });
    mkdirSync(join(dir, "src/node_modules"), { recursive: true });
    mkdirSync(join(dir, "logs/keep"), { recursive: true });
    for (const f of ["Dockerfile", "README.md", "NOTES.md", "src/app.js", "src/node_modules/m.js", "node_modules/x/i.js", "logs/a.log", "logs/keep/k.log", "Other.Dockerfile"]) {
      writeFileSync(join(dir, f), `${f}\n`);
    }
    symlinkSync("src/app.js", join(dir, "applink"));
    linkSync(join(dir, "src/app.js"), join(dir, "src/hard.js"));
    writeFileSync(join(dir, ".dockerignore"), "# build junk\n*.md\n!README.md\n**/node_modules\nlogs\n!logs/keep\nDockerfile\n.dockerignore\n");
    writeFileSync(join(dir, "Other.Dockerfile.dockerignore"), "src\n");
    writeFileSync(join(base, "Outside.Dockerfile"), "FROM scratch\n");
  });
  after(async () => rm(base, { recursive: true, force: true }));

  const names = async (tar: NodeJS.ReadableStream): Promise<string[]> =>
    (await listTar(tar as never)).map((e) => `${e.name}${e.type === "symlink" ? ` -> ${e.linkname}` : e.type === "link" ? ` => ${e.linkname}` : ""}`);

  it("honours .dockerignore, always sending the Dockerfile and .dockerignore", async () => {
    const { tar, dockerfile } = await packContext(dir);
    assert.equal(dockerfile, "Dockerfile");
    assert.deepEqual(await names(tar), [
      ".dockerignore",
      "Dockerfile",
      "Other.Dockerfile",
      "Other.Dockerfile.dockerignore",
      "README.md",
      "applink -> src/app.js",
      "logs/keep/",
      "logs/keep/k.log",
      "src/",
      "src/app.js",
      "src/hard.js => src/app.js",
    ]);
  });

  it("uses <Dockerfile>.dockerignore beside a -f Dockerfile inside the context", async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { tar, dockerfile } = await packContext(".", { dockerfile: "Other.Dockerfile" });
      assert.equal(dockerfile, "Other.Dockerfile");
      const got = await names(tar);
      assert.ok(got.includes("NOTES.md") && got.includes("node_modules/x/i.js"));
      assert.ok(!got.some((n) => n.startsWith("src")));
    } finally {
      process.chdir(cwd);
    }
  });

  it("adds a Dockerfile from outside the context or stdin under a generated name, listed in .dockerignore", async () => {
    for (const opts of [{ dockerfile: join(base, "Outside.Dockerfile") }, { dockerfileContent: Buffer.from("FROM scratch\n") }]) {
      const { tar, dockerfile } = await packContext(dir, opts);
      assert.match(dockerfile, /^\.dockerfile\.[0-9a-f]{20}$/);
      const entries = await listTar(tar as never);
      const last = entries[entries.length - 1]!;
      assert.equal(last.name, dockerfile);
      assert.equal(last.body, "FROM scratch\n");
      assert.ok(entries.find((e) => e.name === ".dockerignore")!.body.endsWith(`\n${dockerfile}\n`));
      // The context's own Dockerfile is still ignored by .dockerignore in this case.
      assert.ok(!entries.some((e) => e.name === "Dockerfile"));
    }
  });

  it("names what is wrong with the context or the Dockerfile", async () => {
    await assert.rejects(packContext(join(base, "nope")), (err: Error) => err instanceof InvalidArgumentError && /path ".*nope" not found/.test(err.message));
    await assert.rejects(packContext(dir, { dockerfile: join(base, "Missing") }), /unable to evaluate symlinks in Dockerfile path: lstat .*Missing: no such file or directory/);
  });
});
