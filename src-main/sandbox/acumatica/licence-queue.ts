import { setTimeout as sleep } from 'node:timers/promises';
import type { SimClock } from '../_common/clock';

/**
 * The licence request queue of fact sheet 1.10: every request (except logout) enters one
 * queue; at most `maxConcurrent` run at once ("API processing cores"); once half of the
 * per-minute quota was used in the trailing minute, each new request is delayed by
 * (time left in that minute window) / (requests left in the quota). A request is declined
 * (429) only when more than `maxQueued` requests already wait, or when it would wait more
 * than ten minutes.
 *
 * The delay is computed on the simulator clock; `realDelayFactor` scales how long the request
 * really waits (1 = as computed; tests use a small factor to stay fast).
 */
export interface LicenceLimits {
  /** null = no per-minute limit (trial licences have only the API-user limit). */
  requestsPerMinute: number | null;
  /** null = no concurrency limit. */
  maxConcurrent: number | null;
  maxQueued: number;
  realDelayFactor: number;
}

const MINUTE_MS = 60_000;
const MAX_WAIT_MS = 10 * MINUTE_MS;

export type Admission =
  { admitted: true; delayMs: number; release: () => void } | { admitted: false; reason: string };

export class LicenceQueue {
  private readonly recent: number[] = [];
  private running = 0;
  private waiting = 0;
  private readonly slotWaiters: (() => void)[] = [];

  constructor(
    private readonly clock: SimClock,
    private readonly limits: LicenceLimits,
  ) {}

  async admit(): Promise<Admission> {
    // Declined only when MORE than maxQueued already wait (1.10): the (maxQueued + 1)th may queue.
    if (this.waiting > this.limits.maxQueued) {
      return { admitted: false, reason: `more than ${this.limits.maxQueued} requests are already queued` };
    }
    const delayMs = this.throttleDelay();
    if (delayMs > MAX_WAIT_MS)
      return { admitted: false, reason: 'the request would wait more than 10 minutes' };
    this.recent.push(this.clock.now());
    this.waiting += 1;
    try {
      if (delayMs > 0 && this.limits.realDelayFactor > 0)
        await sleep(Math.ceil(delayMs * this.limits.realDelayFactor));
      await this.takeSlot();
    } finally {
      this.waiting -= 1;
    }
    let released = false;
    return {
      admitted: true,
      delayMs,
      release: () => {
        if (released) return;
        released = true;
        this.running -= 1;
        this.slotWaiters.shift()?.();
      },
    };
  }

  private async takeSlot(): Promise<void> {
    const max = this.limits.maxConcurrent;
    while (max !== null && this.running >= max) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    this.running += 1;
  }

  private throttleDelay(): number {
    const quota = this.limits.requestsPerMinute;
    if (quota === null) return 0;
    const now = this.clock.now();
    while (this.recent.length > 0 && (this.recent[0] ?? 0) <= now - MINUTE_MS) this.recent.shift();
    const used = this.recent.length;
    if (used < quota / 2) return 0;
    const windowLeftMs = MINUTE_MS - (now - (this.recent[0] ?? now));
    const requestsLeft = Math.max(1, quota - used);
    return Math.round(windowLeftMs / requestsLeft);
  }
}
