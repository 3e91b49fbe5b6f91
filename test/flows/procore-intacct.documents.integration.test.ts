import { afterAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import type { CommitmentDocument } from '../../src-main/engine/flows/procore-intacct/policy';
import { intacctBooks, openF3Harness, sent, type F3Harness } from './procore-intacct.support';

/**
 * The two other document types a commitment can post as (connection setting, decision 0021):
 * an AP bill in draft, or a GL journal entry. Same promise as purchasing: one document per
 * commitment, amended in place by an approved change order, to the cent.
 */
type Row = Record<string, unknown>;
const dec = (v: unknown): Decimal => Decimal.parse(String(v ?? '0'));
const open: F3Harness[] = [];
afterAll(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** What Procore says each posted commitment is worth: SOV lines plus approved change orders. */
function procoreTotals(procore: Record<string, Row[]>): Map<string, Decimal> {
  const totals = new Map<string, Decimal>();
  for (const c of [...(procore['purchase_order_contracts'] ?? []), ...(procore['work_order_contracts'] ?? [])]) {
    if (!['Approved', 'Complete', 'Received'].includes(String(c['status']))) continue;
    const sov = (procore['line_items'] ?? []).filter((l) => String(l['contract_id']) === String(c['id']));
    const approved = (procore['commitment_change_orders'] ?? []).filter((o) => String(o['contract_id']) === String(c['id']) && o['status'] === 'approved');
    totals.set(`procore-commitment-${String(c['id'])}`, Decimal.sum([...sov.map((l) => dec(l['amount'])), ...approved.map((o) => dec(o['grand_total']))]));
  }
  return totals;
}

/** A document's commitment amount: bills their total; journals their job cost lines (the offset balances them). */
function amountOf(doc: ReturnType<typeof intacctBooks> extends Map<string, (infer D)[]> ? D : never): Decimal {
  if (doc.type !== 'journal') return dec(doc.total);
  const cost = doc.lines.filter((l) => l.account !== '9990');
  const offset = doc.lines.filter((l) => l.account === '9990');
  expect(Decimal.sum(doc.lines.map((l) => dec(l.amount))).isZero()).toBe(true); // debits = credits
  expect(offset).toHaveLength(1);
  return Decimal.sum(cost.map((l) => dec(l.amount)));
}

describe.each<[CommitmentDocument, string]>([
  ['draft-bill', 'bill'],
  ['journal', 'journal'],
])('commitments posted as %s', (document, type) => {
  let h: F3Harness;

  it('one document per commitment, to the cent against Procore', async () => {
    h = await openF3Harness({ seed: 2, scale: 1, policy: { commitmentDocument: document } });
    open.push(h);
    const run = await h.run();
    expect(run.status, run.error ?? '').toBe('succeeded');
    const books = intacctBooks(await h.intacctState());
    const expected = procoreTotals(await h.procoreState());
    expect(expected.size).toBeGreaterThan(20);
    // Job cost lines carry GL accounts here, so the demo's inactive account parks commitments too.
    const parked = h.store.parked.listOpen('procore-intacct').filter((p) => p.stream === 'commitments');
    for (const p of parked) expect(p.reasonText, p.reasonText).toMatch(/maps to GL 59990, which is inactive in Intacct|is not linked to an Intacct vendor/);
    for (const p of parked) expected.delete(`procore-commitment-${p.sourceId}`);
    expect(expected.size).toBeGreaterThan(20);
    for (const [key, total] of expected) {
      const docs = books.get(key) ?? [];
      expect(docs, key).toHaveLength(1);
      expect(docs[0]!.type).toBe(type);
      expect(amountOf(docs[0]!).equals(total), `${key}: ${amountOf(docs[0]!).toMoneyString()} vs ${total.toMoneyString()}`).toBe(true);
      if (type === 'bill') expect(docs[0]!.state).toBe('Draft');
    }
  });

  it('an approved change order amends that document; a second run writes nothing', async () => {
    const procore = await h.procoreState();
    const posted = procoreTotals(procore);
    const pending = (procore['commitment_change_orders'] ?? []).find((o) => o['status'] === 'pending' && posted.has(`procore-commitment-${String(o['contract_id'])}`))!;
    await h.procoreApi('PATCH', `/projects/${String(pending['project_id'])}/commitment_change_orders/${String(pending['id'])}`, { change_order: { status: 'approved' } });
    const run = await h.run();
    expect(run.counts).toMatchObject({ created: 0, updated: 1, failed: 0 });
    const key = `procore-commitment-${String(pending['contract_id'])}`;
    const docs = intacctBooks(await h.intacctState()).get(key)!;
    expect(docs).toHaveLength(1);
    expect(amountOf(docs[0]!).equals(posted.get(key)!.plus(dec(pending['grand_total'])))).toBe(true);
    expect((await h.run()).counts).toMatchObject({ created: 0, updated: 0 });
  });

  it('its request documents validate against api.xsd', async () => {
    expect(await sent.problems()).toEqual([]);
  });
});
