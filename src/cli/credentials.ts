// Registry credentials of the CLI, kept as the docker CLI keeps them: a
// config.json whose "auths" map a registry key to base64("user:pass")
// (plus an identity token when the registry issued one), or a credential
// helper named by "credsStore"/"credHelpers" that holds the secret instead.
//
// Lifecycle: `berth login` checks the credentials with the daemon (POST
// /auth) and files them under the registry's key in berth's own file
// ($BERTH_CONFIG/config.json, else ~/.berth/config.json; 0600, written
// atomically). `berth pull/push` look the reference's registry up — berth's
// file first, then Docker's ($DOCKER_CONFIG/config.json, else
// ~/.docker/config.json), which berth reads but never writes — and send what
// they find as X-Registry-Auth. `berth logout` erases the key from berth's file.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { RegistryAuthConfig } from "../api/registry-auth.js";
import { InvalidArgumentError, SystemError, isErrno } from "../errors.js";

/** Docker Hub's key, whatever name the user gave it ("docker.io", "index.docker.io", nothing). */
export const INDEX_SERVER = "https://index.docker.io/v1/";

export interface ConfigPaths {
  /** berth's config.json: read first, and the only one written. */
  berth: string;
  /** Docker's config.json: read when berth's has nothing for a registry. */
  docker: string;
}

export function configPaths(env: NodeJS.ProcessEnv = process.env): ConfigPaths {
  const home = env.HOME || os.homedir();
  return {
    berth: path.join(env.BERTH_CONFIG || path.join(home, ".berth"), "config.json"),
    docker: path.join(env.DOCKER_CONFIG || path.join(home, ".docker"), "config.json"),
  };
}

/** A config.json entry as stored; other fields of the file are kept as they are. */
interface StoredAuth {
  auth?: string;
  email?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface ConfigFile {
  auths?: Record<string, StoredAuth>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [other: string]: unknown;
}

/** The docker CLI's ConvertToHostname: "https://r.io:5000/v2/" → "r.io:5000". */
export function convertToHostname(address: string): string {
  let rest = address;
  const scheme = rest.indexOf("://");
  if (scheme >= 0) rest = rest.slice(scheme + 3);
  return rest.split("/")[0];
}

/** The key a registry's credentials are filed under: Docker Hub's one key, else host[:port]. */
export function credentialKey(server: string): string {
  if (server === "" || server === INDEX_SERVER) return INDEX_SERVER;
  const host = convertToHostname(server);
  return host === "docker.io" || host === "index.docker.io" ? INDEX_SERVER : host;
}

async function readConfig(file: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new SyntaxError("not a JSON object");
    return value as ConfigFile;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new InvalidArgumentError(`Error parsing config file (${file}): ${err.message}`);
  }
}

function helperFor(config: ConfigFile, key: string): string | undefined {
  return config.credHelpers?.[key] || config.credsStore || undefined;
}

/** config.json's "auth": base64 "user:pass", as the docker CLI decodes it. */
function decodeAuth(auth: string, file: string): { username: string; password: string } {
  const plain = Buffer.from(auth, "base64").toString("utf8");
  const colon = plain.indexOf(":");
  if (colon <= 0) throw new InvalidArgumentError(`invalid auth configuration file (${file})`);
  return { username: plain.slice(0, colon), password: plain.slice(colon + 1).replace(/\0+$/, "") };
}

/** One file's credentials for a key: its helper when it names one, else its "auths". */
async function lookUp(file: string, key: string): Promise<RegistryAuthConfig | undefined> {
  const config = await readConfig(file);
  if (!config) return undefined;
  const helper = helperFor(config, key);
  if (helper) return runHelperGet(helper, key);
  const auths = config.auths ?? {};
  // Old files (and hand-written ones) use URLs as keys: "https://r.io:5000/v1/".
  const entry = auths[key] ?? Object.entries(auths).find(([k]) => credentialKey(k) === key)?.[1];
  if (!entry) return undefined;
  const found: RegistryAuthConfig = { serveraddress: key };
  if (entry.auth) Object.assign(found, decodeAuth(entry.auth, file));
  if (entry.identitytoken) found.identitytoken = entry.identitytoken;
  if (entry.registrytoken) found.registrytoken = entry.registrytoken;
  return found;
}

/**
 * Credentials for a registry ("docker.io", "localhost:5000", or a key), from
 * berth's file, else Docker's; {} when neither has any.
 */
export async function loadCredentials(registry: string, opts: { paths?: ConfigPaths } = {}): Promise<RegistryAuthConfig> {
  const paths = opts.paths ?? configPaths();
  const key = credentialKey(registry);
  return (await lookUp(paths.berth, key)) ?? (await lookUp(paths.docker, key)) ?? {};
}

/**
 * Files credentials under `auth.serveraddress` (a key) in berth's file, or
 * with its credential helper. `changed` is false when the file already held
 * exactly these, so the caller warns about plain-text storage only once.
 */
export async function saveCredentials(
  auth: RegistryAuthConfig & { serveraddress: string },
  opts: { paths?: ConfigPaths } = {},
): Promise<{ file: string; changed: boolean; helper?: string }> {
  const file = (opts.paths ?? configPaths()).berth;
  const config = (await readConfig(file)) ?? {};
  const key = auth.serveraddress;
  const helper = helperFor(config, key);
  let entry: StoredAuth;
  if (helper) {
    const secret = auth.identitytoken ? { Username: "<token>", Secret: auth.identitytoken } : { Username: auth.username ?? "", Secret: auth.password ?? "" };
    await runHelper(helper, "store", JSON.stringify({ ServerURL: key, ...secret }));
    entry = {};
  } else {
    entry = {};
    if (auth.username || auth.password) entry.auth = Buffer.from(`${auth.username ?? ""}:${auth.password ?? ""}`).toString("base64");
    if (auth.identitytoken) entry.identitytoken = auth.identitytoken;
    if (auth.registrytoken) entry.registrytoken = auth.registrytoken;
  }
  const before = config.auths?.[key];
  if (before && JSON.stringify(before) === JSON.stringify(entry)) return { file, changed: false, helper };
  config.auths = { ...config.auths, [key]: entry };
  await writeConfig(file, config);
  return { file, changed: true, helper };
}

/** Erases every given key from berth's file (and its helper); true when something was there. */
export async function eraseCredentials(keys: string[], opts: { paths?: ConfigPaths } = {}): Promise<boolean> {
  const file = (opts.paths ?? configPaths()).berth;
  const config = await readConfig(file);
  if (!config) return false;
  let erased = false;
  for (const key of new Set(keys)) {
    const helper = helperFor(config, key);
    if (helper) await runHelper(helper, "erase", key);
    if (config.auths && key in config.auths) {
      delete config.auths[key];
      erased = true;
    }
  }
  if (erased) await writeConfig(file, config);
  return erased;
}

/** Temp file beside the target, 0600, fsync, rename: a crash leaves the old file or the new one. */
async function writeConfig(file: string, config: ConfigFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(JSON.stringify(config, null, "\t"));
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, file);
}

/** The helper's answer to `get`, or undefined when it holds nothing for the key. */
async function runHelperGet(helper: string, key: string): Promise<RegistryAuthConfig | undefined> {
  const out = await runHelper(helper, "get", key, { notFound: true });
  if (out === undefined) return undefined;
  let parsed: { Username?: string; Secret?: string };
  try {
    parsed = JSON.parse(out) as { Username?: string; Secret?: string };
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new SystemError(`error getting credentials - err: ${err.message}, out: \`${out.trim()}\``);
  }
  if (parsed.Username === "<token>") return { serveraddress: key, identitytoken: parsed.Secret };
  return { serveraddress: key, username: parsed.Username, password: parsed.Secret };
}

const NOT_FOUND = "credentials not found in native keychain";

/**
 * Runs docker-credential-<helper> <action> with `input` on stdin, as the
 * docker-credential-helpers protocol has it; returns its stdout. With
 * notFound, the helper's "not found" answer is undefined rather than an error.
 */
function runHelper(helper: string, action: "get" | "store" | "erase", input: string, opts: { notFound?: boolean } = {}): Promise<string | undefined> {
  const program = `docker-credential-${helper}`;
  const verb = action === "get" ? "getting" : action === "store" ? "storing" : "erasing";
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", (err) => {
      if (isErrno(err, "ENOENT")) {
        reject(new SystemError(`error ${verb} credentials - err: exec: "${program}": executable file not found in $PATH, out: \`\``));
      } else reject(err);
    });
    child.on("close", (code) => {
      if (code === 0) return resolve(out);
      if (opts.notFound && out.trim() === NOT_FOUND) return resolve(undefined);
      reject(new SystemError(`error ${verb} credentials - err: exit status ${code}, out: \`${out.trim()}\``));
    });
    child.stdin.on("error", (err) => {
      // A helper that exits without reading stdin breaks the pipe; its exit status tells the story.
      if (!isErrno(err, "EPIPE")) reject(err);
    });
    child.stdin.end(input);
  });
}
