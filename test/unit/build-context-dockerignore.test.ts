// .dockerignore semantics as the docker CLI applies them (moby/patternmatcher
// and TarWithOptions' walk), and Go's filepath.Match for COPY globs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createIgnoreMatcher, parseDockerignore } from "../../src/build/context/dockerignore.js";
import { globMatch, hasGlobMeta, isValidGlob } from "../../src/build/context/glob.js";
import { InvalidArgumentError } from "../../src/errors.js";

describe("parseDockerignore", () => {
  it("drops comments and blanks, trims, cleans, strips a leading / and ./", () => {
    const text = "\uFEFF# comment\n\n  *.md  \n!README.md\n/abs/path/\n./rel//x/\n! spaced\n  # not a comment\r\n";
    assert.deepEqual(parseDockerignore(text), ["*.md", "!README.md", "abs/path", "rel/x", "!spaced", "# not a comment"]);
  });
});

describe("createIgnoreMatcher", () => {
  const table: Array<[string[], string, boolean]> = [
    [["*.md"], "a.md", true],
    [["*.md"], "docs/a.md", false],
    [["*.md", "!README.md"], "README.md", false],
    [["*.md", "!README.md"], "CHANGES.md", true],
    [["**/node_modules"], "node_modules", true],
    [["**/node_modules"], "a/b/node_modules", true],
    [["**/node_modules"], "a/b/node_modules/x/y.js", true],
    [["**/node_modules"], "a/node_modules_x", false],
    [["dir"], "dir/a/b", true],
    [["dir", "!dir/keep"], "dir/keep", false],
    [["dir", "!dir/keep"], "dir/keep/deep", false],
    [["dir", "!dir/keep"], "dir/other", true],
    [["dir/*.txt"], "dir/a.txt", true],
    [["dir/*.txt"], "dir/sub/a.txt", false],
    [["**/*.txt"], "a/b/c.txt", true],
    [["a/**"], "a/b/c", true],
    [["a/**"], "ab", false],
    [["a/**/b"], "a/b", true],
    [["a/**/b"], "a/x/y/b", true],
    [["?.go"], "x.go", true],
    [["?.go"], "xy.go", false],
    [["[a-c].txt"], "b.txt", true],
    [["[a-c].txt"], "d.txt", false],
    [["\\*.txt"], "*.txt", true],
    [["\\*.txt"], "a.txt", false],
    [["a.b"], "axb", false],
    [["*", "!keep"], "keep", false],
    [["!keep", "*"], "keep", true],
    [["../x"], "x", false],
  ];
  for (const [patterns, path, want] of table) {
    it(`${JSON.stringify(patterns)} ${want ? "ignores" : "keeps"} ${path}`, () => {
      assert.equal(createIgnoreMatcher(patterns).ignores(path), want);
    });
  }

  it("walks into an ignored directory only when an exception starts with it", () => {
    const m = createIgnoreMatcher(["dir", "!dir/keep", "other"]);
    assert.equal(m.mayContainIncluded("dir"), true);
    assert.equal(m.mayContainIncluded("other"), false);
    // As in docker: an exception that does not start with the directory does not open it.
    assert.equal(createIgnoreMatcher(["dir", "!**/keep"]).mayContainIncluded("dir"), false);
  });

  it("refuses a lone ! and malformed patterns", () => {
    assert.throws(() => createIgnoreMatcher(["!"]), InvalidArgumentError);
    assert.throws(() => createIgnoreMatcher(["a["]), InvalidArgumentError);
  });
});

describe("globMatch (filepath.Match)", () => {
  const table: Array<[string, string, boolean]> = [
    ["*", "abc", true],
    ["*", "a/b", false],
    ["*/b", "a/b", true],
    ["a?c", "abc", true],
    ["a?c", "a/c", false],
    ["[a-c]x", "bx", true],
    ["[^a-c]x", "dx", true],
    ["[^a-c]x", "ax", false],
    ["\\*x", "*x", true],
    ["\\*x", "ax", false],
    ["*.txt", "a.txt", true],
    ["*.txt", "dir/a.txt", false],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "aXbY", false],
    ["[", "[", false],
  ];
  for (const [pattern, name, want] of table) {
    it(`${pattern} ${want ? "matches" : "does not match"} ${name}`, () => assert.equal(globMatch(pattern, name), want));
  }
  it("tells globs and bad patterns apart", () => {
    assert.equal(hasGlobMeta("a\\*b"), false);
    assert.equal(hasGlobMeta("a*b"), true);
    assert.equal(isValidGlob("[a-"), false);
    assert.equal(isValidGlob("a\\"), false);
    assert.equal(isValidGlob("[a-z]*"), true);
  });
});
