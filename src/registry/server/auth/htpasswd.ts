// The user database: an Apache htpasswd file of bcrypt entries ("user:$2y$…"),
// as `htpasswd -B` writes it and distribution reads it. bcrypt costs tens of
// milliseconds per check by design, and clients send credentials on every
// request, so a successful check is remembered for a short while (keyed by a
// hash of user and password, never the password itself).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import bcrypt from "bcryptjs";
import { InvalidArgumentError } from "../../../errors.js";

export interface UserDatabase {
  /** True when the password is the user's. */
  verify(user: string, password: string): Promise<boolean>;
}

const CACHE_MS = 60_000;

export async function loadHtpasswd(file: string): Promise<UserDatabase> {
  const users = parseHtpasswd(await readFile(file, "utf8"), file);
  const verified = new Map<string, number>();
  return {
    async verify(user, password) {
      const hash = users.get(user);
      if (hash === undefined) return false;
      const key = createHash("sha256").update(`${user}\0${password}\0${hash}`).digest("hex");
      const until = verified.get(key);
      if (until !== undefined && until > Date.now()) return true;
      // bcryptjs knows $2a$/$2b$; $2y$ (PHP's name for the fixed variant) is the same algorithm.
      const ok = await bcrypt.compare(password, hash.replace(/^\$2y\$/, "$2b$"));
      if (ok) verified.set(key, Date.now() + CACHE_MS);
      return ok;
    },
  };
}

export function parseHtpasswd(text: string, file = "htpasswd"): Map<string, string> {
  const users = new Map<string, string>();
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    const hash = line.slice(colon + 1);
    if (colon <= 0 || !/^\$2[aby]\$\d\d\$/.test(hash)) {
      throw new InvalidArgumentError(`${file}:${i + 1}: not a bcrypt htpasswd entry (use htpasswd -B)`);
    }
    users.set(line.slice(0, colon), hash);
  }
  return users;
}
