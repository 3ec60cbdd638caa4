// docker rename: a name is a row's unique column, so renaming is one UPDATE
// under the container's lock. Docker's order of checks and its wording: the
// container first, then the same-name refusal, then the new name's validity
// and availability ("Error when allocating new name: …").
import { ConflictError, InvalidArgumentError } from "../errors.js";
import { publish, type Context } from "./context.js";
import { nameInUse, normalizeName } from "./names.js";

export async function renameContainer(ctx: Context, idOrName: string, newName: string): Promise<void> {
  if (!idOrName || !newName) throw new InvalidArgumentError("Neither old nor new names may be empty");
  const wanted = newName.startsWith("/") ? newName : `/${newName}`;
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    if (rec.name === wanted) throw new InvalidArgumentError("Renaming a container with the same name as its current name");
    let name: string;
    try {
      name = normalizeName(wanted);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      throw new InvalidArgumentError(`Error when allocating new name: ${err.message}`, { cause: err });
    }
    const holder = ctx.records.byName(name);
    if (holder) throw new ConflictError(`Error when allocating new name: ${nameInUse(name, holder.id).message}`);
    const oldName = rec.name;
    ctx.records.rename(id, name);
    rec.name = name;
    publish(ctx, rec, "rename", { oldName });
  });
}
