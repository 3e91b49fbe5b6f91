import { describe, expect, it } from 'vitest';
import { createSimClock } from '../_common/clock';
import { LicenceQueue, type Admission } from './licence-queue';

describe('LicenceQueue', () => {
  it('declines a request only when MORE than maxQueued already wait (fact sheet 1.10: 429 past 20 queued)', async () => {
    const queue = new LicenceQueue(createSimClock(), {
      requestsPerMinute: null,
      maxConcurrent: 1,
      maxQueued: 20,
      realDelayFactor: 0,
    });
    const running = await queue.admit(); // takes the only processing core
    expect(running.admitted).toBe(true);
    const waiting: Promise<Admission>[] = [];
    for (let i = 0; i < 21; i += 1) waiting.push(queue.admit()); // 21 queue: 20 were already waiting when the last came
    const declined = await queue.admit(); // 21 already wait: more than 20
    expect(declined).toEqual({ admitted: false, reason: 'more than 20 requests are already queued' });
    if (running.admitted) running.release();
    for (const pending of waiting) {
      const admission = await pending;
      expect(admission.admitted).toBe(true);
      if (admission.admitted) admission.release();
    }
  });
});
