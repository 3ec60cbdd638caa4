// expandWord / expandWords against Docker's word processing. The rows marked
// "20.10" were checked against dockerd 20.10's classic builder on this
// machine (as `LABEL k=<word>` after `ENV V=abc E= S="a b"`, read back with
// docker inspect; EXPOSE through ExposedPorts). That builder lacks the
// colon-less forms (${V-w}, ${V+w}, ${V?m}) and the pattern forms (#, %, /);
// those rows follow BuildKit's lexer, which documents them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expandWord, expandWords } from "../../src/build/dockerfile/expand.js";
import { InvalidArgumentError } from "../../src/errors.js";

const env: Record<string, string> = { V: "abc", E: "", S: "a b", P: "80 443", F: "file.tar.gz", D: "/a/b/c" };
const lookup = (name: string): string | undefined => (Object.hasOwn(env, name) ? env[name] : undefined);

describe("expandWord", () => {
  const rows: Array<[string, string]> = [
    // 20.10
    ["$V", "abc"],
    ["${V}", "abc"],
    ["${U:-def}", "def"],
    ["${E:-def}", "def"],
    ["${V:-}", "abc"],
    ["${V:+alt}", "alt"],
    ["${E:+alt}", ""],
    ["${V:?x}", "abc"],
    ["'$V'", "$V"],
    ['"$V"', "abc"],
    ['"\\$V"', "$V"],
    ["\\$V", "$V"],
    ["x$", "x$"],
    ["$1", ""],
    ["$12", ""],
    ["$-y", "y"],
    ["$@", ""],
    ["$$", ""],
    ['"$0"', ""],
    ["${9}", ""],
    ["${-}", ""],
    ["$V_x", ""],
    ["é$Vé", "é"],
    ["${U:-${V}x}", "abcx"],
    ["${U:-'a b'}", "a b"],
    ["${U:-\\$V}", "$V"],
    ["${U:-a\\}b}", "a}b"],
    ['"a\\b"', "a\\b"],
    ['"a\\"b"', 'a"b'],
    ['"a\\\\b"', "a\\b"],
    ["'a\\b'", "a\\b"],
    ["a\\\\b", "a\\b"],
    ["a\\ b", "a b"],
    ['a"b"c', "abc"],
    ['\\"x\\"', '"x"'],
    ['"${V}"\'${V}\'', "abc${V}"],
    ['"\\`"', "\\`"],
    ["`x", "`x"],
    ["$S", "a b"],
    ["${S:+\"q\"}", "q"],
    ["${V}}", "abc}"],
    ["$}", "$}"],
    ["{$V}", "{abc}"],
    ["\\", ""],
    // BuildKit
    ["${E-def}", ""],
    ["${U-def}", "def"],
    ["${E+alt}", "alt"],
    ["${U+alt}", ""],
    ["${E?m}", ""],
    ["${F#*.}", "tar.gz"],
    ["${F##*.}", "gz"],
    ["${F%.*}", "file.tar"],
    ["${F%%.*}", "file"],
    ["${D#/a}", "/b/c"],
    ["${F/./_}", "file_tar.gz"],
    ["${F//./_}", "file_tar_gz"],
    ["${D//\\//-}", "-a-b-c"],
    ["${F/?i/X}", "Xle.tar.gz"],
    ["${U#x}", ""],
  ];
  for (const [word, want] of rows) {
    it(`${word} → ${JSON.stringify(want)}`, () => assert.equal(expandWord(word, lookup), want));
  }

  it("uses the backtick escape when the Dockerfile says so (20.10)", () => {
    const rows: Array<[string, string]> = [
      ["a`$V", "a$V"],
      ['"`$V"', "$V"],
      ['"a`"b"', 'a"b'],
      ["a\\b", "a\\b"],
      ['"a\\b"', "a\\b"],
      ["a``b", "a`b"],
      ["${U:-a`}b}", "a}b"],
      ["'`'", "`"],
      ['"`x"', "`x"],
    ];
    for (const [word, want] of rows) assert.equal(expandWord(word, lookup, { escape: "`" }), want, word);
  });

  const errors: Array<[string, string]> = [
    // 20.10
    ["${U:?}", "U: is not allowed to be unset"],
    ["${E:?}", "E: is not allowed to be empty"],
    ["${U:?no way}", "U: no way"],
    ["${}", "syntax error: bad substitution"],
    ["${:x}", "syntax error: bad substitution"],
    ["${{x}", "syntax error: bad substitution"],
    ["${V:=x}", "unsupported modifier (=) in substitution"],
    ["'abc", "unexpected end of statement while looking for matching single-quote"],
    ['"abc', "unexpected end of statement while looking for matching double-quote"],
    ["${U:-x", "syntax error: missing '}'"],
    ["a${V:-${U}", "syntax error: missing '}'"],
    // 20.10 says "missing ':' in substitution" here, as it knows only ${V:…}.
    ["${V", "syntax error: missing '}'"],
    ["${V!}", "unsupported modifier (!) in substitution"],
    // BuildKit
    ["${U?}", "U: is not allowed to be unset"],
    ["${V:#a}", "unsupported modifier (#) in substitution"],
    ["${V/a", "syntax error: missing '/' in ${}"],
    ["${V#\\a}", "invalid pattern (\\a) in substitution: invalid escape '\\a'"],
  ];
  for (const [word, message] of errors) {
    it(`${word} fails`, () => {
      assert.throws(
        () => expandWord(word, lookup),
        (err: unknown) => err instanceof InvalidArgumentError && err.message === `failed to process ${JSON.stringify(word)}: ${message}`,
      );
    });
  }
});

describe("expandWords", () => {
  const rows: Array<[string, string[]]> = [
    // 20.10 (EXPOSE $P ${Q}/udp "81" 8${U:-2} exposed 80, 443, 7000/udp, 81, 82)
    ["$P", ["80", "443"]],
    ["8${U:-2}", ["82"]],
    ['"81"', ["81"]],
    ['"$P"', ["80 443"]],
    ["a\\ b  c", ["a b", "c"]],
    ["'x y' z", ["x y", "z"]],
    ['""', []],
    ["  ", []],
    ["${U:-1 2}", ["1", "2"]],
  ];
  for (const [word, want] of rows) {
    it(`${word} → ${JSON.stringify(want)}`, () => assert.deepEqual(expandWords(word, lookup), want));
  }
});
