/**
 * Time as the kit sees it. Everything that waits (retry backoff, budget pacing) goes through
 * an injected clock so tests run instantly and deterministically.
 */
export interface KitClock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: KitClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export interface ManualClock extends KitClock {
  /** Every delay passed to sleep(), in order: tests assert the waits the kit chose. */
  readonly sleeps: number[];
  advance(ms: number): void;
}

/** A clock whose sleep() returns at once and moves time forward: instant, deterministic tests. */
export function createManualClock(startMs = Date.UTC(2026, 0, 15, 9, 0, 0)): ManualClock {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
  };
}
