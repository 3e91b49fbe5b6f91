import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { openF3Harness, type F3Harness } from './procore-intacct.support';

/**
 * A payment written back to Procore is two calls: the contract payment, then the invoice's
 * payment date and ERP status. With the line cut at the first (`procore:cut=1`: the contract
 * payment commits, its answer is lost, every later call fails), recovery found the contract
 * payment by its origin id and counted the whole write as done: the invoice never showed the
 * payment date nor "paid". Now recovery checks the invoice too, and the payment is planned again
 * from Intacct: no second contract payment, the invoice's date and status set.
 */
type Row = Record<string, unknown>;
const dec = (v: unknown): Decimal => Decimal.parse(String(v ?? '0'));

let h: F3Harness;
beforeAll(async () => {
  h = await openF3Harness({ seed: 1, scale: 1 });
  expect((await h.run()).status).toBe('succeeded');
}, 60_000);
afterAll(async () => h?.close());

describe('F3: a payment whose answer Procore lost after the contract payment', () => {
  it('is finished on the next run: one contract payment, the invoice dated and paid', async () => {
    const bill = ((await h.intacctState())['APBILL'] ?? []).find((b) => String(b['PROCORE_ID']).startsWith('procore-payapp-') && dec(b['TOTALDUE']).compare(dec('100')) > 0)!;
    const requisitionId = String(bill['PROCORE_ID']).replace('procore-payapp-', '');
    await h.intacctFunction(
      `<create><APPYMT><PAYMENTMETHOD>EFT</PAYMENTMETHOD><FINANCIALENTITY>BNK-EUR</FINANCIALENTITY><VENDORID>${String(bill['VENDORID'])}</VENDORID><PAYMENTDATE>11/20/2026</PAYMENTDATE><APPYMTDETAILS><APPYMTDETAIL><RECORDKEY>${String(bill['RECORDNO'])}</RECORDKEY><TRX_PAYMENTAMOUNT>${dec(bill['TOTALDUE']).toMoneyString()}</TRX_PAYMENTAMOUNT></APPYMTDETAIL></APPYMTDETAILS></APPYMT></create>`,
    );
    const inProcore = async () => {
      const state = await h.procoreState();
      return {
        invoice: (state['requisitions'] ?? []).find((r) => String(r['id']) === requisitionId)!,
        payments: (state['contract_payments'] ?? []).filter((p: Row) => String(p['origin_id']).endsWith(`-bill-${String(bill['RECORDNO'])}`)),
      };
    };

    await h.setFaults('procore', 'cut=1');
    const cut = await h.run().finally(() => h.setFaults('procore', null));
    expect(cut.status).toBe('failed');
    const half = await inProcore();
    // The first call committed, the second never came.
    expect(half.payments).toHaveLength(1);
    expect(half.invoice['payment_date'] ?? null).toBeNull();

    const resumed = await h.run();
    expect(resumed.status, resumed.error ?? '').toBe('succeeded');
    const done = await inProcore();
    expect(done.payments).toHaveLength(1);
    expect(dec(done.payments[0]!['amount']).equals(dec(bill['TOTALDUE']))).toBe(true);
    expect(done.invoice['payment_date']).toBe('2026-11-20');
    expect(done.invoice['erp_status']).toBe('paid');
    // Recovery did not claim it: the payment was planned again and written once.
    const confirmed = h.store.db.prepare(`SELECT count(*) AS n FROM audit_log WHERE flow = 'procore-intacct' AND entity = 'procore-payment' AND step = 'confirmed'`).get() as { n: number };
    expect(confirmed.n).toBe(0);
    expect((await h.run()).counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
  }, 60_000);
});
