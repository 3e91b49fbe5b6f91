import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from './pool';

/** A task whose completion the test controls: one deferred per started item. */
function gate(): { started: number[]; release: Map<number, () => void>; fail: Map<number, (e: Error) => void> } {
  return { started: [], release: new Map(), fail: new Map() };
}

function gatedTask(g: ReturnType<typeof gate>, running: { now: number; max: number }) {
  return (item: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      g.started.push(item);
      running.now += 1;
      running.max = Math.max(running.max, running.now);
      const done = (): void => {
        running.now -= 1;
      };
      g.release.set(item, () => {
        done();
        resolve();
      });
      g.fail.set(item, (error) => {
        done();
        reject(error);
      });
    });
}

const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i += 1) await Promise.resolve();
};

describe('forEachConcurrently', () => {
  it('never runs more than `concurrency` tasks at once, starts them in input order and runs every item', async () => {
    const items = Array.from({ length: 10 }, (_, index) => index);
    const running = { now: 0, max: 0 };
    const seen: number[] = [];
    await forEachConcurrently(items, 3, async (item, index) => {
      expect(index).toBe(item);
      seen.push(item);
      running.now += 1;
      running.max = Math.max(running.max, running.now);
      // Uneven durations: later items can finish before earlier ones.
      await new Promise((resolve) => setTimeout(resolve, (item * 7) % 4));
      running.now -= 1;
    });
    expect(running.max).toBe(3);
    expect(seen).toEqual(items);
  });

  it('starts the next item as soon as any running one finishes', async () => {
    const g = gate();
    const running = { now: 0, max: 0 };
    const done = forEachConcurrently([0, 1, 2, 3], 2, gatedTask(g, running));
    await ticks();
    expect(g.started).toEqual([0, 1]);
    g.release.get(1)?.();
    await ticks();
    expect(g.started).toEqual([0, 1, 2]);
    g.release.get(0)?.();
    g.release.get(2)?.();
    await ticks();
    g.release.get(3)?.();
    await expect(done).resolves.toBeUndefined();
    expect(running.max).toBe(2);
  });

  it('after a failure starts nothing new, waits for the running tasks to settle, then throws the first error', async () => {
    const g = gate();
    const running = { now: 0, max: 0 };
    let settled = false;
    const done = forEachConcurrently([0, 1, 2, 3, 4, 5], 3, gatedTask(g, running)).finally(() => {
      settled = true;
    });
    const outcome = done.catch((error: unknown) => error);
    await ticks();
    expect(g.started).toEqual([0, 1, 2]);
    g.fail.get(1)?.(new Error('session over'));
    await ticks();
    // Items 0 and 2 still run; nothing new started; the pool has not thrown yet.
    expect(g.started).toEqual([0, 1, 2]);
    expect(settled).toBe(false);
    g.fail.get(2)?.(new Error('a later failure'));
    g.release.get(0)?.();
    await ticks();
    expect(settled).toBe(true);
    expect(running.now).toBe(0);
    expect(((await outcome) as Error).message).toBe('session over');
    expect(g.started).toEqual([0, 1, 2]);
  });

  it('catches a task that throws synchronously like any other failure', async () => {
    const started: number[] = [];
    const error = await forEachConcurrently([0, 1, 2], 1, (item) => {
      started.push(item);
      if (item === 1) throw new Error('thrown before any await');
      return Promise.resolve();
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('thrown before any await');
    expect(started).toEqual([0, 1]);
  });

  it('does nothing for no items and refuses a concurrency that is not a whole number >= 1', async () => {
    let calls = 0;
    await forEachConcurrently([], 4, async () => {
      calls += 1;
    });
    expect(calls).toBe(0);
    for (const bad of [0, -1, 1.5, Number.NaN])
      await expect(forEachConcurrently([1], bad, async () => {})).rejects.toThrow(
        /concurrency must be a whole number >= 1/,
      );
  });
});
