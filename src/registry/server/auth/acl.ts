// Who may do what: a JSON policy file (--acl) of rules, each granting actions
// on repository globs to users. "*" as a user means any authenticated user,
// "anonymous" means a request without credentials; in repository globs "*"
// matches any run of characters, "/" included ("team/*" covers "team/a/b").
//
//   {"rules": [
//     {"users": ["*"], "repositories": ["*"], "actions": ["pull"]},
//     {"users": ["alice"], "repositories": ["team/*"], "actions": ["pull", "push", "delete"]},
//     {"users": ["anonymous"], "repositories": ["public/*"], "actions": ["pull"]}
//   ]}
//
// Without a file: authenticated users may pull, push and delete everything
// (deletes still need --allow-delete), anonymous users nothing.
import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "../../../errors.js";

export type Action = "pull" | "push" | "delete";
export const ACTIONS: readonly Action[] = ["pull", "push", "delete"];

interface Rule {
  users: string[];
  repositories: RegExp[];
  actions: Action[];
}

export interface Policy {
  /** The subset of `actions` the user (undefined: anonymous) holds on the repository. */
  granted(user: string | undefined, repository: string, actions: readonly Action[]): Action[];
}

export const DEFAULT_POLICY: Policy = {
  granted: (user, _repository, actions) => (user === undefined ? [] : [...actions]),
};

export async function loadAcl(file: string): Promise<Policy> {
  return parseAcl(await readFile(file, "utf8"), file);
}

export function parseAcl(text: string, file = "acl"): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${file}: ${(err as Error).message}`);
  }
  const rawRules = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(rawRules)) throw new InvalidArgumentError(`${file}: expected {"rules": [...]}`);
  const rules = rawRules.map((r: unknown, i): Rule => {
    const { users, repositories, actions } = r as Record<string, unknown>;
    if (!isStrings(users) || !isStrings(repositories) || !isStrings(actions)) {
      throw new InvalidArgumentError(`${file}: rule ${i}: users, repositories and actions must be lists of strings`);
    }
    const bad = actions.find((a) => !ACTIONS.includes(a as Action) && a !== "*");
    if (bad) throw new InvalidArgumentError(`${file}: rule ${i}: unknown action ${bad}`);
    return {
      users,
      repositories: repositories.map(globToRegExp),
      actions: actions.includes("*") ? [...ACTIONS] : (actions as Action[]),
    };
  });
  return {
    granted(user, repository, actions) {
      const held = new Set<Action>();
      for (const rule of rules) {
        const who = user === undefined ? rule.users.includes("anonymous") : rule.users.includes(user) || rule.users.includes("*");
        if (who && rule.repositories.some((re) => re.test(repository))) rule.actions.forEach((a) => held.add(a));
      }
      return actions.filter((a) => held.has(a));
    },
  };
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === "string");
}

function globToRegExp(glob: string): RegExp {
  const body = glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${body}$`);
}
