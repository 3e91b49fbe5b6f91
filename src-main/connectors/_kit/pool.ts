/**
 * Bounded concurrency for independent calls (e.g. one line-item sync per Procore commitment).
 *
 * `forEachConcurrently(items, concurrency, task)` runs `task(item, index)` for every item, at
 * most `concurrency` at a time, starting them in input order. It is fail-stop: once a task
 * throws, no further task starts; the tasks already running are awaited (whatever they record
 * still lands), and then the FIRST error is thrown. Every started task is awaited, so no
 * rejection is ever left unhandled. Tasks that want to survive their own failures catch them.
 *
 * Written here rather than taking p-limit / p-map (p-limit@3 is only a transitive dependency):
 * p-map's `stopOnError` rejects at once while tasks are still running, and p-limit has no stop
 * at all; the callers need "stop launching, let the running ones settle, then throw".
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw new RangeError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  let nextIndex = 0;
  const errors: unknown[] = [];
  // Each worker takes the next unstarted item until the list is done or some task has failed.
  const worker = async (): Promise<void> => {
    while (errors.length === 0 && nextIndex < items.length) {
      const index = nextIndex;
      nextIndex += 1;
      try {
        await task(items[index] as T, index);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  // Workers never reject, so Promise.all resolves only after every started task has settled.
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
