import type { ProcoreSimConfig } from './config';

interface Window {
  limit: number;
  lengthMs: number;
  startedAt: number;
  used: number;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/**
 * §2.6: an hourly window and a spike window, counted per app and company (the sandbox has one
 * of each). Every answer carries X-Rate-Limit-Limit/-Remaining/-Reset (Unix seconds) for the
 * window closest to exhaustion; beyond a limit the answer is 429 with Retry-After (seconds).
 * Windows are fixed, starting at their first request. Counters live in memory: a restarted
 * simulator starts with fresh windows, as after a real window reset.
 */
export class ProcoreRateLimiter {
  private readonly windows: Window[];

  constructor(
    config: Pick<ProcoreSimConfig, 'hourlyLimit' | 'spikeLimit' | 'spikeWindowSeconds'>,
    private readonly now: () => number,
  ) {
    this.windows = [
      { limit: config.spikeLimit, lengthMs: config.spikeWindowSeconds * 1000, startedAt: 0, used: 0 },
      { limit: config.hourlyLimit, lengthMs: 3_600_000, startedAt: 0, used: 0 },
    ];
  }

  private roll(at: number): void {
    for (const w of this.windows) {
      if (at >= w.startedAt + w.lengthMs) {
        w.startedAt = at;
        w.used = 0;
      }
    }
  }

  private headersFor(w: Window): Record<string, string> {
    return {
      'X-Rate-Limit-Limit': String(w.limit),
      'X-Rate-Limit-Remaining': String(Math.max(0, w.limit - w.used)),
      'X-Rate-Limit-Reset': String(Math.ceil((w.startedAt + w.lengthMs) / 1000)),
    };
  }

  /** The window with the smallest remaining share (the spike window on ties). */
  private tightest(): Window {
    return this.windows.reduce((a, b) =>
      (b.limit - b.used) / b.limit < (a.limit - a.used) / a.limit ? b : a,
    );
  }

  /** Counts one request, or refuses it when a window is used up. */
  take(): RateDecision {
    const at = this.now();
    this.roll(at);
    const exhausted = this.windows.filter((w) => w.used >= w.limit);
    if (exhausted.length > 0) return { allowed: false, headers: this.refusal(exhausted, at) };
    for (const w of this.windows) w.used += 1;
    return { allowed: true, headers: this.headersFor(this.tightest()) };
  }

  /** Headers without counting (answers that are not counted, e.g. 401). */
  peek(): Record<string, string> {
    this.roll(this.now());
    return this.headersFor(this.tightest());
  }

  /** Headers of a 429 caused from outside (fault injection): the spike window, reported as spent. */
  refusalHeaders(): Record<string, string> {
    const at = this.now();
    this.roll(at);
    const spike = this.windows[0] as Window;
    return this.refusal([{ ...spike, used: spike.limit }], at);
  }

  private refusal(exhausted: Window[], at: number): Record<string, string> {
    // The client may retry when the latest-resetting exhausted window has reset.
    const w = exhausted.reduce((a, b) => (b.startedAt + b.lengthMs > a.startedAt + a.lengthMs ? b : a));
    const retryAfter = Math.max(1, Math.ceil((w.startedAt + w.lengthMs - at) / 1000));
    return { ...this.headersFor(w), 'Retry-After': String(retryAfter) };
  }
}
