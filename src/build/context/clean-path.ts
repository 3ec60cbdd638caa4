// Lexical path cleaning with Go's path.Clean rules, which Docker applies to
// context entries, COPY sources and .dockerignore patterns alike.
import { InvalidArgumentError } from "../../errors.js";

/** Go's path.Clean: collapses "//", "." and "dir/.."; keeps a leading "/" and, for relative paths, leading ".."s. */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/**
 * A name from a build context tar made relative to the context root:
 * "./a//b/" is "a/b", "/a" is "a" (Docker joins names onto the root), "" is
 * the root. A name that climbs out of the root is refused.
 */
export function contextEntryPath(name: string): string {
  const cleaned = cleanPath(name.startsWith("/") ? name : `./${name}`);
  if (cleaned === ".." || cleaned.startsWith("../")) {
    throw new InvalidArgumentError(`invalid build context: entry ${JSON.stringify(name)} is outside the context`);
  }
  return cleaned === "." || cleaned === "/" ? "" : cleaned.replace(/^\//, "");
}

export const joinRel = (dir: string, name: string): string => (dir === "" ? name : name === "" ? dir : `${dir}/${name}`);

export const baseName = (p: string): string => p.slice(p.lastIndexOf("/") + 1);

export const dirName = (p: string): string => {
  const i = p.lastIndexOf("/");
  return i === -1 ? "" : p.slice(0, i);
};
