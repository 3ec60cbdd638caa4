// docker rename: a name is a row's unique column, so renaming is one UPDATE
// under the container's lock; Docker's wording for the refusals.
import { ConflictError, InvalidArgumentError } from "../errors.js";
import { publish, type Context } from "./context.js";
import { nameInUse, normalizeName } from "./names.js";

export async function renameContainer(ctx: Context, idOrName: string, newName: string): Promise<void> {
  if (!newName) throw new InvalidArgumentError("Neither old nor new names may be empty");
  const name = normalizeName(newName);
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    if (rec.name === name) throw new InvalidArgumentError("Renaming a container with the same name as its current name");
    const holder = ctx.records.byName(name);
    if (holder) throw new ConflictError(`Error when allocating new name: ${nameInUse(name, holder.id).message}`);
    const oldName = rec.name;
    ctx.records.rename(id, name);
    rec.name = name;
    publish(ctx, rec, "rename", { oldName });
  });
}
