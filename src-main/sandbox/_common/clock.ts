/**
 * Simulator time. Tests shift it forward (token expiry, rate-limit windows, refresh windows)
 * through /_sandbox/clock instead of sleeping.
 */
export interface SimClock {
  now(): number; // epoch ms
  advance(ms: number): void;
  offsetMs(): number;
}

export function createSimClock(initialOffsetMs = 0): SimClock {
  let offset = initialOffsetMs;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`clock can only move forward, got ${ms}`);
      offset += ms;
    },
    offsetMs: () => offset,
  };
}
