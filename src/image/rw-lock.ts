// A first-come, first-served readers/writer lock. Operations that add images
// (load, import, commit) hold it shared; those that delete layers and blobs
// (rmi, gc) hold it exclusively, so a collection never sees a layer that was
// unpacked but whose image row is not written yet.
export interface RwLock {
  shared<T>(fn: () => Promise<T>): Promise<T>;
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export function createRwLock(): RwLock {
  let readers = 0;
  let writer = false;
  const waiting: { exclusive: boolean; wake: () => void }[] = [];

  const pump = (): void => {
    while (waiting.length > 0) {
      const next = waiting[0]!;
      if (next.exclusive) {
        if (readers === 0 && !writer) {
          waiting.shift();
          writer = true;
          next.wake();
        }
        return;
      }
      if (writer) return;
      waiting.shift();
      readers++;
      next.wake();
    }
  };

  const run = async <T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> => {
    await new Promise<void>((wake) => {
      waiting.push({ exclusive, wake });
      pump();
    });
    try {
      return await fn();
    } finally {
      if (exclusive) writer = false;
      else readers--;
      pump();
    }
  };

  return { shared: (fn) => run(false, fn), exclusive: (fn) => run(true, fn) };
}
