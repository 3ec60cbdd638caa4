// Helpers for compose.test.ts and sdk-clients.test.ts: running a client
// program, talking to an engine's API directly (to check state the same way
// against berthd and dockerd), and the compose project the scenarios drive.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { get, request } from "node:http";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The path of a program on PATH, or "" when it is not installed. */
export function which(name: string): string {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

/** A running program whose output so far can be read, and its end. */
export interface Spawned {
  child: ChildProcess;
  output: () => string;
  closed: Promise<Run>;
}

export function spawnProgram(cmd: string, args: string[], o: RunOptions = {}): Spawned {
  const child = spawn(cmd, args, { env: o.env, cwd: o.cwd, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c) => (stdout += c));
  child.stderr!.on("data", (c) => (stderr += c));
  child.stdin!.end(o.input);
  const closed = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr });
    });
  });
  return { child, output: () => stdout + stderr, closed };
}

export function runProgram(cmd: string, args: string[], o: RunOptions = {}): Promise<Run> {
  return spawnProgram(cmd, args, o).closed;
}

/** One request to an engine's API over its unix socket; the body parsed as JSON when it is JSON. */
export function engine(socket: string, method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath: socket,
        method,
        path: apiPath,
        headers: payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {},
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          const json = (res.headers["content-type"] ?? "").includes("json") && text !== "";
          resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : text });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** GET over loopback; resolves with the body. */
export const httpGet = (url: string): Promise<string> =>
  new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns something other than undefined/false; throws after about `ms`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A shell loop for pid 1 that exits 0 at once on SIGTERM ($$ is compose's escape for $). */
const IDLE = "trap 'exit 0' TERM; while :; do sleep 1 & wait $$!; done";

/**
 * The project: `db` (busybox, a healthcheck, the named volume, the env_file),
 * `web` (built from a Dockerfile on busybox, serving HTTP on a published
 * loopback port, on the user network with db), and `tool`, built, pushed to
 * and pulled from the registry at `registry` (only when named: a profile).
 * health.yml is a second project: `app` waits for `db` to be healthy, and
 * `waiter` for `sick`, which never is.
 */
export async function writeComposeProject(dir: string, o: { project: string; registry: string }): Promise<void> {
  const main = `version: "2.4"
services:
  db:
    image: busybox:latest
    command: ["sh", "-c", "echo db starting; echo \\"$$GREETING\\" > /data/greeting; touch /tmp/ready; ${IDLE}"]
    env_file: app.env
    volumes: ["data:/data"]
    networks: [back]
    healthcheck:
      test: ["CMD", "test", "-e", "/tmp/ready"]
      interval: 1s
      timeout: 2s
      retries: 30
  web:
    build: ./web
    image: ${o.project}-web:latest
    depends_on: [db]
    env_file: app.env
    environment: [ROLE=web]
    volumes: ["data:/data"]
    networks: [back]
    ports: ["127.0.0.1::8080"]
  tool:
    build: ./tool
    image: ${o.registry}/${o.project}/tool:1
    profiles: [tools]
networks:
  back: {}
volumes:
  data: {}
`;
  const health = `version: "2.4"
services:
  db:
    image: busybox:latest
    command: ["sh", "-c", "sleep 1; touch /tmp/ready; ${IDLE}"]
    healthcheck:
      test: ["CMD", "test", "-e", "/tmp/ready"]
      interval: 1s
      timeout: 2s
      retries: 30
  app:
    image: busybox:latest
    command: ["sh", "-c", "echo app started; ${IDLE}"]
    depends_on:
      db:
        condition: service_healthy
  sick:
    image: busybox:latest
    command: ["sh", "-c", "${IDLE}"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      timeout: 2s
      retries: 2
    profiles: [sick]
  waiter:
    image: busybox:latest
    command: ["sh", "-c", "${IDLE}"]
    depends_on:
      sick:
        condition: service_healthy
    profiles: [sick]
`;
  await mkdir(path.join(dir, "web"), { recursive: true });
  await mkdir(path.join(dir, "tool"), { recursive: true });
  await writeFile(path.join(dir, "docker-compose.yml"), main);
  await writeFile(path.join(dir, "health.yml"), health);
  await writeFile(path.join(dir, "app.env"), "# from the env_file\nGREETING=hello from env_file\nMODE=test\n");
  await writeFile(
    path.join(dir, "web", "Dockerfile"),
    `FROM busybox:latest
RUN mkdir /www && echo built-by-compose > /built
CMD ["sh", "-c", "echo web up $MODE; hostname > /www/index.html; httpd -p 8080 -h /www; ${IDLE.replace(/\$\$/g, "$")}"]
`,
  );
  await writeFile(path.join(dir, "tool", "Dockerfile"), `FROM busybox:latest\nCMD ["echo", "tool from the registry"]\n`);
}
