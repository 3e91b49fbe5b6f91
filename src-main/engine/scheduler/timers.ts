/**
 * Time as the scheduler sees it: a clock plus one-shot timers, injected so tests move time by
 * hand (no real sleeping) and can simulate a machine that slept through several ticks.
 */
export interface SchedulerTimers {
  /** Epoch milliseconds. */
  now(): number;
  setTimer(fire: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>;

export const systemTimers: SchedulerTimers = {
  now: () => Date.now(),
  setTimer: (fire, delayMs) => setTimeout(fire, Math.max(0, delayMs)),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface FakeTimers extends SchedulerTimers {
  /**
   * Moves time forward, firing due timers in time order (each at its due time), like a machine
   * that stayed awake. Awaits pending promise callbacks between timers.
   */
  advance(ms: number): Promise<void>;
  /**
   * Jumps time forward without firing anything on the way (the machine slept), then fires
   * whatever is now overdue once, as a real OS does on wake.
   */
  sleepFor(ms: number): Promise<void>;
  /** Timers not yet fired. */
  pending(): number;
}

/** Lets queued promise callbacks (the injected run finishing, etc.) settle. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export function createFakeTimers(startMs = Date.UTC(2026, 0, 14, 9, 0, 0)): FakeTimers {
  let now = startMs;
  let nextId = 1;
  const timers = new Map<number, { at: number; fire: () => void }>();

  const fireDue = async (): Promise<boolean> => {
    const due = [...timers.entries()].filter(([, t]) => t.at <= now).sort((a, b) => a[1].at - b[1].at)[0];
    if (!due) return false;
    timers.delete(due[0]);
    due[1].fire();
    await flushPromises();
    return true;
  };

  return {
    now: () => now,
    setTimer: (fire, delayMs) => {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, delayMs), fire });
      return { id };
    },
    clearTimer: (handle) => {
      timers.delete((handle as { id: number }).id);
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const next = [...timers.values()].map((t) => t.at).filter((at) => at <= end).sort((a, b) => a - b)[0];
        if (next === undefined) break;
        now = Math.max(now, next);
        await fireDue();
      }
      now = end;
      await flushPromises();
    },
    async sleepFor(ms) {
      now += ms;
      while (await fireDue());
    },
    pending: () => timers.size,
  };
}
