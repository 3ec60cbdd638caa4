// berth login [-u USER] [-p PASS | --password-stdin] [SERVER]: as `docker
// login`. The daemon checks the credentials with the registry (POST /auth);
// only then are they filed in berth's config.json. Without -u and -p, stored
// credentials are tried first, then the user is asked on the terminal.
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { UnauthorizedError } from "../../errors.js";
import type { RegistryAuthConfig } from "../../api/registry-auth.js";
import { fromDaemon } from "../../client/client.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { credentialKey, INDEX_SERVER, loadCredentials, saveCredentials } from "../credentials.js";
import { UsageError } from "../usage-error.js";

interface Flags {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] [SERVER]")
    .description("Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.")
    .option("-u, --username <string>", "Username")
    .option("-p, --password <string>", "Password or Personal Access Token (PAT)")
    .option("--password-stdin", "Take the Password or Personal Access Token (PAT) from stdin");
  action<Flags>(cmd, { max: 1 }, async ([server], flags) => {
    const { username, password } = await credentialsFromFlags(ctx, flags);
    const serveraddress = server && server !== "docker.io" ? credentialKey(server) : INDEX_SERVER;
    let status: string | undefined;
    let defaultUser: string | undefined;
    if (!username && !password) {
      const stored = await loadCredentials(serveraddress);
      defaultUser = stored.username;
      if (stored.username && stored.password) status = await loginWithStored(ctx, { ...stored, serveraddress });
    }
    if (status === undefined) {
      const asked = await askCredentials(ctx, { username, password, defaultUser });
      status = await login(ctx, { ...asked, serveraddress });
    }
    ctx.out(`${status}\n`);
  }, ctx);
}

/** docker's verifyLoginFlags and verifyLoginOptions, in their order and wording. */
async function credentialsFromFlags(ctx: CliContext, flags: Flags): Promise<{ username?: string; password?: string }> {
  const fromStdin = flags.passwordStdin || flags.password === "-";
  if (fromStdin) {
    if (flags.password !== undefined && flags.password !== "-") throw new UsageError("conflicting options: cannot specify both --password and --password-stdin");
    if (flags.username === undefined) throw new UsageError("the --password-stdin option requires --username to be set");
  }
  if (flags.username === "") throw new UsageError("username is empty");
  if (flags.password === "") throw new UsageError("password is empty");
  if (flags.password !== undefined && !fromStdin) ctx.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  if (!fromStdin) return { username: flags.username, password: flags.password };
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One line ending is the shell's, not the password's.
  return { username: flags.username, password: Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "").replace(/\r$/, "") };
}

/** Checks the credentials with the daemon, then files them; an identity token replaces the password. */
async function login(ctx: CliContext, auth: RegistryAuthConfig & { serveraddress: string }): Promise<string> {
  const { Status, IdentityToken } = await ctx.client().auth({ username: auth.username, password: auth.password, serveraddress: auth.serveraddress });
  const stored = IdentityToken ? { ...auth, password: undefined, identitytoken: IdentityToken } : auth;
  const saved = await saveCredentials(stored);
  if (saved.changed && !saved.helper && stored.password) {
    ctx.err(`\nWARNING! Your credentials are stored unencrypted in '${saved.file}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
  }
  return Status;
}

/** Returns the status, or undefined when the stored credentials no longer work. */
async function loginWithStored(ctx: CliContext, auth: RegistryAuthConfig & { serveraddress: string }): Promise<string | undefined> {
  ctx.err(`Authenticating with existing credentials... [Username: ${auth.username}]\n`);
  ctx.err(`\n Info -> To login with a different account, run '${ctx.bin} logout' followed by '${ctx.bin} login'\n\n\n`);
  try {
    return await login(ctx, auth);
  } catch (err) {
    if (err instanceof UnauthorizedError) ctx.err("Stored credentials invalid or expired\n");
    else if (fromDaemon(err)) ctx.err(`Login did not succeed, error: Error response from daemon: ${err.message}\n`);
    else throw err;
    return undefined;
  }
}

/** Asks on the terminal for whatever the flags left out; the password is not echoed. */
async function askCredentials(
  ctx: CliContext,
  given: { username?: string; password?: string; defaultUser?: string },
): Promise<{ username: string; password: string }> {
  let { username, password } = given;
  if ((!username || !password) && !process.stdin.isTTY) throw new UsageError("Error: Cannot perform an interactive login from a non TTY device");
  if (!username) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = (await rl.question(given.defaultUser ? `Username (${given.defaultUser}): ` : "Username: ")).trim();
    rl.close();
    username = answer || given.defaultUser;
    if (!username) throw new UsageError("Error: Non-null Username Required");
  }
  if (!password) {
    password = await readHidden(ctx, "Password: ");
    if (!password) throw new UsageError("Error: Password Required");
  }
  return { username, password };
}

/** Reads one line from the terminal in raw mode, echoing nothing. */
function readHidden(ctx: CliContext, prompt: string): Promise<string> {
  ctx.out(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let text = "";
    const finish = (err?: Error): void => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      ctx.out("\n");
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        // Ctrl-C and Ctrl-D end the prompt as they would a shell's.
        if (ch === "\u0003" || ch === "\u0004") return finish(new UsageError("Error: Password Required"));
        if (ch === "\u007f" || ch === "\b") text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on("data", onData);
  });
}
