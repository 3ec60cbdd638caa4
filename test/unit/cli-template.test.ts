// The Go-template subset behind --format, one row per case.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseTemplate } from "../../src/cli/format/template.js";
import { renderList } from "../../src/cli/format/render.js";
import { CONTAINER_FORMAT } from "../../src/cli/format/container-context.js";
import { IMAGE_FORMAT, imageRows } from "../../src/cli/format/image-context.js";
import { CONTAINER_INSPECT, IMAGE_INSPECT, withGoTypes } from "../../src/cli/format/inspect-types.js";

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
    assert.throws(() => parseTemplate("{{.Foo}}", { rootType: "*formatter.ContainerContext" }).execute({ Bar: 1 }), /can't evaluate field Foo/);
  });

  it("fills a template of plain fields as the executor does: getters, methods, absent keys, errors", () => {
    const row = {
      get Name() {
        return "web";
      },
      Label: () => "shop",
      Nothing: undefined,
      Count: 3,
    };
    assert.equal(parseTemplate("{{.Name}}\t{{.Label}} {{.Nothing}} {{.Count}}").execute(row), "web\tshop <no value> 3");
    assert.equal(parseTemplate("{{.Name}} {{.Absent}}").execute(row), "web <no value>");
    assert.throws(
      () => parseTemplate("{{.Name}} {{.Absent}}", { rootType: "*formatter.ContainerContext" }).execute(row),
      /:1:12: executing "" at <.Absent>: can't evaluate field Absent in type \*formatter.ContainerContext/,
    );
    assert.equal(parseTemplate("{{.Status}}", { missingKeyError: true }).execute(data.State), "running");
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

describe("inspect templates see Docker's typed structs", () => {
  const container = withGoTypes(
    {
      Id: "abc",
      Args: [],
      Config: { Env: null, Cmd: ["sh"], Entrypoint: null, Labels: null, Volumes: null },
      HostConfig: { Binds: null, PortBindings: { "80/tcp": null } },
      NetworkSettings: { Networks: { bridge: { Aliases: null } } },
      Mounts: [],
    },
    CONTAINER_INSPECT,
  );
  const cases: [string, string][] = [
    ["{{.Config.Env}}|{{.Config.Entrypoint}}|{{.HostConfig.Binds}}|{{.ExecIDs}}", "[]|[]|[]|[]"],
    ["{{.Config.Labels}}|{{.Config.Volumes}}|{{.HostConfig.Tmpfs}}|{{.GraphDriver.Data}}", "map[]|map[]|map[]|map[]"],
    ["{{json .Config.Env}} {{json .Config.Labels}} {{json .HostConfig.Tmpfs}}", "null null null"],
    ["{{len .Config.Env}} {{if .Config.Env}}y{{else}}n{{end}} {{range .HostConfig.Tmpfs}}x{{else}}none{{end}}", "0 n none"],
    ['{{join .Config.Entrypoint ","}}|{{.Config.Cmd}}', "|[sh]"],
    ['{{index .HostConfig.PortBindings "80/tcp"}}', "[]"],
    ["{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.Aliases}}{{end}}", "bridge=[]"],
    // Fields the daemon omitted stay out of JSON; those it sent as null stay null.
    ["{{json .HostConfig}}", '{"Binds":null,"PortBindings":{"80/tcp":null}}'],
    // In the Go struct's field order, as the docker CLI marshals it.
    ["{{json .Config}}", '{"Env":null,"Cmd":["sh"],"Volumes":null,"Entrypoint":null,"Labels":null}'],
  ];
  for (const [source, expected] of cases) {
    it(source, () => assert.equal(parseTemplate(source).execute(container), expected));
  }

  it("types image inspect too", () => {
    const image = withGoTypes({ RepoTags: ["busybox:latest"], RepoDigests: null, Config: { Env: ["A=1"], Labels: null }, RootFS: {} }, IMAGE_INSPECT);
    assert.equal(parseTemplate("{{.RepoTags}} {{.RepoDigests}} {{.Config.Env}} {{.Config.Labels}} {{.RootFS.Layers}}").execute(image), "[busybox:latest] [] [A=1] map[] []");
  });

  it("leaves untyped data as decoded JSON: null is <nil>", () => {
    assert.equal(parseTemplate("{{.Config.Env}} {{.Other}}").execute({ Config: { Env: null }, Other: null }), "<nil> <nil>");
  });
});

describe("JSON as Go's encoder writes it", () => {
  const row = { Command: '"sh -c \'a && b > c\'"', Labels: "a=<b>&", Label: () => "" };

  it("escapes <, > and & when a whole formatter context is marshalled, not a field", () => {
    assert.equal(renderList("json", [row], CONTAINER_FORMAT), '{"Command":"\\"sh -c \'a \\u0026\\u0026 b \\u003e c\'\\"","Labels":"a=\\u003cb\\u003e\\u0026"}\n');
    assert.equal(renderList("{{json .}}", [row], CONTAINER_FORMAT), renderList("json", [row], CONTAINER_FORMAT));
    assert.equal(renderList("{{json .Labels}}", [row], CONTAINER_FORMAT), '"a=<b>&"\n');
    assert.equal(parseTemplate("{{json .}}").execute({ a: "<\u2028>" }), '{"a":"<\\u2028>"}');
  });

  it("prints image sizes as Docker: Size to 3 digits, VirtualSize, SharedSize and UniqueSize to 4", () => {
    const img = { Id: "sha256:" + "a".repeat(64), ParentId: "", RepoTags: ["busybox:latest"], RepoDigests: [], Created: 0, Size: 1_985_952, SharedSize: 1_000_000, VirtualSize: 1_985_952, Labels: {}, Containers: 2 };
    const [ctx] = imageRows(img, { trunc: true, digests: false, now: 100 });
    assert.equal(ctx!.Size, "1.99MB");
    assert.equal(ctx!.VirtualSize, "1.986MB");
    assert.equal(ctx!.SharedSize, "1MB");
    assert.equal(ctx!.UniqueSize, "986kB");
    const json = JSON.parse(renderList("json", [ctx!], IMAGE_FORMAT)) as Record<string, string>;
    assert.equal(json.Digest, "<none>");
    assert.match(renderList("json", [ctx!], IMAGE_FORMAT), /"Digest":"\\u003cnone\\u003e"/);
    assert.equal(renderList("table {{.VirtualSize}}", [ctx!], IMAGE_FORMAT), "SIZE\n1.986MB\n");
  });
});
