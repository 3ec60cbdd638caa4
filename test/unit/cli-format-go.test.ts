// `--format` as the docker CLI (28) prints it: Go's fmt on typed structs,
// Docker's template functions, and Go's errors. Every expected string was
// printed by `docker` against a daemon holding the same objects.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CONTAINER_INSPECT, IMAGE_INSPECT, NETWORK_INSPECT, VOLUME_INSPECT, withGoTypes } from "../../src/cli/format/inspect-types.js";
import { goDuration, goTimeString } from "../../src/cli/format/go-print.js";
import { renderEach, renderList } from "../../src/cli/format/render.js";
import { CONTAINER_FORMAT } from "../../src/cli/format/container-context.js";
import { parseTemplate } from "../../src/cli/format/template.js";
import type { StructType } from "../../src/cli/format/go-values.js";

const network = {
  Name: "fmtnet",
  Id: "59a50656743bcabde8b24fcaae99ea8e356e7b713b6b96c4c8bbecbe02ab3823",
  Created: "2026-11-28T13:37:13.098Z",
  Scope: "local",
  Driver: "bridge",
  EnableIPv6: false,
  IPAM: { Driver: "default", Options: {}, Config: [{ Subnet: "10.99.0.0/24", Gateway: "10.99.0.1" }] },
  Internal: false,
  Attachable: false,
  Ingress: false,
  ConfigFrom: { Network: "" },
  ConfigOnly: false,
  Containers: { a869: { Name: "fmt1", EndpointID: "1e4b", MacAddress: "82:7e:af:2e:9f:9a", IPv4Address: "10.99.0.2/24", IPv6Address: "" } },
  Options: {},
  Labels: { a: "b" },
};

const container = {
  Id: "a869619a8123",
  Created: "2026-11-28T13:37:19.1Z",
  Path: "sleep",
  Args: ["1000"],
  State: { Status: "running", Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 27445, ExitCode: 0, Error: "", StartedAt: "2026-11-28T13:37:19.174Z", FinishedAt: "0001-01-01T00:00:00Z" },
  Name: "/fmt1",
  HostConfig: {
    Binds: ["fmtvol:/data"],
    LogConfig: { Type: "json-file", Config: {} },
    NetworkMode: "fmtnet",
    PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "18081" }] },
    RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
    Memory: 0,
    NanoCpus: 0,
    CpuShares: 512,
    OomKillDisable: false,
    Ulimits: [{ Name: "nofile", Soft: 100, Hard: 200 }],
  },
  GraphDriver: { Data: { MergedDir: "/m" }, Name: "overlay2" },
  Mounts: [{ Type: "volume", Name: "fmtvol", Source: "/v/fmtvol/_data", Destination: "/data", Driver: "local", Mode: "z", RW: true, Propagation: "" }],
  Config: {
    Hostname: "a869619a8123",
    Domainname: "",
    User: "",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: { "80/tcp": {}, "90/tcp": {} },
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: ["FOO=bar"],
    Cmd: ["sleep", "1000"],
    Image: "busybox",
    Volumes: null,
    WorkingDir: "",
    Entrypoint: null,
    OnBuild: null,
    Labels: { app: "web" },
  },
  NetworkSettings: {
    Bridge: "",
    SandboxID: "s1",
    Ports: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "18081" }], "90/tcp": null },
    IPAddress: "",
    Networks: {
      fmtnet: { IPAMConfig: null, Links: null, Aliases: null, MacAddress: "82:7e:af:2e:9f:9a", NetworkID: "59a5", EndpointID: "1e4b", Gateway: "10.99.0.1", IPAddress: "10.99.0.2", IPPrefixLen: 24, IPv6Gateway: "", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0, DriverOpts: null, DNSNames: ["fmt1", "a869619a8123"] },
    },
  },
};

const image = {
  Id: "sha256:d2ca",
  RepoTags: ["busybox:latest"],
  RepoDigests: [],
  Created: "2026-11-28T11:26:03.981Z",
  Config: { Cmd: ["sh"], Env: null, Healthcheck: { Test: ["CMD", "true"], Interval: 30_000_000_000, Timeout: 1_500_000_000 } },
  RootFS: { Type: "layers", Layers: ["sha256:6a4d"] },
  Metadata: { LastTagTime: "2026-11-28T13:37:12.052Z" },
  Size: 1985982,
};

const volume = { CreatedAt: "2026-11-28T13:37:13Z", Driver: "local", Labels: { v: "1" }, Mountpoint: "/v/fmtvol/_data", Name: "fmtvol", Options: null, Scope: "local" };

type Row = [format: string, expected: string | RegExp];

const tables: [string, unknown, StructType, Row[]][] = [
  [
    "network inspect",
    network,
    NETWORK_INSPECT,
    [
      ["{{.IPAM.Config}}", "[{10.99.0.0/24  10.99.0.1 map[]}]"],
      ["{{.IPAM}}", "{default map[] [{10.99.0.0/24  10.99.0.1 map[]}]}"],
      ["{{.Created}}", "2026-11-28 13:37:13.098 +0000 UTC"],
      ["{{.Containers}}", "map[a869:{fmt1 1e4b 82:7e:af:2e:9f:9a 10.99.0.2/24 }]"],
      ["{{.Labels}} {{.Labels.a}} {{.Labels.nope}}", "map[a:b] b <no value>"],
      ['{{index .Labels "nope"}}|{{index .Containers "x"}}', "|{    }"],
      ["{{range $id, $c := .Containers}}{{$c.Name}}={{$c.IPv4Address}}{{end}}", "fmt1=10.99.0.2/24"],
      ["{{json .IPAM.Config}}", '[{"Subnet":"10.99.0.0/24","Gateway":"10.99.0.1"}]'],
      // The raw JSON's key, not the Go field: Docker retries the template on the JSON.
      ["{{.Id}}", network.Id],
    ],
  ],
  [
    "container inspect",
    container,
    CONTAINER_INSPECT,
    [
      ["{{.State}}", "{running true false false false false 27445 0  2026-11-28T13:37:19.174Z 0001-01-01T00:00:00Z <nil>}"],
      ['{{printf "%v" .State}}', /^&\{running true /],
      ["{{.State.Status}} {{.State.Pid}} {{.State.Health}}", "running 27445 <nil>"],
      ["{{.Mounts}}", "[{volume fmtvol /v/fmtvol/_data /data local z true }]"],
      ["{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}", "fmtvol:/data"],
      ["{{.Config.Env}}|{{json .Config.Env}}|{{.Config.Labels}}", '[FOO=bar]|["FOO=bar"]|map[app:web]'],
      ["{{.Config.ExposedPorts}} {{.Config.Volumes}} {{.Config.Entrypoint}}", "map[80/tcp:{} 90/tcp:{}] map[] []"],
      ["{{.HostConfig.PortBindings}}|{{.NetworkSettings.Ports}}", "map[80/tcp:[{127.0.0.1 18081}]]|map[80/tcp:[{127.0.0.1 18081}] 90/tcp:[]]"],
      ["{{.HostConfig.LogConfig}}|{{.HostConfig.RestartPolicy}}|{{.GraphDriver.Name}}", "{json-file map[]}|{no 0}|overlay2"],
      ["{{.HostConfig.CPUShares}} {{.HostConfig.Ulimits}} {{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}}", "512 [nofile=100:200] false <nil>"],
      ['{{index .NetworkSettings.Networks "fmtnet"}}', "{<nil> [] [] 82:7e:af:2e:9f:9a map[] 0 59a5 1e4b 10.99.0.1 10.99.0.2 24   0 [fmt1 a869619a8123]}"],
      ["{{.NetworkSettings.Networks}}", /^map\[fmtnet:0xc[0-9a-f]{9}\]$/],
      ["{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "10.99.0.2"],
      ['{{(index .NetworkSettings.Networks "fmtnet").Gateway}}', "10.99.0.1"],
      ['{{join .Config.Cmd " "}} {{len .Config.Env}} {{.Name | upper}} {{lower "AB"}} {{title "ab cd"}}', "sleep 1000 1 /FMT1 ab Ab Cd"],
      ['{{split .Config.Hostname "9"}} {{truncate .Id 4}}|{{pad .Name 1 2}}|', "[a86 61 a8123] a869| /fmt1  |"],
      ['{{if eq .State.Status "running" "paused"}}up{{else}}down{{end}} {{if and .State.Running (not .State.Paused)}}y{{end}}', "up y"],
      ['{{if or .State.Paused .State.Dead}}x{{else if gt .State.Pid 1}}pid{{end}} {{ne .State.ExitCode 0}} {{lt 1 2}} {{le 2 2}} {{ge 1 2}}', "pid false true true false"],
      ["{{with .Config.Healthcheck}}hc{{else}}none{{end}} {{with .State}}{{.Status}}{{end}}", "none running"],
      ['{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}', "app=web;"],
      ['{{pad "" 1 2}}|{{title "ab cd-ef"}}|{{printf "%5.2f %x %t %v" 3.14159 255 true .Config.Env}}|{{len .Name}}|{{slice .Name 1 3}}', "|Ab Cd-Ef| 3.14 ff true [FOO=bar]|5|fm"],
      ['{{html "<a>"}}|{{urlquery "a b"}}|{{print 1 2}}|{{print "a" "b"}}|{{println "x"}}', "&lt;a&gt;|a+b|1 2|ab|x\n"],
      ['{{printf "%s has pid %d, %q, %5s|%-5s|" .Name .State.Pid .State.Status "a" "b"}}', '/fmt1 has pid 27445, "running",     a|b    |'],
      ["{{json .State.Running}} {{json .Config.Labels}}", 'true {"app":"web"}'],
      ["{{.NetworkSettings.IPAddress}}|{{.NetworkSettings.SandboxID}}", "|s1"],
    ],
  ],
  [
    "image inspect",
    image,
    IMAGE_INSPECT,
    [
      ["{{.RootFS}}|{{.Config.Cmd}}|{{.Metadata}}", "{layers [sha256:6a4d]}|[sh]|{2026-11-28 13:37:12.052 +0000 UTC}"],
      ["{{.Config}}", "{{ map[] [] [] [sh] map[]  map[]  false} {0xc"],
      ["{{.Config.Healthcheck}}", "{[CMD true] 30s 1.5s 0s 0s 0}"],
      ["{{.Config.Healthcheck.Interval}} {{json .Config.Healthcheck.Interval}}", "30s 30000000000"],
      ["{{.RepoTags}} {{.RepoDigests}} {{.Size}}", "[busybox:latest] [] 1985982"],
    ],
  ],
  [
    "volume inspect",
    volume,
    VOLUME_INSPECT,
    [
      ["{{.}}", "{<nil> 2026-11-28T13:37:13Z local map[v:1] /v/fmtvol/_data fmtvol map[] local map[] <nil>}"],
      ["{{.Status}}|{{.UsageData}}|{{.Labels.v}}|{{.Options}}", "map[]|<nil>|1|map[]"],
      ["{{json .}}", JSON.stringify(volume)],
    ],
  ],
];

describe("inspect --format on Docker's typed structs", () => {
  for (const [kind, value, type, rows] of tables) {
    describe(kind, () => {
      for (const [format, expected] of rows) {
        it(format, () => {
          const out = renderEach(format, [withGoTypes(value, type)], { raw: [value] });
          if (typeof expected === "string") {
            if (format === "{{.Config}}") assert.ok(out.startsWith(expected), out);
            else assert.equal(out, `${expected}\n`);
          } else assert.match(out.trimEnd(), expected);
        });
      }
    });
  }
});

describe("template errors are Go's, behind each command's prefix", () => {
  const rows: [string, () => string, string][] = [
    ["typed, then raw: a missing key", () => renderEach("{{.State.Status}} {{.Foo}}", [withGoTypes(container, CONTAINER_INSPECT)], { raw: [container] }), 'template parsing error: template: :1:20: executing "" at <.Foo>: map has no entry for key "Foo"'],
    ["a chain points at its second field", () => renderEach("{{.Config.Healthcheck.Test}}", [withGoTypes(container, CONTAINER_INSPECT)], { raw: [container] }), 'template parsing error: template: :1:9: executing "" at <.Config.Healthcheck.Test>: map has no entry for key "Healthcheck"'],
    ["typed only (volume inspect)", () => renderEach("{{.Foo}}", [withGoTypes(volume, VOLUME_INSPECT)]), 'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type volume.Volume'],
    ["a function's error quotes its command", () => renderEach("{{index .Config.Env 5}}", [withGoTypes(container, CONTAINER_INSPECT)], { raw: [container] }), 'template parsing error: template: :1:2: executing "" at <index .Config.Env 5>: error calling index: index out of range: 5'],
    ["ps names its context", () => renderList("{{.Names}}{{if .Foo}}x{{end}}", [{ Names: "a" }], CONTAINER_FORMAT), 'failed to execute template: template: :1:15: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext'],
    ["ps parse error", () => renderList("{{.Names", [], CONTAINER_FORMAT), "failed to parse template: template: :1: unclosed action"],
    ["undefined function", () => renderEach("{{nofunc .ID}}", [{}]), 'template parsing error: template: :1: function "nofunc" not defined'],
    ["version's template is named", () => renderEach("{{.Foo}}", [{ Client: {} }], { name: "version", rootType: "system.versionInfo", errorPrefix: { parse: "template parsing error: ", exec: "" } }), 'template: version:1:2: executing "version" at <.Foo>: can\'t evaluate field Foo in type system.versionInfo'],
  ];
  for (const [name, run, message] of rows) {
    it(name, () => assert.throws(run, (err: Error) => err.message === message || assert.fail(err.message)));
  }
});

describe("Go's time and duration printing", () => {
  const rows: [string, string][] = [
    [goTimeString("2026-11-28T13:37:13.098000Z"), "2026-11-28 13:37:13.098 +0000 UTC"],
    [goTimeString("0001-01-01T00:00:00Z"), "0001-01-01 00:00:00 +0000 UTC"],
    [goTimeString("2024-05-01T10:00:00.5+09:30"), "2024-05-01 10:00:00.5 +0930 +0930"],
    [goDuration(0), "0s"],
    [goDuration(1500), "1.5µs"],
    [goDuration(2_000_000), "2ms"],
    [goDuration(90e9), "1m30s"],
    [goDuration(3600e9), "1h0m0s"],
    [goDuration(1.5e9), "1.5s"],
  ];
  for (const [actual, expected] of rows) it(expected, () => assert.equal(actual, expected));
});

describe("list contexts", () => {
  it("calls {{.Label}} with its argument and heads its column with the label's name", () => {
    const rows = [{ Names: "web", Label: (k: unknown) => ({ app: "shop" })[String(k)] ?? "" }];
    assert.equal(renderList('table {{.Names}}\t{{.Label "app"}}', rows, CONTAINER_FORMAT), "NAMES     app\nweb       shop\n");
  });

  it("reads maps as Go does: a missing key is <no value>, a nil map is empty", () => {
    assert.equal(parseTemplate("{{.a.b}} {{.c}}").execute({ a: {}, c: null }), "<no value> <nil>");
  });
});
