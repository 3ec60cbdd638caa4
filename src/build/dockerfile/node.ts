// First pass over one logical line, as Docker's AST parser does it: keyword,
// flags, and the arguments cut the way this keyword wants them (JSON or
// words, key=value pairs, a nested instruction for ONBUILD). Errors here are
// "file" level; the per-instruction checks come later (instruction.ts).
import type { Command } from "./ast.js";
import { fileError } from "./syntax-error.js";
import { parseJsonStrings, parseWords, splitCommand, splitFirstWord, splitWhitespace, type Escape } from "./words.js";

export interface Node {
  /** As written: `run`, `Copy`. */
  keyword: string;
  /** Leading `--flag[=value]` words, quotes resolved. */
  flags: string[];
  /** The text after the flags, trimmed. */
  rest: string;
  /** The arguments as this keyword cuts them (one shell-form string, JSON items, words). */
  args: string[];
  /** The arguments were a JSON array. */
  json: boolean;
  /** ENV and LABEL: raw key and value words. */
  pairs?: Array<[string, string]>;
  /** ONBUILD: the trigger instruction. */
  child?: Node;
}

type ArgParser = (rest: string, escape: Escape) => Pick<Node, "args" | "json" | "pairs" | "child">;

const plain = (args: string[]): Pick<Node, "args" | "json"> => ({ args, json: false });

/** JSON array, else the whole text as one shell-form argument. */
const maybeJson: ArgParser = (rest) => {
  if (rest === "") return plain([]);
  const json = parseJsonStrings(rest);
  return json ? { args: json, json: true } : plain([rest]);
};

/** JSON array, else whitespace-separated words. */
const maybeJsonList: ArgParser = (rest) => {
  const json = parseJsonStrings(rest);
  return json ? { args: json, json: true } : plain(splitWhitespace(rest));
};

const whole: ArgParser = (rest) => plain(rest === "" ? [] : [rest]);

const words: ArgParser = (rest) => plain(splitWhitespace(rest));

/** `HEALTHCHECK CMD …`: the type word, then the command as maybeJson cuts it. */
const healthcheck: ArgParser = (rest, escape) => {
  const [type, cmd] = splitFirstWord(rest);
  if (type === "") return plain([]);
  const parsed = maybeJson((cmd ?? "").trimStart(), escape);
  return { args: [type, ...parsed.args], json: parsed.json };
};

const nameValues = (keyword: "ENV" | "LABEL"): ArgParser => (rest, escape) => {
  const list = parseWords(rest, escape);
  if (list.length === 0) return { ...plain([]), pairs: [] };
  // Old form `ENV name value with spaces`: the first word has no "=".
  if (!list[0]!.includes("=")) {
    const [name, value] = splitFirstWord(rest);
    if (value === undefined) throw fileError(`${keyword} must have two arguments`);
    return { ...plain([]), pairs: [[name, value]] };
  }
  const pairs = list.map((word): [string, string] => {
    const eq = word.indexOf("=");
    if (eq < 0) throw fileError(`Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
  return { ...plain([]), pairs };
};

const onbuild: ArgParser = (rest, escape) => {
  if (rest === "") return plain([]);
  const child = parseNode(rest, escape);
  return { args: [child.keyword, ...child.args], json: false, child };
};

const PARSERS: Record<string, ArgParser> = {
  add: maybeJsonList,
  arg: (rest, escape) => plain(parseWords(rest, escape)),
  cmd: maybeJson,
  copy: maybeJsonList,
  entrypoint: maybeJson,
  env: nameValues("ENV"),
  expose: words,
  from: words,
  healthcheck,
  label: nameValues("LABEL"),
  maintainer: whole,
  onbuild,
  run: maybeJson,
  shell: maybeJson,
  stopsignal: whole,
  user: whole,
  volume: maybeJsonList,
  workdir: whole,
};

export function parseNode(text: string, escape: Escape): Node {
  const { keyword, flags, rest } = splitCommand(text, escape);
  const parser = PARSERS[keyword.toLowerCase()];
  // Unknown keywords pass this stage with no arguments; instruction.ts names them.
  const parsed = parser ? parser(rest, escape) : plain([]);
  return { keyword, flags, rest, ...parsed };
}

/** RUN, COPY and ADD in shell/list form (also as an ONBUILD trigger) may open heredocs. */
export function mayHaveHeredocs(node: Node): boolean {
  const target = node.keyword.toLowerCase() === "onbuild" && node.child ? node.child : node;
  return ["run", "copy", "add"].includes(target.keyword.toLowerCase()) && !target.json;
}

/** Exec form when the arguments were a JSON array, else the shell-form text as written ("" when none). */
export function nodeCommand(node: Node): Command {
  return node.json ? { form: "exec", args: node.args } : { form: "shell", text: node.args[0] ?? "" };
}
