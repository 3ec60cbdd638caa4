// parseDockerfile against the behaviour of dockerd 20.10's classic builder
// (`DOCKER_BUILDKIT=0 docker build`), checked on this machine; heredocs,
// RUN --mount/--network/--security, COPY --link/--parents/--exclude and
// ADD --checksum/--keep-git-dir are newer than that builder and follow BuildKit.
//
// What dockerd 20.10 showed (recorded where a row depends on it):
// - "Step n/m : …" prints the logical line as written, trimmed: keyword case
//   kept (`from busybox`), inner spacing kept, continuations joined with
//   nothing added (`RUN echo a \` + `  b` → `RUN echo a   b`).
// - Errors from cutting the text into instructions read
//   `failed to parse Dockerfile: …`; errors from one instruction read
//   `dockerfile parse error line N: …` (lower-case "dockerfile", the
//   instruction's first line); `no build stage in current context` has no prefix.
// - Flag errors are capitalised: `Unknown flag: foo`, `Missing a value on flag: from`.
// - USER, WORKDIR, STOPSIGNAL, MAINTAINER take the rest of the line as one
//   argument (`USER a b` is the user "a b"); ARG and STOPSIGNAL ignore flags;
//   `ONBUILD FOO x` is accepted (checked only when triggered); `RUN`, `CMD`
//   and `ENTRYPOINT` without arguments are accepted.
// - HEALTHCHECK durations below 1ms (0 included) and retries below 1 are errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Dockerfile, Instruction } from "../../src/build/dockerfile/ast.js";
import { parseDockerfile } from "../../src/build/dockerfile/parse.js";
import { InvalidArgumentError } from "../../src/errors.js";

/** Every instruction in source order, global ARGs and FROMs included. */
function all(d: Dockerfile): Instruction[] {
  return [...d.metaArgs, ...d.stages.flatMap((s) => [s.from, ...s.instructions])].sort((a, b) => a.line - b.line);
}

/** The instructions after `FROM busybox`, without their locations unless asked. */
function body(text: string, keep: Array<"line" | "endLine" | "original"> = []): object[] {
  return all(parseDockerfile(`FROM busybox\n${text}`))
    .slice(1)
    .map((i) => {
      const copy: Record<string, unknown> = { ...i };
      for (const k of ["line", "endLine", "original"] as const) if (!keep.includes(k)) delete copy[k];
      return copy;
    });
}

const F = "FROM busybox\n";

describe("parseDockerfile: lines", () => {
  it("keeps the original text as dockerd's Step line shows it", () => {
    const d = parseDockerfile('from busybox\nlabel  a=b   c="d e"\nenv X Y  Z\nrun    echo   hi \\\n   there\n');
    assert.deepEqual(
      all(d).map((i) => [i.line, i.endLine, i.original]),
      [
        [1, 1, "from busybox"],
        [2, 2, 'label  a=b   c="d e"'],
        [3, 3, "env X Y  Z"],
        [4, 5, "run    echo   hi    there"],
      ],
    );
  });

  const rows: Array<[string, string, object[]]> = [
    ["trailing blanks after the escape", "RUN echo a \\  \t\n b\n", [{ text: "echo a  b" }]],
    ["an escaped escape is no continuation", "RUN echo a \\\\\nRUN echo b\n", [{ text: "echo a \\\\" }, { text: "echo b" }]],
    ["a lone escape continues", "RUN echo a \\\n\\\nb\n", [{ text: "echo a b" }]],
    ["escape at the end of the file", "RUN echo a \\", [{ text: "echo a" }]],
    ["comment lines inside a continuation", "RUN echo hi\\\n# comment\\\n  there\n", [{ text: "echo hi  there" }]],
    ["a comment after the last continuation", "RUN echo a \\\n  # c\n", [{ text: "echo a" }]],
    ["# inside an instruction is text", "RUN true # not a comment\n", [{ text: "true # not a comment" }]],
    ["quotes do not stop a continuation", 'RUN echo "a \\\nb"\n', [{ text: 'echo "a b"' }]],
  ];
  for (const [name, text, commands] of rows) {
    it(name, () => {
      const got = body(text).map((i) => (i as { command: object }).command);
      assert.deepEqual(
        got,
        commands.map((c) => ({ form: "shell", ...c })),
      );
    });
  }

  it("warns about blank lines inside a continuation", () => {
    const d = parseDockerfile(`${F}RUN echo a \\\n\n  # c\n\n b\n`);
    // dockerd 20.10 streams "\u001b[91m[WARNING]: Empty continuation line found in:\n    RUN echo a  b\n[WARNING]: …"
    assert.deepEqual(d.warnings, ["Empty continuation line found in:\n    RUN echo a  b"]);
    assert.deepEqual(all(d)[1]!.endLine, 6);
  });

  it("handles CRLF, a BOM and the backtick escape", () => {
    const d = parseDockerfile("\uFEFF# escape=`\r\nFROM busybox\r\nRUN echo a `  \r\n b\r\nCOPY a\\b c:\\d\r\n");
    assert.equal(d.directives.escape, "`");
    const [run, copy] = all(d).slice(1);
    assert.deepEqual(run, {
      kind: "RUN",
      command: { form: "shell", text: "echo a  b" },
      mounts: [],
      heredocs: [],
      line: 3,
      endLine: 4,
      original: "RUN echo a  b",
    });
    assert.deepEqual((copy as { sources: string[]; dest: string }).sources, ["a\\b"]);
  });

  it("counts lines across comments and blank lines", () => {
    const d = parseDockerfile("# c\n\nFROM busybox\n\n  # indented\n  RUN    true  \t\n");
    assert.deepEqual(
      all(d).map((i) => [i.line, i.original]),
      [
        [3, "FROM busybox"],
        [6, "RUN    true"],
      ],
    );
  });
});

describe("parseDockerfile: directives", () => {
  const rows: Array<[string, Partial<Dockerfile["directives"]>]> = [
    ["# escape=`\n", { escape: "`" }],
    ["#escape = `  \n", { escape: "`" }],
    ["# ESCAPE=\\\n", { escape: "\\" }],
    ["# syntax=docker/dockerfile:1\n# check=skip=all\n", { escape: "\\", syntax: "docker/dockerfile:1", check: "skip=all" }],
    // Any other line ends the directives: an unknown one, a blank line, a shebang, a comment.
    ["# foo=bar\n# escape=`\n", { escape: "\\" }],
    ["\n# escape=`\n", { escape: "\\" }],
    ["#!/bin/x\n# escape=`\n", { escape: "\\" }],
    ["# hello\n# escape=`\n", { escape: "\\" }],
  ];
  for (const [head, directives] of rows) {
    it(JSON.stringify(head), () => {
      assert.deepEqual(parseDockerfile(`${head}FROM busybox\n`).directives, directives);
    });
  }
});

describe("parseDockerfile: instructions", () => {
  const rows: Array<[string, string, object[]]> = [
    ["FROM with a stage name", "FROM --platform=linux/amd64 alpine:3 As Build-1\n", [
      { kind: "FROM", image: "alpine:3", stageName: "build-1", platform: "linux/amd64" },
    ]],
    ["RUN exec form", 'RUN ["echo", "a b"]\n', [{ kind: "RUN", command: { form: "exec", args: ["echo", "a b"] }, mounts: [], heredocs: [] }]],
    ["invalid JSON falls back to the shell form", "RUN [\"echo\", 'hi']\nCMD [\"a\"\nENTRYPOINT []x\n", [
      { kind: "RUN", command: { form: "shell", text: "[\"echo\", 'hi']" }, mounts: [], heredocs: [] },
      { kind: "CMD", command: { form: "shell", text: '["a"' } },
      { kind: "ENTRYPOINT", command: { form: "shell", text: "[]x" } },
    ]],
    ["CMD/ENTRYPOINT/RUN without arguments", "CMD\nENTRYPOINT []\nRUN\n", [
      { kind: "CMD", command: { form: "shell", text: "" } },
      { kind: "ENTRYPOINT", command: { form: "exec", args: [] } },
      { kind: "RUN", command: { form: "shell", text: "" }, mounts: [], heredocs: [] },
    ]],
    ["RUN flags", "RUN --mount=type=cache,target=/root/.cache,id=pip,sharing=locked --mount=src=.,dst=/src,ro --mount=type=secret,id=tok,required --network=none --security=insecure make\n", [
      {
        kind: "RUN",
        command: { form: "shell", text: "make" },
        mounts: [
          { type: "cache", fields: { target: "/root/.cache", id: "pip", sharing: "locked" } },
          { type: "bind", fields: { source: ".", target: "/src", readonly: "true" } },
          { type: "secret", fields: { id: "tok", required: "true" } },
        ],
        network: "none",
        security: "insecure",
        heredocs: [],
      },
    ]],
    ["a quoted CSV field in --mount", 'RUN --mount="type=bind,\\"target=/a,b\\"" true\n', [
      { kind: "RUN", command: { form: "shell", text: "true" }, mounts: [{ type: "bind", fields: { target: "/a,b" } }], heredocs: [] },
    ]],
    ["ENV new and old form, raw words", 'ENV a=1 b="x y" c=\\ d e=\nENV old form  value "q"\n', [
      { kind: "ENV", pairs: [["a", "1"], ["b", '"x y"'], ["c", "\\ d"], ["e", ""]] },
      { kind: "ENV", pairs: [["old", 'form  value "q"']] },
    ]],
    ["LABEL, old form allowed", 'LABEL a b c\nLABEL "k"=v x.y=\'z\'\n', [
      { kind: "LABEL", pairs: [["a", "b c"]] },
      { kind: "LABEL", pairs: [['"k"', "v"], ["x.y", "'z'"]] },
    ]],
    ["ARG, several per line, flags ignored", 'ARG --x=1 a b=c "d"=e f=\n', [
      { kind: "ARG", args: [{ name: "a" }, { name: "b", value: "c" }, { name: '"d"', value: "e" }, { name: "f", value: "" }] },
    ]],
    ["whole-line arguments", "USER a b\nWORKDIR /a b\nSTOPSIGNAL --x=1 SIGTERM\nMAINTAINER Jo  Doe <j@d>\n", [
      { kind: "USER", user: "a b" },
      { kind: "WORKDIR", path: "/a b" },
      { kind: "STOPSIGNAL", signal: "SIGTERM" },
      { kind: "MAINTAINER", name: "Jo  Doe <j@d>" },
    ]],
    ["EXPOSE and VOLUME", 'EXPOSE 80 443/udp $P\nVOLUME /a  /b\nVOLUME ["/c", " /d "]\n', [
      { kind: "EXPOSE", ports: ["80", "443/udp", "$P"] },
      { kind: "VOLUME", paths: ["/a", "/b"] },
      { kind: "VOLUME", paths: ["/c", "/d"] },
    ]],
    ["SHELL", 'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]\n', [{ kind: "SHELL", shell: ["/bin/bash", "-eo", "pipefail", "-c"] }]],
    ["COPY flags and JSON form", 'COPY --from=build --chown=1:2 --chmod=644 --link --parents --exclude=*.md --exclude=.git a b /dst/\nCOPY ["a b", "/x y/"]\nCOPY -- --from=x a.txt\n', [
      { kind: "COPY", sources: ["a", "b"], dest: "/dst/", from: "build", chown: "1:2", chmod: "644", link: true, parents: true, exclude: ["*.md", ".git"], heredocs: [] },
      { kind: "COPY", sources: ["a b"], dest: "/x y/", exclude: [], heredocs: [] },
      { kind: "COPY", sources: ["--from=x"], dest: "a.txt", exclude: [], heredocs: [] },
    ]],
    ["ADD flags", 'ADD --chown="a b" --checksum=sha256:00 --keep-git-dir=false --link=FALSE https://x/y.tgz /z\n', [
      { kind: "ADD", sources: ["https://x/y.tgz"], dest: "/z", chown: "a b", checksum: "sha256:00", keepGitDir: false, link: false, exclude: [], heredocs: [] },
    ]],
    ["HEALTHCHECK forms", "HEALTHCHECK --interval=5s --timeout=1m30s --start-period=0.5s --start-interval=2ms --retries=3 CMD curl -f http://x/ || exit 1\nHEALTHCHECK cmd [\"true\"]\nHEALTHCHECK --bogus NONE\n", [
      {
        kind: "HEALTHCHECK",
        test: ["CMD-SHELL", "curl -f http://x/ || exit 1"],
        interval: 5e9,
        timeout: 90e9,
        startPeriod: 0.5e9,
        startInterval: 2e6,
        retries: 3,
      },
      { kind: "HEALTHCHECK", test: ["CMD", "true"] },
      { kind: "HEALTHCHECK" },
    ]],
    ["ONBUILD keeps the trigger text", "ONBUILD  RUN --foo echo $X\nONBUILD FOO x\n", [
      { kind: "ONBUILD", trigger: "RUN --foo echo $X" },
      { kind: "ONBUILD", trigger: "FOO x" },
    ]],
  ];
  for (const [name, text, expected] of rows) {
    it(name, () => assert.deepEqual(body(text), expected));
  }

  it("collects global ARGs and stages", () => {
    const d = parseDockerfile("ARG A\nARG B=1\nFROM busybox AS one\nARG C\nFROM one\nRUN true\n");
    assert.deepEqual(
      d.metaArgs.map((a) => a.args),
      [[{ name: "A" }], [{ name: "B", value: "1" }]],
    );
    assert.deepEqual(
      d.stages.map((s) => [s.index, s.name, s.from.image, s.instructions.map((i) => i.kind)]),
      [
        [0, "one", "busybox", ["ARG"]],
        [1, undefined, "one", ["RUN"]],
      ],
    );
  });
});

describe("parseDockerfile: heredocs", () => {
  it("reads bodies for RUN, COPY and ADD, several per line, <<- and quoted", () => {
    const text = [
      "RUN <<EOF",
      "echo $HOME",
      "EOF",
      "RUN python3 <<'PY' > /out",
      "print('hi')",
      "PY",
      'COPY --chmod=755 <<-"A" <<B /dst/',
      "\t\tx $y",
      "\tA",
      "b",
      "B",
      "ADD <<EOF /f",
      "EOF",
      "RUN cat << X",
      "x",
      "X",
      "",
    ].join("\n");
    assert.deepEqual(body(text, ["line", "endLine", "original"]), [
      {
        kind: "RUN",
        command: { form: "shell", text: "<<EOF" },
        mounts: [],
        heredocs: [{ name: "EOF", content: "echo $HOME\n", expand: true, chomp: false }],
        line: 2,
        endLine: 4,
        original: "RUN <<EOF",
      },
      {
        kind: "RUN",
        command: { form: "shell", text: "python3 <<'PY' > /out" },
        mounts: [],
        heredocs: [{ name: "PY", content: "print('hi')\n", expand: false, chomp: false }],
        line: 5,
        endLine: 7,
        original: "RUN python3 <<'PY' > /out",
      },
      {
        kind: "COPY",
        sources: ["<<A", "<<B"],
        dest: "/dst/",
        chmod: "755",
        exclude: [],
        heredocs: [
          { name: "A", content: "x $y\n", expand: false, chomp: true },
          { name: "B", content: "b\n", expand: true, chomp: false },
        ],
        line: 8,
        endLine: 12,
        original: 'COPY --chmod=755 <<-"A" <<B /dst/',
      },
      {
        kind: "ADD",
        sources: ["<<EOF"],
        dest: "/f",
        exclude: [],
        heredocs: [{ name: "EOF", content: "", expand: true, chomp: false }],
        line: 13,
        endLine: 14,
        original: "ADD <<EOF /f",
      },
      {
        kind: "RUN",
        command: { form: "shell", text: "cat << X" },
        mounts: [],
        heredocs: [{ name: "X", content: "x\n", expand: true, chomp: false }],
        line: 15,
        endLine: 17,
        original: "RUN cat << X",
      },
    ]);
  });

  it("leaves heredoc-looking text alone where there is none", () => {
    const got = body('RUN ["cat", "<<EOF"]\nRUN echo "<<EOF" a<<b <<<here\nLABEL x=<<EOF\n');
    assert.deepEqual(
      got.map((i) => (i as { heredocs?: unknown[] }).heredocs),
      [[], [], undefined],
    );
  });

  it("keeps heredoc bodies in ONBUILD triggers so they parse again", () => {
    const [onbuild] = body("ONBUILD RUN <<EOF\necho hi\nEOF\n");
    assert.deepEqual(onbuild, { kind: "ONBUILD", trigger: "RUN <<EOF\necho hi\nEOF" });
    const again = body((onbuild as { trigger: string }).trigger + "\n");
    assert.deepEqual((again[0] as { heredocs: unknown[] }).heredocs, [{ name: "EOF", content: "echo hi\n", expand: true, chomp: false }]);
  });
});

describe("parseDockerfile: errors", () => {
  // Wording and line numbers as dockerd 20.10 reports them (flags it lacks follow BuildKit).
  const rows: Array<[string, string]> = [
    ["", "the Dockerfile (Dockerfile) cannot be empty"],
    ["# only comment\n", "failed to parse Dockerfile: file with no instructions"],
    ["  \n\n", "failed to parse Dockerfile: file with no instructions"],
    ["# escape=x\nFROM busybox\n", "failed to parse Dockerfile: invalid escape token 'x' does not match ` or \\"],
    ["# escape=`\n# escape=\\\nFROM busybox\n", "failed to parse Dockerfile: only one escape parser directive can be used"],
    ["# syntax=a\n# Syntax=b\nFROM busybox\n", "failed to parse Dockerfile: only one syntax parser directive can be used"],
    ["RUN x\nFROM busybox\n", "no build stage in current context"],
    ["FROM busybox a b c d\n", "dockerfile parse error line 1: FROM requires either one or three arguments"],
    [`${F}FROM busybox AS 1a\n`, 'dockerfile parse error line 2: invalid name for build stage: "1a", name can\'t start with a number or contain symbols'],
    [`${F}FROM --platform busybox\n`, "dockerfile parse error line 2: Missing a value on flag: platform"],
    [`${F}RUN --foo echo\n`, "dockerfile parse error line 2: Unknown flag: foo"],
    [`${F}\n\nRUN echo \\\n --x\nWORKDIR --x=1 a\n`, "dockerfile parse error line 6: Unknown flag: x"],
    [`${F}RUN --mount echo\n`, "dockerfile parse error line 2: Missing a value on flag: mount"],
    [`${F}RUN --network=bridge true\n`, 'dockerfile parse error line 2: invalid network mode "bridge"'],
    [`${F}RUN --mount=type=foo true\n`, 'dockerfile parse error line 2: unsupported mount type "foo"'],
    [`${F}RUN --mount=target=/x,bogus=1 true\n`, "dockerfile parse error line 2: unexpected key 'bogus' in 'bogus=1'"],
    [`${F}RUN --mount=target=/x,sharing=locked true\n`, "dockerfile parse error line 2: invalid cache sharing set for bind mount"],
    [`${F}COPY --from=a --from=b a b\n`, "dockerfile parse error line 2: Duplicate flag specified: from"],
    [`${F}COPY --link=maybe a b\n`, "dockerfile parse error line 2: Expecting boolean value for flag link, not: maybe"],
    [`${F}ADD --parents a b\n`, "dockerfile parse error line 2: Unknown flag: parents"],
    [`${F}COPY a\n`, "dockerfile parse error line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined"],
    [`${F}COPY a <<EOF\nx\nEOF\n`, "dockerfile parse error line 2: COPY cannot accept a heredoc as a destination"],
    [`${F}RUN <<EOF\nx\n`, "dockerfile parse error line 2: unterminated heredoc"],
    [`${F}ENV =x\n`, "dockerfile parse error line 2: ENV names can not be blank"],
    [`${F}ENV\n`, "dockerfile parse error line 2: ENV requires at least one argument"],
    [`${F}ENV a\n`, "failed to parse Dockerfile: ENV must have two arguments"],
    [`${F}ENV a=b c\n`, 'failed to parse Dockerfile: Syntax error - can\'t find = in "c". Must be of the form: name=value'],
    [`${F}LABEL\n`, "dockerfile parse error line 2: LABEL requires at least one argument"],
    [`${F}LABEL a\n`, "failed to parse Dockerfile: LABEL must have two arguments"],
    [`${F}ARG =x\n`, "dockerfile parse error line 2: ARG names can not be blank"],
    [`${F}ARG\n`, "dockerfile parse error line 2: ARG requires at least one argument"],
    [`${F}EXPOSE\n`, "dockerfile parse error line 2: EXPOSE requires at least one argument"],
    [`${F}USER\n`, "dockerfile parse error line 2: USER requires exactly one argument"],
    [`${F}WORKDIR\n`, "dockerfile parse error line 2: WORKDIR requires exactly one argument"],
    [`${F}STOPSIGNAL\n`, "dockerfile parse error line 2: STOPSIGNAL requires exactly one argument"],
    [`${F}MAINTAINER\n`, "dockerfile parse error line 2: MAINTAINER requires exactly one argument"],
    [`${F}VOLUME\n`, "dockerfile parse error line 2: VOLUME requires at least one argument"],
    [`${F}VOLUME [""]\n`, "dockerfile parse error line 2: VOLUME specified can not be an empty string"],
    [`${F}SHELL\n`, "dockerfile parse error line 2: SHELL requires at least one argument"],
    [`${F}SHELL []\n`, "dockerfile parse error line 2: SHELL requires at least one argument"],
    [`${F}SHELL sh -c\n`, "dockerfile parse error line 2: SHELL requires the arguments to be in JSON form"],
    [`${F}SHELL [1]\n`, "failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only"],
    [`${F}CMD ["a", 1]\n`, "failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only"],
    [`${F}HEALTHCHECK\n`, "dockerfile parse error line 2: HEALTHCHECK requires at least one argument"],
    [`${F}HEALTHCHECK NONE x\n`, "dockerfile parse error line 2: HEALTHCHECK NONE takes no arguments"],
    [`${F}HEALTHCHECK FOO x\n`, 'dockerfile parse error line 2: Unknown type "FOO" in HEALTHCHECK (try CMD)'],
    [`${F}HEALTHCHECK CMD\n`, "dockerfile parse error line 2: Missing command after HEALTHCHECK CMD"],
    [`${F}HEALTHCHECK --interval=1us CMD x\n`, 'dockerfile parse error line 2: Interval "interval" cannot be less than 1ms'],
    [`${F}HEALTHCHECK --timeout=0 CMD x\n`, 'dockerfile parse error line 2: Interval "timeout" cannot be less than 1ms'],
    [`${F}HEALTHCHECK --interval=1x CMD x\n`, 'dockerfile parse error line 2: time: unknown unit "x" in duration "1x"'],
    [`${F}HEALTHCHECK --retries=0 CMD x\n`, "dockerfile parse error line 2: --retries must be at least 1 (not 0)"],
    [`${F}HEALTHCHECK --retries=a CMD x\n`, 'dockerfile parse error line 2: strconv.ParseInt: parsing "a": invalid syntax'],
    [`${F}HEALTHCHECK --foo=1s CMD x\n`, "dockerfile parse error line 2: Unknown flag: foo"],
    [`${F}ONBUILD\n`, "dockerfile parse error line 2: ONBUILD requires at least one argument"],
    [`${F}ONBUILD ONBUILD RUN x\n`, "dockerfile parse error line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"],
    [`${F}ONBUILD from x\n`, "dockerfile parse error line 2: FROM isn't allowed as an ONBUILD trigger"],
    [`${F}ONBUILD MAINTAINER x\n`, "dockerfile parse error line 2: MAINTAINER isn't allowed as an ONBUILD trigger"],
    [`${F}ONBUILD ENV a\n`, "failed to parse Dockerfile: ENV must have two arguments"],
    [`${F}foo bar\n`, "dockerfile parse error line 2: unknown instruction: FOO"],
    // The text is cut into instructions before any is checked, so a "file" error further down wins.
    [`${F}RUN --foo x\nENV a\n`, "failed to parse Dockerfile: ENV must have two arguments"],
  ];
  for (const [text, message] of rows) {
    it(JSON.stringify(text), () => {
      assert.throws(() => parseDockerfile(text), (err: unknown) => err instanceof InvalidArgumentError && err.message === message);
    });
  }

  it("names the Dockerfile it was given", () => {
    assert.throws(() => parseDockerfile(`${F}ENV a\n`, { name: "build/Foo.df" }), {
      message: "failed to parse build/Foo.df: ENV must have two arguments",
    });
  });
});
