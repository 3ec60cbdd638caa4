// One async mutex per container ID: every operation that changes a container
// (start, stop, kill, remove, rename, the exit watcher) runs inside withLock,
// so two requests can never interleave their steps on the same container.
// A lock is a promise chain; an entry is dropped once its chain drains.

export interface Locks {
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

export function createLocks(): Locks {
  const tails = new Map<string, Promise<void>>();
  return {
    async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
      const previous = tails.get(id) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = previous.then(() => mine);
      tails.set(id, tail);
      await previous;
      try {
        return await fn();
      } finally {
        release();
        if (tails.get(id) === tail) tails.delete(id);
      }
    },
  };
}
