import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F3_FLOW } from '../../src-main/engine/flows/procore-intacct/mappings';
import { booksList, intacctBooks, openF3Harness, type F3Harness, type F3HarnessOptions } from './procore-intacct.support';

/**
 * F3 under Intacct's failures (fact sheet §2): a session that lapses mid-run, a 401 on the
 * login, a sender the company has not authorised, 429 / GW-0010, Cloudflare's 524 after the
 * request committed, a transaction block rolled back, an answer dropped after Intacct
 * committed. Each ends with Intacct holding exactly what a clean run posts (a document posted
 * twice or missing shows), or with nothing written and the reason in words, without a loop.
 */
let clean: [string, unknown][];
const open: F3Harness[] = [];
async function harness(opts: F3HarnessOptions = {}): Promise<F3Harness> {
  const h = await openF3Harness({ seed: 1, scale: 1, ...opts });
  open.push(h);
  return h;
}

beforeAll(async () => {
  const h = await harness();
  const run = await h.run();
  expect(run.status).toBe('succeeded');
  clean = booksList(intacctBooks(await h.intacctState()));
  expect(clean.length).toBeGreaterThan(60);
}, 120_000);
afterAll(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function expectCleanBooks(h: F3Harness): Promise<void> {
  expect(booksList(intacctBooks(await h.intacctState()))).toEqual(clean);
}

describe('F3 under Intacct faults', () => {
  it('a session that lapses mid-run: a new session, the run goes on, the books are a clean run’s', async () => {
    const h = await harness();
    let expired = false;
    const run = await h.run(undefined, {
      // After the first confirmed batch (the vendors), every session Intacct issued is dropped.
      onProgress: () => {
        if (expired) return;
        expired = true;
        void h.setFaults('intacct', 'intacct:expire=1');
      },
    });
    expect(expired).toBe(true);
    expect(run.status, run.error ?? '').toBe('succeeded');
    await expectCleanBooks(h);
  });

  it('HTTP 401 on the login (wrong password): the run stops after one request, asking to connect again; nothing is written', async () => {
    const h = await harness({ intacctSecrets: { userPassword: 'wrong' } });
    const before = h.calls();
    const run = await h.run();
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/user|password|sign/i);
    expect(h.calls().intacct - before.intacct).toBe(1);
    expect(intacctBooks(await h.intacctState()).size).toBe(0);
  });

  it('a sender the company has not authorised: one request, no loop, the administrator’s fix named', async () => {
    const h = await harness({ intacctConfig: { authorizedSenderIds: ['someone-else'] } });
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = h.calls();
      const run = await h.run();
      expect(run.status).toBe('failed');
      expect(run.error).toContain('Web Services authorizations');
      expect(h.calls().intacct - before.intacct).toBe(1);
    }
    expect(intacctBooks(await h.intacctState()).size).toBe(0);
  });

  it('HTTP 429 / GW-0010 on a third of the requests: waited out, nothing written twice', async () => {
    const h = await harness({ faults: 'intacct:429=0.3' });
    const run = await h.run();
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect((await h.intacctRequests()).byStatus['429']).toBeGreaterThan(0);
    await expectCleanBooks(h);
  });

  it('HTTP 524 after Intacct committed (never retried blindly): each unclear write is looked up by its key, nothing posted twice', async () => {
    const h = await harness({ intacctConfig: { cdnTimeoutRate: 0.3 } });
    let run = await h.run();
    // A write whose look-up could not settle it stops the run; the next run's recovery finds it.
    for (let i = 0; i < 3 && run.status !== 'succeeded'; i++) run = await h.run();
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect((await h.intacctRequests()).byStatus['524']).toBeGreaterThan(0);
    await expectCleanBooks(h);
  });

  it('an answer dropped after Intacct committed: looked up, confirmed, nothing posted twice', async () => {
    // Drops fall on writes only (calls running a create or update): a run sends two or three, every answer lost.
    const h = await harness({ faults: 'intacct:drop=1' });
    let run = await h.run();
    for (let i = 0; i < 3 && run.status !== 'succeeded'; i++) run = await h.run();
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect((await h.intacctRequests()).byStatus['0']).toBeGreaterThan(0);
    await expectCleanBooks(h);
  });

  it('a transaction block rolled back (all-or-nothing batches): the refused document is parked in Intacct’s words, the others go again and post; fixed, it posts', async () => {
    const h = await harness({ policy: { atomicBatches: true, transactionTypes: { 'work-order': 'Subcontract', 'purchase-order': 'Purchase Requisition' } } });
    const run = await h.run();
    expect(run.status, run.error ?? '').toBe('partial');
    const parked = h.store.parked.listOpen(F3_FLOW).filter((p) => p.reasonCode === 'target-rejected');
    expect(parked.length).toBeGreaterThan(5);
    for (const p of parked) expect(p.reasonText).toMatch(/^Sage Intacct rejected Purchase order PO-\d+ .*Invalid transaction type 'Purchase Requisition'/);
    const books = intacctBooks(await h.intacctState());
    // Every subcontract of the rolled-back blocks was sent again and posted; no purchase order was.
    const types = [...books.values()].flat().map((d) => d.type);
    expect(types).toContain('Subcontract');
    expect(types).not.toContain('Purchase Order');
    for (const [key, docs] of books) expect(docs, key).toHaveLength(1);
    // The setting corrected: retrying posts them, and the books are a clean run's.
    const fixed = await openRetry(h);
    expect(fixed.counts).toMatchObject({ failed: 0 });
    await expectCleanBooks(h);
  });
});

/** Retries the parked records with the default transaction types (the setting corrected). */
async function openRetry(h: F3Harness) {
  const { retryParked } = await import('../../src-main/engine/flows/procore-intacct/flow');
  const { policy: _wrong, ...deps } = h.deps;
  return retryParked({ ...deps, policy: { atomicBatches: true } });
}
