/**
 * Virtual time for tests that do real loopback I/O with several waiters at once (budget pacing,
 * retry backoff). `sleep(ms)` registers a timer; timers fire one at a time, earliest first,
 * each after a short REAL pause (so requests already on the wire reach the server before time
 * jumps), and time jumps to the timer's moment, never backwards. Unlike the kit's
 * createManualClock (whose every sleep adds its own delay), N callers sleeping at once move
 * time once, as real time would.
 */
import type { KitClock } from '../../src-main/connectors/_kit';

export interface VirtualClock extends KitClock {
  /** Every delay passed to sleep(), in call order. */
  readonly sleeps: number[];
}

export function createVirtualClock(startMs = Date.UTC(2026, 0, 15, 9), realPauseMs = 5): VirtualClock {
  let now = startMs;
  let order = 0;
  let firing = false;
  const sleeps: number[] = [];
  const timers: Array<{ at: number; order: number; wake: () => void }> = [];

  const fireNext = (): void => {
    firing = false;
    timers.sort((a, b) => a.at - b.at || a.order - b.order);
    const next = timers.shift();
    if (!next) return;
    now = Math.max(now, next.at);
    next.wake();
    schedule();
  };
  const schedule = (): void => {
    if (firing || timers.length === 0) return;
    firing = true;
    setTimeout(fireNext, realPauseMs);
  };

  return {
    sleeps,
    now: () => now,
    sleep: (ms) =>
      new Promise<void>((wake) => {
        sleeps.push(ms);
        timers.push({ at: now + Math.max(0, ms), order: order++, wake });
        schedule();
      }),
  };
}
