import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openF4Harness, type F4Harness } from './exact-monday.harness';

/**
 * F1 and F4 on one Exact division (decision 0017): purchase orders are read once per poll for
 * both flows, and deletions of every kind come from one sync/Deleted read; F4 adds only its sales
 * feeds, and an idle poll of the two flows costs one call per feed.
 */
let h: F4Harness;
beforeAll(async () => {
  h = await openF4Harness({ seed: 11, scale: 1, alsoFlows: ['exact-procore'] });
}, 60_000);
afterAll(async () => h?.close());

const f1 = () => h.host.flows.get('exact-procore')!.runtime;

describe('F1 + F4 on one Exact connection', () => {
  it('F4 gets the purchase orders F1 has just read, instead of reading them again', async () => {
    const first = await f1().run({ trigger: 'manual' });
    expect(first.status, first.error ?? '').toBe('succeeded');
    const before = { calls: h.apiCalls().exact, shared: h.host.hub.sharedReads.shared };
    const f4 = await h.run();
    expect(f4.status, f4.error ?? '').toBe('succeeded');
    // Purchase orders came from F1's read, and so did the deletions of all three of F4's kinds.
    expect(h.host.hub.sharedReads.shared - before.shared).toBe(4);
    const sharedCalls = h.apiCalls().exact - before.calls;
    // The same world synced by F4 alone (its own process counters start when it opens).
    const alone = await openF4Harness({ seed: 11, scale: 1 });
    try {
      const own = await alone.run();
      expect(own.status).toBe('succeeded');
      console.info(`F4 Exact calls: ${sharedCalls} after F1 on the same connection, ${alone.apiCalls().exact} alone`);
      expect(sharedCalls).toBeLessThan(alone.apiCalls().exact);
      expect(f4.counts.created).toBe(own.counts.created);
    } finally {
      await alone.close();
    }
  });

  it('an idle poll of both flows costs one Exact call per feed: 3 for F1 (orders, entries, deletions), 3 more for F4 (sales invoices, sales order headers and lines)', async () => {
    const before = h.apiCalls();
    expect((await f1().run({ trigger: 'manual' })).counts.read).toBe(0);
    expect((await h.run()).counts.read).toBe(0);
    const after = h.apiCalls();
    expect(after.exact - before.exact).toBe(6);
    expect(after.monday - before.monday).toBe(0);
  });
});
