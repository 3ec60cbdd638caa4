// --change instructions. The expected configs and messages are what dockerd
// produced for the same `docker import -c …` (Docker 20.10, plus STOPSIGNAL,
// which Docker accepts from 23 on).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import { applyChanges } from "../../src/image/changes.js";
import { parseGoDuration } from "../../src/oci/duration.js";
import { processWord } from "../../src/image/shell-word.js";
import type { ImageRuntimeConfig } from "../../src/oci/types.js";

/** The set fields only, as the comparison with dockerd's Config was made. */
function set(cfg: ImageRuntimeConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cfg).filter(([, v]) => v !== null && v !== undefined && v !== ""));
}

const cases: [string[], Record<string, unknown>][] = [
  [['CMD ["sh"]'], { Cmd: ["sh"] }],
  [["CMD echo hi"], { Cmd: ["/bin/sh", "-c", "echo hi"] }],
  [["CMD"], { Cmd: ["/bin/sh", "-c"] }],
  [["CMD []"], {}],
  [["CMD [broken"], { Cmd: ["/bin/sh", "-c", "[broken"] }],
  [['cmd ["lower"]'], { Cmd: ["lower"] }],
  [['ENTRYPOINT ["/bin/sh","-c"]', 'CMD ["echo hi"]'], { Cmd: ["echo hi"], Entrypoint: ["/bin/sh", "-c"] }],
  [['CMD ["a"]', 'ENTRYPOINT ["b"]'], { Cmd: ["a"], Entrypoint: ["b"] }],
  [["ENTRYPOINT b c"], { Entrypoint: ["/bin/sh", "-c", "b c"] }],
  [["ENTRYPOINT"], {}],
  [['ENV A=1 B="two words" C=3', "ENV D 4 5"], { Env: ["A=1", "B=two words", "C=3", "D=4 5"] }],
  [["ENV A=1", "ENV A=2"], { Env: ["A=2"] }],
  [["ENV PATH=/x:$PATH", "ENV Y=${A:-def}"], { Env: ["PATH=/x:", "Y=def"] }],
  [["ENV A=1 B=$A"], { Env: ["A=1", "B="] }],
  [["ENV P=/bin", "ENV P=$P:/usr/bin"], { Env: ["P=/bin:/usr/bin"] }],
  [["ENV A=1", "ENV B=${A:-d} C=${A:+alt} D=${Z:+alt} E=${Z:-dd}"], { Env: ["A=1", "B=1", "C=alt", "D=", "E=dd"] }],
  [["ENV A=1", "ENV B=$A-x C=\"${A}y\" D='$A' E=\\$A"], { Env: ["A=1", "B=1-x", "C=1y", "D=$A", "E=$A"] }],
  [["ENV A=\"x\\y\" B=x\\y C=\"a\\\"b\" D='a\\b'"], { Env: ["A=x\\y", "B=xy", 'C=a"b', "D=a\\b"] }],
  [["ENV A=$"], { Env: ["A=$"] }],
  [
    ["ENV A=1", 'LABEL l=$A "m"="$A x"', "WORKDIR /w$A", "USER u$A", "EXPOSE 8$A", "VOLUME /v$A", "CMD echo $A", "ONBUILD RUN $A", 'ENTRYPOINT ["$A"]'],
    {
      Cmd: ["/bin/sh", "-c", "echo $A"],
      Entrypoint: ["$A"],
      Env: ["A=1"],
      ExposedPorts: { "81/tcp": {} },
      Labels: { l: "1", m: "1 x" },
      OnBuild: ["RUN $A"],
      User: "u1",
      Volumes: { "/v1": {} },
      WorkingDir: "/w1",
    },
  ],
  [["WORKDIR /a", "WORKDIR b", "WORKDIR ../c"], { WorkingDir: "/a/c" }],
  [["WORKDIR rel"], { WorkingDir: "/rel" }],
  [['WORKDIR "/a b"'], { WorkingDir: "/a b" }],
  [["WORKDIR /a\\ b"], { WorkingDir: "/a b" }],
  [["USER nobody:nogroup"], { User: "nobody:nogroup" }],
  [["USER a b"], { User: "a b" }],
  [
    ["EXPOSE 80 443/udp 8000-8002/tcp"],
    { ExposedPorts: { "80/tcp": {}, "443/udp": {}, "8000/tcp": {}, "8001/tcp": {}, "8002/tcp": {} } },
  ],
  [["EXPOSE 0"], { ExposedPorts: { "0/tcp": {} } }],
  [["EXPOSE 80/TCP"], { ExposedPorts: { "80/tcp": {} } }],
  [["EXPOSE 127.0.0.1:80:80"], { ExposedPorts: { "80/tcp": {} } }],
  [["EXPOSE 80/udp 80/udp"], { ExposedPorts: { "80/udp": {} } }],
  [['LABEL a=b "c d"=e', "LABEL f g h"], { Labels: { a: "b", "c d": "e", f: "g h" } }],
  [["STOPSIGNAL SIGINT"], { StopSignal: "SIGINT" }],
  [["STOPSIGNAL 9"], { StopSignal: "9" }],
  [["VOLUME /data /logs", 'VOLUME ["/x", "/y"]'], { Volumes: { "/data": {}, "/logs": {}, "/x": {}, "/y": {} } }],
  [["ONBUILD RUN echo hi"], { OnBuild: ["RUN echo hi"] }],
  [["ONBUILD run  echo hi"], { OnBuild: ["run  echo hi"] }],
  [["HEALTHCHECK CMD true"], { Healthcheck: { Test: ["CMD-SHELL", "true"] } }],
  [
    ['HEALTHCHECK --interval=5s --timeout=1m --start-period=2s --retries=3 CMD ["wget","-q","x"]'],
    { Healthcheck: { Test: ["CMD", "wget", "-q", "x"], Interval: 5e9, Timeout: 60e9, StartPeriod: 2e9, Retries: 3 } },
  ],
  [["HEALTHCHECK NONE"], { Healthcheck: { Test: ["NONE"] } }],
  [["HEALTHCHECK --interval=0.5s CMD true"], { Healthcheck: { Test: ["CMD-SHELL", "true"], Interval: 5e8 } }],
  [["  # comment", "", 'CMD ["x"]'], { Cmd: ["x"] }],
  [["ENV A=1 \\\n B=2"], { Env: ["A=1", "B=2"] }],
];

const errors: [string[], string][] = [
  [["RUN echo hi"], "run is not a valid change command"],
  [["FROM busybox"], "from is not a valid change command"],
  [["MAINTAINER me"], "maintainer is not a valid change command"],
  [["SHELL [\"/bin/bash\",\"-c\"]"], "shell is not a valid change command"],
  [["ARG x=1"], "arg is not a valid change command"],
  [["ENV A=1", "RUN x"], "run is not a valid change command"],
  [["WORKDIR $HOME"], "cannot normalize nothing"],
  [["EXPOSE abc"], "invalid containerPort: abc"],
  [["EXPOSE 70000"], "invalid containerPort: 70000"],
  [["EXPOSE 80-70"], "invalid containerPort: 80-70"],
  [["EXPOSE 80/foo"], "invalid proto: foo"],
  [["HEALTHCHECK --start-interval=1s --bogus=1 CMD true"], "Unknown flag: bogus"],
  [["HEALTHCHECK"], "HEALTHCHECK requires at least one argument"],
  [["HEALTHCHECK NONE x"], "HEALTHCHECK NONE takes no arguments"],
  [["HEALTHCHECK CMD"], "Missing command after HEALTHCHECK CMD"],
  [["HEALTHCHECK --retries=-1 CMD true"], "--retries cannot be negative (-1)"],
  [["ENV A"], "ENV must have two arguments"],
  [["ENV =x"], "ENV names can not be blank"],
  [["ENV"], "ENV requires at least one argument"],
  [["LABEL"], "LABEL requires at least one argument"],
  [["LABEL a"], "LABEL must have two arguments"],
  [["ENV A=1 B"], `Syntax error - can't find = in "B". Must be of the form: name=value`],
  [["ENV A=${X:?err}"], 'failed to process "${X:?err}": X: err'],
  [["ENV A=${B-x}"], `failed to process "\${B-x}": missing ':' in substitution`],
  [["ENV A=${B"], `failed to process "\${B": missing ':' in substitution`],
  [['ENV A="unterminated'], 'failed to process "\\"unterminated": unexpected end of statement while looking for matching double-quote'],
  [["USER"], "USER requires exactly one argument"],
  [["WORKDIR"], "WORKDIR requires exactly one argument"],
  [["STOPSIGNAL NOPE"], "Invalid signal: NOPE"],
  [["VOLUME []"], "VOLUME requires at least one argument"],
  [['VOLUME [""]'], "VOLUME specified can not be an empty string"],
  [["EXPOSE"], "EXPOSE requires at least one argument"],
  [["ONBUILD"], "ONBUILD requires at least one argument"],
  [["ONBUILD ONBUILD x"], "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"],
  [["ONBUILD FROM x"], "FROM isn't allowed as an ONBUILD trigger"],
  [['CMD ["a", 1]'], "when using JSON array syntax, arrays must be comprised of strings only"],
  [["CMD --foo x"], "Unknown flag: foo"],
];

describe("--change instructions (as dockerd applies them)", () => {
  for (const [changes, expected] of cases) {
    it(JSON.stringify(changes), () => {
      assert.deepEqual(set(applyChanges({}, changes)), expected);
    });
  }
  for (const [changes, message] of errors) {
    it(`${JSON.stringify(changes)} fails`, () => {
      assert.throws(
        () => applyChanges({}, changes),
        (e: unknown) => e instanceof InvalidArgumentError && e.message === message,
      );
    });
  }

  it("keeps an existing variable's position and drops CMD for a new ENTRYPOINT", () => {
    const cfg = applyChanges({ Env: ["PATH=/bin", "A=1", "Z=9"], Cmd: ["old"] }, ["ENV A=2", 'ENTRYPOINT ["e"]']);
    assert.deepEqual(cfg.Env, ["PATH=/bin", "A=2", "Z=9"]);
    assert.equal(cfg.Cmd, null);
  });

  it("expands against the base config's environment and leaves the base alone", () => {
    const base = { Env: ["HOME=/root"] };
    assert.equal(applyChanges(base, ["WORKDIR $HOME/app"]).WorkingDir, "/root/app");
    applyChanges(base, ["ENV HOME=/x"]);
    assert.deepEqual(base, { Env: ["HOME=/root"] });
  });
});

describe("Dockerfile word processing", () => {
  it("handles quotes, escapes and substitutions", () => {
    const env = ["A=1", "EMPTY=", "A=2"];
    assert.equal(processWord(`'$A' "$A" \\$A $A`, env), "$A 2 $A 2");
    assert.equal(processWord("${EMPTY:-d}${A:+set}${NONE}", env), "dset");
    assert.equal(processWord('"a\\b\\"c"', env), 'a\\b"c');
    assert.equal(processWord("$1x$", env), "x$");
  });
});

describe("Go durations", () => {
  it("parses what time.ParseDuration parses", () => {
    assert.equal(parseGoDuration("1m30s"), 90e9);
    assert.equal(parseGoDuration("0.5s"), 5e8);
    assert.equal(parseGoDuration("250ms"), 25e7);
    assert.equal(parseGoDuration("1h"), 3600e9);
    assert.equal(parseGoDuration("0"), 0);
    assert.throws(() => parseGoDuration("5"), /time: missing unit in duration "5"/);
    assert.throws(() => parseGoDuration("5d"), /time: unknown unit "d" in duration "5d"/);
    assert.throws(() => parseGoDuration("s"), /time: invalid duration "s"/);
  });
});
