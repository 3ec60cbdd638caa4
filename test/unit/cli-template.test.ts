// The Go-template subset behind --format, one row per case.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseTemplate } from "../../src/cli/format/template.js";
import { renderList } from "../../src/cli/format/render.js";
import { CONTAINER_FORMAT } from "../../src/cli/format/container-context.js";

const data = {
  Name: "/web",
  Id: "abc",
  State: { Status: "running", Running: true, Pid: 1234, ExitCode: 0 },
  Config: { Labels: { app: "shop", tier: "front" }, Env: ["A=1", "B=2"], Cmd: null, Tty: false },
  Mounts: [{ Source: "/a" }, { Source: "/b" }],
  Empty: [],
};

const cases: [string, string][] = [
  ["{{.Name}}", "/web"],
  ["{{.State.Status}} {{.State.Pid}}", "running 1234"],
  ["{{.State.Running}}", "true"],
  ["{{json .Config.Labels}}", '{"app":"shop","tier":"front"}'],
  ["{{json .Config.Cmd}}", "null"],
  ["{{.Config.Labels}}", "map[app:shop tier:front]"],
  ["{{.Config.Env}}", "[A=1 B=2]"],
  ["{{.Config.Cmd}}", "<nil>"],
  ["{{.Missing}}", "<no value>"],
  ['{{index .Config.Labels "app"}}', "shop"],
  ['{{join .Config.Env ","}}', "A=1,B=2"],
  ["{{lower .State.Status}}|{{upper .State.Status}}", "running|RUNNING"],
  ["{{.State.Status | upper}}", "RUNNING"],
  ['{{printf "%s-%d" .Name .State.Pid}}', "/web-1234"],
  ['{{printf "%q" .Id}}', '"abc"'],
  ['{{printf "%-6s|" .Id}}', "abc   |"],
  ["{{println .Id}}", "abc\n"],
  ["{{range .Mounts}}{{.Source}};{{end}}", "/a;/b;"],
  ["{{range $i, $m := .Mounts}}{{$i}}={{$m.Source}} {{end}}", "0=/a 1=/b "],
  ["{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}},{{end}}", "app:shop,tier:front,"],
  ["{{range .Empty}}x{{else}}none{{end}}", "none"],
  ["{{if .State.Running}}up{{else}}down{{end}}", "up"],
  ["{{if .Config.Tty}}tty{{else if .State.Running}}running{{else}}no{{end}}", "running"],
  ['{{if eq .State.Status "running"}}yes{{end}}', "yes"],
  ["{{if not .Config.Tty}}notty{{end}}", "notty"],
  ["{{with .State}}{{.Pid}}{{end}}", "1234"],
  ["{{len .Mounts}}", "2"],
  ["a {{- .Id -}} b", "aabcb"],
  ['{{split "a,b" ","}}', "[a b]"],
  ["{{(index .Mounts 1).Source}}", "/b"],
  ["{{$.Id}}", "abc"],
  ["{{json .}}", JSON.stringify(data)],
];

describe("template engine", () => {
  for (const [source, expected] of cases) {
    it(source, () => assert.equal(parseTemplate(source).execute(data), expected));
  }

  it("calls a field that is a function with the arguments after it", () => {
    const row = { Label: (k: unknown) => ({ app: "shop" })[String(k)] ?? "" };
    assert.equal(parseTemplate('{{.Label "app"}}|{{.Label "x"}}').execute(row), "shop|");
  });

  it("reports parse errors and unknown fields of strict contexts", () => {
    assert.throws(() => parseTemplate("{{.Foo"), /unclosed action/);
    assert.throws(() => parseTemplate("{{nofunc .Foo}}"), /function "nofunc" not defined/);
    assert.throws(() => parseTemplate("{{if .A}}x"), /unexpected EOF/);
    assert.throws(() => parseTemplate("{{.Foo}}", { strictFields: true }).execute({ Bar: 1 }), /can't evaluate field Foo/);
  });

  it("builds table headers from the fields a table template uses", () => {
    const rows = [{ ID: "abc", Names: "web", Status: "Up 1 second", Label: () => "shop" }];
    assert.equal(
      renderList('table {{.ID}}\\t{{.Names}}\\t{{lower .Status}}\\t{{.Label "app"}}', rows, CONTAINER_FORMAT),
      "CONTAINER ID   NAMES     STATUS        app\nabc            web       up 1 second   shop\n",
    );
    assert.equal(renderList("{{.ID}}: {{.Names}}", rows, CONTAINER_FORMAT), "abc: web\n");
    assert.equal(renderList("json", [{ ID: "abc", Label: () => "" }], CONTAINER_FORMAT), '{"ID":"abc"}\n');
  });
});
