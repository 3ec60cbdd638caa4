import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import { applyChanges, splitWords } from "../../src/image/changes.js";

describe("--change instructions", () => {
  it("applies CMD and ENTRYPOINT in exec and shell form", () => {
    assert.deepEqual(applyChanges({}, ['CMD ["/bin/sh","-c","echo hi"]']).Cmd, ["/bin/sh", "-c", "echo hi"]);
    assert.deepEqual(applyChanges({}, ["CMD echo hello world"]).Cmd, ["/bin/sh", "-c", "echo hello world"]);
    assert.deepEqual(applyChanges({}, ["entrypoint /init --x"]).Entrypoint, ["/bin/sh", "-c", "/init --x"]);
    const both = applyChanges({ Cmd: ["old"] }, ['CMD ["a"]', 'ENTRYPOINT ["e"]']);
    assert.deepEqual([both.Entrypoint, both.Cmd], [["e"], ["a"]]);
    assert.equal(applyChanges({ Cmd: ["old"] }, ['ENTRYPOINT ["e"]']).Cmd, null);
  });

  it("applies ENV in both forms, replacing existing keys", () => {
    const cfg = applyChanges({ Env: ["PATH=/bin", "A=1"] }, ['ENV A=2 B="two words"', "ENV C some value"]);
    assert.deepEqual(cfg.Env, ["PATH=/bin", "A=2", "B=two words", "C=some value"]);
  });

  it("applies WORKDIR, USER, STOPSIGNAL, LABEL, EXPOSE, VOLUME", () => {
    const cfg = applyChanges({}, [
      "WORKDIR /app",
      "WORKDIR sub",
      "USER 1000:1000",
      "STOPSIGNAL SIGTERM",
      'LABEL a=b "c d"=e',
      "EXPOSE 80 53/udp 8000-8001",
      'VOLUME ["/data", "/logs"]',
      "VOLUME /cache",
    ]);
    assert.equal(cfg.WorkingDir, "/app/sub");
    assert.equal(cfg.User, "1000:1000");
    assert.equal(cfg.StopSignal, "SIGTERM");
    assert.deepEqual(cfg.Labels, { a: "b", "c d": "e" });
    assert.deepEqual(Object.keys(cfg.ExposedPorts!), ["80/tcp", "53/udp", "8000/tcp", "8001/tcp"]);
    assert.deepEqual(Object.keys(cfg.Volumes!), ["/data", "/logs", "/cache"]);
  });

  it("does not modify its input", () => {
    const base = { Env: ["A=1"] };
    applyChanges(base, ["ENV A=2"]);
    assert.deepEqual(base, { Env: ["A=1"] });
  });

  it("rejects instructions commit does not allow", () => {
    assert.throws(() => applyChanges({}, ["RUN echo"]), (e: unknown) => {
      return e instanceof InvalidArgumentError && e.message === "run is not a valid change command";
    });
    assert.throws(() => applyChanges({}, ["FROM busybox"]), /from is not a valid change command/);
    assert.throws(() => applyChanges({}, ["EXPOSE http"]), InvalidArgumentError);
    assert.throws(() => applyChanges({}, ["CMD"]), /CMD requires at least one argument/);
  });

  it("splits words with quotes and escapes", () => {
    assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g`), ["a", "b c", "d e", "f g"]);
    assert.throws(() => splitWords(`"open`), InvalidArgumentError);
  });
});
