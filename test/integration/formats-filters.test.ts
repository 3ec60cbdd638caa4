// `--format` and `--filter` everywhere Docker documents them, through two
// clients against one private berthd: the real docker CLI and berth itself
// (`alias docker=berth`). Every scenario asserts the same output for both;
// the expected strings are what docker printed against dockerd: set
// DOCKER_CLI_TEST_HOST=unix:///var/run/docker.sock to run the docker-CLI half
// against one (it needs busybox:latest there, the rootfs of
// scripts/busybox-rootfs.sh; what the test makes is named after a random tag
// and removed, and the rows that count the whole daemon are skipped). Skipped,
// loudly, for the docker client where none is installed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { runProgram, which } from "./compose-fixtures.js";
import { startDaemon, type Daemon, type Result } from "./harness.js";

const dockerPath = process.env.DOCKER_CLI_TEST_BIN || which("docker");
const externalHost = process.env.DOCKER_CLI_TEST_HOST;
if (!dockerPath) console.warn("SKIPPING the docker CLI half of formats-filters: no docker client installed (apt-get install docker.io)");
if (externalHost) console.warn(`SKIPPING the berth half of formats-filters: the docker CLI runs against ${externalHost}`);

interface Client {
  name: string;
  skip: string | false;
  run(args: string[]): Promise<Result>;
}

let d: Daemon | undefined;
let host = "";
const tag = randomBytes(3).toString("hex");
const names = { ctr: `ff-${tag}`, other: `ffo-${tag}`, net: `ffnet-${tag}`, vol: `ffvol-${tag}` };
const octet = 100 + (parseInt(tag.slice(0, 2), 16) % 100);
const subnet = `10.${octet}.7.0/24`;
const port = 20000 + (parseInt(tag, 16) % 20000);

function docker(args: string[]): Promise<Result> {
  return runProgram(dockerPath, args, { env: { ...process.env, DOCKER_HOST: host } });
}

const clients: Client[] = [
  { name: externalHost ? `docker CLI → ${externalHost}` : "docker CLI → berthd", skip: !dockerPath && "no docker client installed", run: docker },
  { name: "berth → berthd", skip: !!externalHost && "berth runs against berthd only", run: (args) => d!.berth(args) },
];

before(async () => {
  let setupClient = docker;
  if (externalHost) host = externalHost;
  else {
    const daemon = await startDaemon();
    d = daemon;
    host = daemon.host;
    setupClient = (args) => daemon.berth(args);
  }
  const setup: string[][] = [
    // With its gateway named: dockerd shows IPAM.Config as the user gave it (berth also fills in a gateway it chose).
    ["network", "create", "--subnet", subnet, "--gateway", `10.${octet}.7.1`, "--label", "tier=front", names.net],
    ["volume", "create", "--label", "v=1", names.vol],
    ["run", "-d", "--name", names.ctr, "--label", "app=web", "-e", "FOO=bar", "-v", `${names.vol}:/data`, "-p", `127.0.0.1:${port}:80`, "--expose", "90", "--network", names.net, "busybox", "sleep", "1000"],
    ["create", "--name", names.other, "--label", "app=db", "busybox", "true"],
  ];
  for (const args of setup) {
    const r = await setupClient(args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  }
});

after(async () => {
  if (externalHost) {
    // A shared daemon: remove exactly what this file made.
    await docker(["rm", "-f", names.ctr, names.other]);
    await docker(["network", "rm", names.net]);
    await docker(["volume", "rm", names.vol]);
  }
  await d?.destroy();
});

/**
 * One scenario: arguments, then the expected stdout (exactly, or a pattern)
 * and exit code; `ownDaemon` rows count everything on the daemon, so they run
 * only against a daemon of the test's own.
 */
type Row = [args: () => string[], stdout: string | RegExp, code?: number, stderr?: RegExp, ownDaemon?: "own daemon"];

const rows: Row[] = [
  // inspect: Go's printing of the typed structs.
  [() => ["inspect", "-f", "{{.State.Status}} {{.Name}} {{json .Config.Env}} {{.Config.Labels}}", names.ctr], `running /${names.ctr} ["FOO=bar"] map[app:web]\n`],
  [() => ["inspect", "-f", "{{.HostConfig.PortBindings}}", names.ctr], `map[80/tcp:[{127.0.0.1 ${port}}]]\n`],
  [() => ["inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}", names.ctr], `volume ${names.vol} /data true\n`],
  [() => ["inspect", "-f", `{{(index .NetworkSettings.Networks "${names.net}").Gateway}}`, names.ctr], `10.${octet}.7.1\n`],
  [() => ["inspect", "-f", "{{.State.Health}}|{{.Config.Volumes}}|{{.HostConfig.LogConfig}}|{{.HostConfig.RestartPolicy}}", names.ctr], "<nil>|map[]|{json-file map[]}|{no 0}\n"],
  [() => ["inspect", "-f", '{{join .Config.Cmd " "}} {{upper .State.Status}} {{printf "%s:%d" .Config.Image 1}}', names.ctr], "sleep 1000 RUNNING busybox:1\n"],
  [() => ["inspect", "-f", "{{if .State.Running}}up{{else}}down{{end}} {{len .Config.Env}}", names.ctr, names.other], "up 1\ndown 0\n"],
  [() => ["inspect", "-f", "{{.Foo}}", names.ctr], "", 1, /template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"/],
  [() => ["network", "inspect", "-f", "{{.IPAM.Config}} {{.Labels}}", names.net], `[{${subnet}  10.${octet}.7.1 map[]}] map[tier:front]\n`],
  [() => ["volume", "inspect", "-f", "{{.Name}} {{.Labels}} {{.Driver}} {{.UsageData}}", names.vol], `${names.vol} map[v:1] local <nil>\n`],
  [() => ["image", "inspect", "-f", "{{.RepoTags}} {{.Config.Cmd}} {{.RootFS.Type}}", "busybox"], "[busybox:latest] [sh] layers\n"],
  // list commands: contexts, {{.Label}}, tables.
  [() => ["ps", "-a", "--format", '{{.Names}} {{.Label "app"}} {{.State}}', "-f", "label=app", "-f", `name=${tag}`], `${names.other} db created\n${names.ctr} web running\n`],
  [() => ["ps", "--format", "table {{.Names}}\t{{.Label \"app\"}}\t{{.Ports}}", "-f", `name=${names.ctr}`], new RegExp(`^NAMES +app +PORTS\\n${names.ctr} +web +90/tcp, 127\\.0\\.0\\.1:${port}->80/tcp\\n$`)],
  [() => ["ps", "--format", "{{.Networks}} {{.Mounts}} {{.LocalVolumes}}", "-f", `name=${names.ctr}`], `${names.net} ${names.vol} 1\n`],
  [() => ["ps", "--format", "{{.Foo}}"], "", 1, /failed to execute template: template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type \*formatter.ContainerContext/],
  [() => ["images", "--format", "{{.Repository}}:{{.Tag}} {{json .Containers}}", "-f", "reference=busybox"], 'busybox:latest "N/A"\n'],
  [() => ["network", "ls", "--format", '{{.Name}} {{.Driver}} {{.Label "tier"}}', "-f", "label=tier=front"], `${names.net} bridge front\n`],
  [() => ["volume", "ls", "--format", '{{.Name}} {{.Driver}} {{.Label "v"}}', "-f", "label=v=1"], `${names.vol} local 1\n`],
  [() => ["history", "--format", "{{.ID}} {{.Comment}}", "busybox"], /^[0-9a-f]{12} Imported from -\n$/],
  [() => ["version", "--format", "{{.Server.Os}} {{json .Client.Os}}"], 'linux "linux"\n'],
  [() => ["info", "--format", "{{.Containers}} {{.ContainersRunning}}"], "2 1\n", 0, undefined, "own daemon"],
  // ps filters.
  [() => ["ps", "--format", "{{.Names}}", "-f", `publish=${port}`], `${names.ctr}\n`],
  [() => ["ps", "--format", "{{.Names}}", "-f", `publish=${port}/udp`], ""],
  [() => ["ps", "--format", "{{.Names}}", "-f", "expose=85-95/tcp"], `${names.ctr}\n`],
  [() => ["ps", "-a", "--format", "{{.Names}}", "-f", `volume=${names.vol}`], `${names.ctr}\n`],
  [() => ["ps", "-a", "--format", "{{.Names}}", "-f", "volume=/data", "-f", `name=${tag}`], `${names.ctr}\n`],
  [() => ["ps", "-a", "--format", "{{.Names}}", "-f", `network=${names.net}`], `${names.ctr}\n`],
  [() => ["ps", "-a", "--format", "{{.Names}}", "-f", "health=none", "-f", "label=app=web"], `${names.ctr}\n`],
  [() => ["ps", "-a", "--format", "{{.Names}}", "-f", "is-task=true"], ""],
  [() => ["ps", "-a", "--format", "{{.Names}}", "-f", "status=created", "-f", `name=${tag}`], `${names.other}\n`],
  [() => ["ps", "-f", "publish=1:2"], "", 1, /filter for 'publish' should not contain ':': 1:2/],
  // dockerd 20.10 says "Invalid filter", 23 and later (and berthd, at API 1.45) "invalid filter".
  [() => ["ps", "-f", "foo=bar"], "", 1, /[Ii]nvalid filter 'foo'/],
  [() => ["network", "ls", "-f", "dangling=x"], "", 1, /invalid value for filter 'dangling', must be "true" \(or "1"\), or "false" \(or "0"\)/],
  [() => ["volume", "ls", "-f", "foo=1"], "", 1, /[Ii]nvalid filter 'foo'/],
  // events: container, event and label filters, formatted.
  [
    () => ["events", "--since", "0", "--until", String(Math.floor(Date.now() / 1000) + 1), "-f", `container=${names.ctr}`, "-f", "event=start", "-f", "label=app=web", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}"],
    `container start ${names.ctr}\n`,
  ],
];

for (const client of clients) {
  describe(`formats and filters: ${client.name}`, { skip: client.skip }, () => {
    for (const [args, stdout, code = 0, stderr, ownDaemon] of rows) {
      test(args().join(" "), { skip: !!externalHost && !!ownDaemon && "counts the whole shared daemon" }, async () => {
        const r = await client.run(args());
        assert.equal(r.code, code, `exit ${r.code}: ${r.stderr}`);
        if (typeof stdout === "string") assert.equal(r.stdout.replace(/^\n$/, ""), stdout);
        else assert.match(r.stdout, stdout);
        if (stderr) assert.match(r.stderr, stderr);
      });
    }
  });
}
