import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { F3_FLOW, F3_MAPPING_SETS } from '../../src-main/engine/flows/procore-intacct/mappings';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { intacctBooks, openF3Harness, sent, type F3Harness } from './procore-intacct.support';

/**
 * Issue 16's proof for F3 (Procore → Sage Intacct) against the Procore and Intacct simulators:
 * what lands in Intacct is checked against Procore's own records (its simulator's state, not our
 * mappers), to the cent.
 */
type Row = Record<string, unknown>;
const world = generateWorld(1, 1);
const dec = (v: unknown): Decimal => Decimal.parse(String(v ?? '0'));
const sum = (values: unknown[]): Decimal => Decimal.sum(values.map(dec));
const POSTED_STATUSES = ['Approved', 'Complete', 'Received'];

let h: F3Harness;
beforeAll(async () => {
  h = await openF3Harness({ seed: 1, scale: 1 });
});
afterAll(async () => h?.close());

/** The account the sandbox mapping codes to an inactive GL account, and its cost code. */
function plantedCostCode(): string {
  const set = h.store.mappings.getSet(F3_FLOW, F3_MAPPING_SETS.costs)!;
  const rows = h.store.mappings.rows(h.store.mappings.currentVersion(set.id)!.id);
  const row = rows.find((r) => (r.target as Row)['accountNo'] === '59990')!;
  return String((row.sourceKey as Row)['costCode']);
}

/** What a pay application's bill should hold, from Procore's G703 items (separate-line retainage: payable now). */
function expectedBill(state: Record<string, Row[]>, requisitionId: unknown) {
  const items = [...(state['contract_items'] ?? []), ...(state['change_order_items'] ?? [])].filter((i) => String(i['requisition_id']) === String(requisitionId));
  const billed = sum(items.map((i) => dec(i['work_completed_this_period']).plus(dec(i['materials_presently_stored'])).toMoneyString()));
  const retained = sum(items.map((i) => dec(i['work_completed_retainage_retained_this_period']).plus(dec(i['materials_stored_retainage_currently_retained'])).toMoneyString()));
  const released = sum(items.map((i) => dec(i['work_completed_retainage_released_this_period']).plus(dec(i['materials_stored_retainage_released_this_period'])).toMoneyString()));
  return { items, billed, retained, total: billed.minus(retained).plus(released) };
}

describe('F3 Procore → Sage Intacct on the sandbox', () => {
  let first: Awaited<ReturnType<F3Harness['run']>>;

  it('a clean sync posts exactly the expected documents, with lines and dimensions, to the cent against Procore', async () => {
    first = await h.run();
    expect(first.status, first.error ?? '').toBe('succeeded');
    const procore = await h.procoreState();
    const books = intacctBooks(await h.intacctState());
    for (const [key, docs] of books) expect(docs, `${key} is held ${docs.length} times`).toHaveLength(1);
    const parked = new Set(h.store.parked.listOpen(F3_FLOW).map((p) => p.sourceId));
    const projectOf = new Map(world.projects.map((p) => [String(p.procoreId), p]));
    const vendorOf = new Map(world.suppliers.map((s) => [String(s.procoreVendorId), s.intacctVendorId]));
    const codeOf = new Map((procore['cost_codes'] ?? []).map((c) => [String(c['id']), String(c['full_code'])]));

    // Commitments in a posted status: one document each (work orders as subcontracts), SOV + approved change orders.
    const contracts = [...(procore['purchase_order_contracts'] ?? []).map((c): Row & { kind: string } => ({ ...c, kind: 'Purchase Order' })), ...(procore['work_order_contracts'] ?? []).map((c): Row & { kind: string } => ({ ...c, kind: 'Subcontract' }))].filter(
      (c) => POSTED_STATUSES.includes(String(c['status'])) && !c['origin_id'] && !c['deleted_at'],
    );
    expect(contracts.length).toBeGreaterThan(20);
    let commitmentTotal = Decimal.ZERO;
    for (const c of contracts) {
      const key = `procore-commitment-${String(c['id'])}`;
      const doc = books.get(key)?.[0];
      expect(doc, `${String(c['number'])} was not posted`).toBeDefined();
      const sov = (procore['line_items'] ?? []).filter((l) => String(l['contract_id']) === String(c['id']));
      const approved = (procore['commitment_change_orders'] ?? []).filter((o) => String(o['contract_id']) === String(c['id']) && o['status'] === 'approved');
      const expected = sum(sov.map((l) => l['amount'])).plus(sum(approved.map((o) => o['grand_total'])));
      expect(dec(doc!.total).equals(expected), `${String(c['number'])}: Intacct ${doc!.total}, Procore ${expected.toMoneyString()}`).toBe(true);
      commitmentTotal = commitmentTotal.plus(expected);
      expect(doc!.type).toBe(c.kind);
      expect(doc!.vendor).toBe(vendorOf.get(String((c['vendor'] as Row | undefined)?.['id'] ?? c['vendor_id'])));
      const project = projectOf.get(String((c['project'] as Row)['id']))!;
      // One line per SOV line (change orders in this demo amend lines of the same coding), each fully dimensioned.
      expect(doc!.lines).toHaveLength(sov.length);
      for (const line of doc!.lines) {
        const [location, department, projectId, task, costType, klass] = line.dims.split('/');
        expect(projectId).toBe(project.intacctProjectId);
        expect(location).toMatch(/^\d00$/);
        expect(department).toMatch(/^(CON|PM|EQP)$/);
        expect(klass).toMatch(/^(COM|RES|INF)$/);
        expect(sov.map((l) => codeOf.get(String(l['cost_code_id'])))).toContain(task);
        expect(['M', 'E', 'S']).toContain(costType);
      }
    }

    // Approved pay applications: one AP bill each, what is payable now, gross lines + a retainage credit line.
    const requisitions = (procore['requisitions'] ?? []).filter((r) => ['approved', 'approved_as_noted'].includes(String(r['status'])));
    const planted = plantedCostCode();
    let bills = 0;
    for (const r of requisitions) {
      const key = `procore-payapp-${String(r['id'])}`;
      const expected = expectedBill(procore, r['id']);
      const usesPlanted = expected.items.some((i) => codeOf.get(String(i['cost_code_id'])) === planted);
      if (usesPlanted) {
        // Coded to the inactive account: parked, not posted.
        expect(books.has(key)).toBe(false);
        expect(parked.has(String(r['id']))).toBe(true);
        continue;
      }
      const doc = books.get(key)?.[0];
      expect(doc, `pay application ${String(r['id'])} was not posted`).toBeDefined();
      bills += 1;
      expect(dec(doc!.total).equals(expected.total), `pay application ${String(r['id'])}: ${doc!.total} vs ${expected.total.toMoneyString()}`).toBe(true);
      const itemLines = doc!.lines.filter((l) => l.account !== '1610');
      expect(sum(itemLines.map((l) => l.amount)).equals(expected.billed)).toBe(true);
      const retainage = doc!.lines.filter((l) => l.account === '1610');
      expect(sum(retainage.map((l) => l.amount)).equals(expected.retained.negate())).toBe(true);
      for (const line of itemLines) expect(world.apAccounts.map((a) => a.code)).toContain(line.account);
    }
    expect(bills).toBeGreaterThan(30);
    // Nothing else carries a Procore key.
    expect(books.size).toBe(contracts.length + bills);
    expect(first.counts.parked).toBe(requisitions.length - bills);
    expect(commitmentTotal.isZero()).toBe(false);
  });

  it('an inactive GL account parks the record in finance words, with the mapping key that fixes it', () => {
    const open = h.store.parked.listOpen(F3_FLOW);
    expect(open.length).toBeGreaterThan(0);
    const planted = plantedCostCode();
    for (const p of open) {
      expect(p.stream).toBe('pay-applications');
      expect(p.reasonCode).toBe('unmapped-cost');
      expect(p.reasonText).toMatch(new RegExp(`^Pay application #\\d+ of (PO|SC)-\\d+ \\(.+\\), EUR [\\d,]+\\.\\d\\d payable: Cost code ${planted}( / cost type [A-Z])? maps to GL 59990, which is inactive in Intacct$`));
      expect((p.details as Row)['mappingKeys']).toEqual([`cost:${planted}|`]);
    }
  });

  it('a second run writes nothing', async () => {
    const before = intacctBooks(await h.intacctState());
    const second = await h.run();
    expect(second.status).toBe('succeeded');
    expect(second.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect([...intacctBooks(await h.intacctState())]).toEqual([...before]);
  });

  it('an approved change order amends its commitment’s document: one document, new total, the line changed by LINE_NO', async () => {
    const procore = await h.procoreState();
    const posted = new Set([...intacctBooks(await h.intacctState()).keys()]);
    const pending = (procore['commitment_change_orders'] ?? []).find((o) => o['status'] === 'pending' && posted.has(`procore-commitment-${String(o['contract_id'])}`))!;
    expect(pending).toBeDefined();
    const key = `procore-commitment-${String(pending['contract_id'])}`;
    const before = intacctBooks(await h.intacctState()).get(key)![0]!;
    await h.procoreApi('PATCH', `/projects/${String(pending['project_id'])}/commitment_change_orders/${String(pending['id'])}`, { change_order: { status: 'approved' } });
    const run = await h.run();
    expect(run.counts).toMatchObject({ created: 0, updated: 1, failed: 0 });
    const after = intacctBooks(await h.intacctState()).get(key)!;
    expect(after).toHaveLength(1);
    expect(dec(after[0]!.total).equals(dec(before.total).plus(dec(pending['grand_total'])))).toBe(true);
    expect(after[0]!.lines.map((l) => l.lineNo)).toEqual(before.lines.map((l) => l.lineNo));
    const changed = after[0]!.lines.filter((l, i) => l.amount !== before.lines[i]!.amount);
    expect(changed).toHaveLength(1);
    expect(dec(changed[0]!.amount).minus(dec(before.lines.find((l) => l.lineNo === changed[0]!.lineNo)!.amount)).equals(dec(pending['grand_total']))).toBe(true);
  });

  it('fixing the mapping and retrying posts the parked pay applications', async () => {
    const planted = plantedCostCode();
    const set = h.store.mappings.getSet(F3_FLOW, F3_MAPPING_SETS.costs)!;
    const rows = h.store.mappings.rows(h.store.mappings.currentVersion(set.id)!.id);
    const fixed = world.apAccounts.find((a) => a.costCode === planted)!.code;
    h.store.mappings.createVersion(set.id, rows.map((r) => ((r.target as Row)['accountNo'] === '59990' ? { ...r, target: { ...(r.target as Row), accountNo: fixed } } : r)) as never, 'reactivated coding');
    const waiting = h.store.parked.listOpen(F3_FLOW).length;
    const retried = await h.retry();
    expect(retried.counts).toMatchObject({ created: waiting, parked: 0, failed: 0 });
    expect(h.store.parked.listOpen(F3_FLOW)).toEqual([]);
  });

  it('a payment in Intacct shows on the Procore pay application: payment date, status and a contract payment', async () => {
    const intacct = await h.intacctState();
    const bill = (intacct['APBILL'] ?? []).find((b) => String(b['PROCORE_ID']).startsWith('procore-payapp-') && dec(b['TOTALDUE']).compare(dec('100')) > 0)!;
    const requisitionId = String(bill['PROCORE_ID']).replace('procore-payapp-', '');
    const half = dec(bill['TOTALDUE']).times(Decimal.parse('0.5')).roundToCents();
    const pay = (amount: string, date: string) =>
      h.intacctFunction(
        `<create><APPYMT><PAYMENTMETHOD>EFT</PAYMENTMETHOD><FINANCIALENTITY>BNK-EUR</FINANCIALENTITY><VENDORID>${String(bill['VENDORID'])}</VENDORID><PAYMENTDATE>${date}</PAYMENTDATE><APPYMTDETAILS><APPYMTDETAIL><RECORDKEY>${String(bill['RECORDNO'])}</RECORDKEY><TRX_PAYMENTAMOUNT>${amount}</TRX_PAYMENTAMOUNT></APPYMTDETAIL></APPYMTDETAILS></APPYMT></create>`,
      );
    await pay(half.toMoneyString(), '11/02/2026');
    const partly = await h.run();
    expect(partly.counts).toMatchObject({ created: 1, failed: 0 });
    let procore = await h.procoreState();
    let requisition = (procore['requisitions'] ?? []).find((r) => String(r['id']) === requisitionId)!;
    expect(requisition['payment_date']).toBe('2026-11-02');
    expect(requisition['erp_status']).toBe('partially_paid');
    let payments = (procore['contract_payments'] ?? []).filter((p) => String(p['origin_id']).includes(`-bill-${String(bill['RECORDNO'])}`));
    expect(payments.map((p) => dec(p['amount']).toMoneyString())).toEqual([half.toMoneyString()]);

    await pay(dec(bill['TOTALDUE']).minus(half).toMoneyString(), '11/20/2026');
    const paid = await h.run();
    expect(paid.status).toBe('succeeded');
    procore = await h.procoreState();
    requisition = (procore['requisitions'] ?? []).find((r) => String(r['id']) === requisitionId)!;
    expect(requisition['payment_date']).toBe('2026-11-20');
    expect(requisition['erp_status']).toBe('paid');
    payments = (procore['contract_payments'] ?? []).filter((p) => String(p['origin_id']).includes(`-bill-${String(bill['RECORDNO'])}`));
    expect(sum(payments.map((p) => p['amount'])).equals(dec(bill['TOTALDUE']))).toBe(true);
    expect(payments).toHaveLength(2);
    // Nothing more on the next run.
    expect((await h.run()).counts).toMatchObject({ created: 0, updated: 0 });

    // AP reverses the second payment in Intacct: Procore shows the first one only again.
    const paymentsOfBill = (state: Awaited<ReturnType<F3Harness['intacctState']>>) => (state['APPYMTDETAIL'] ?? []).filter((d) => String(d['RECORDKEY']) === String(bill['RECORDNO'])).map((d) => String(d['PAYMENTKEY']));
    const [firstPayment, secondPayment] = paymentsOfBill(await h.intacctState());
    const reverse = (recordNo: string) =>
      h.intacctFunction(`<reverse_appayment key="${recordNo}"><datereversed><year>2026</year><month>11</month><day>25</day></datereversed><description>Bounced</description></reverse_appayment>`);
    await reverse(secondPayment!);
    const reversed = await h.run();
    expect(reversed.status).toBe('succeeded');
    // Two writes: the reversed payment comes off, and the first one now says "partially paid".
    expect(reversed.counts).toMatchObject({ created: 0, updated: 2, failed: 0 });
    procore = await h.procoreState();
    requisition = (procore['requisitions'] ?? []).find((r) => String(r['id']) === requisitionId)!;
    expect(requisition['payment_date']).toBe('2026-11-02');
    expect(requisition['erp_status']).toBe('partially_paid');
    payments = (procore['contract_payments'] ?? []).filter((p) => String(p['origin_id']).includes(`-bill-${String(bill['RECORDNO'])}`));
    expect(payments.map((p) => [String(p['origin_id']), dec(p['amount']).toMoneyString()])).toEqual([[`intacct-payment-${firstPayment!}-bill-${String(bill['RECORDNO'])}`, half.toMoneyString()]]);

    // And the first: the bill is unpaid again, and Procore shows no payment of it.
    await reverse(firstPayment!);
    // Again two: the first payment comes off; the reversed one's record now says "unpaid".
    expect((await h.run()).counts).toMatchObject({ created: 0, updated: 2, failed: 0 });
    procore = await h.procoreState();
    requisition = (procore['requisitions'] ?? []).find((r) => String(r['id']) === requisitionId)!;
    expect(requisition['payment_date'] ?? null).toBeNull();
    expect(requisition['erp_status'] ?? null).toBeNull();
    expect((procore['contract_payments'] ?? []).filter((p) => String(p['origin_id']).includes(`-bill-${String(bill['RECORDNO'])}`))).toEqual([]);
    expect((await h.run()).counts).toMatchObject({ created: 0, updated: 0 });
  });

  it('vendors both ways: a vendor new in Intacct appears in Procore; a name changed in Intacct and an e-mail changed in Procore travel; a field changed on both sides waits for a person', async () => {
    const user = h.intacctUser();
    try {
      const [created] = await user.createVendors([{ key: 'V-9001', vendorId: 'V-9001', name: 'Nieuwe Stukadoors B.V.', email: 'info@nieuwestuc.nl' }]);
      expect(created?.ok).toBe(true);
      const run = await h.run();
      expect(run.status).toBe('succeeded');
      let procore = await h.procoreState();
      const added = (procore['vendors'] ?? []).find((v) => v['origin_id'] === 'V-9001')!;
      expect(added).toMatchObject({ name: 'Nieuwe Stukadoors B.V.', email_address: 'info@nieuwestuc.nl', origin_code: 'V-9001', is_active: true });

      // A linked vendor no other integration owns (no origin id in Procore).
      const linked = world.suppliers.find((s) => s.procoreVendorId !== null && s.intacctVendorId !== null && !(procore['vendors'] ?? []).some((v) => String(v['id']) === String(s.procoreVendorId) && v['origin_id']))!;
      await user.updateVendors([{ key: linked.intacctVendorId!, vendorId: linked.intacctVendorId!, changeId: 'rename', name: `${linked.name} (Holding)` }]);
      await h.procoreApi('PATCH', `/vendors/${String(linked.procoreVendorId)}`, { company_id: Number(h.sandbox.systems.procore!.credentials['companyId']), vendor: { email_address: 'ap@changed.example' } });
      const both = await h.run();
      expect(both.counts).toMatchObject({ failed: 0, parked: 0 });
      procore = await h.procoreState();
      expect((procore['vendors'] ?? []).find((v) => String(v['id']) === String(linked.procoreVendorId))).toMatchObject({ name: `${linked.name} (Holding)`, origin_id: linked.intacctVendorId });
      const inIntacct = (await h.intacctState())['VENDOR']!.find((v) => v['VENDORID'] === linked.intacctVendorId)!;
      expect(inIntacct['DISPLAYCONTACT.EMAIL1']).toBe('ap@changed.example');
      expect(inIntacct['NAME']).toBe(`${linked.name} (Holding)`);

      // The same field changed in both systems: neither wins, a person decides.
      await user.updateVendors([{ key: linked.intacctVendorId!, vendorId: linked.intacctVendorId!, changeId: 'phone-intacct', phone: '+31 10 111 1111' }]);
      await h.procoreApi('PATCH', `/vendors/${String(linked.procoreVendorId)}`, { company_id: Number(h.sandbox.systems.procore!.credentials['companyId']), vendor: { business_phone: '+31 10 222 2222' } });
      const conflict = await h.run();
      expect(conflict.counts.parked).toBe(1);
      const waiting = h.store.parked.listOpen(F3_FLOW).find((p) => p.stream === 'vendors')!;
      expect(waiting.reasonText).toContain('the phone number is "+31 10 111 1111" in Intacct and "+31 10 222 2222" in Procore');
      // Corrected in Procore to Intacct's value: both agree, nothing to write, the record leaves Pending.
      await h.procoreApi('PATCH', `/vendors/${String(linked.procoreVendorId)}`, { company_id: Number(h.sandbox.systems.procore!.credentials['companyId']), vendor: { business_phone: '+31 10 111 1111' } });
      const settled = await h.run();
      expect(settled.counts).toMatchObject({ parked: 0, failed: 0 });
      expect(h.store.parked.listOpen(F3_FLOW).filter((p) => p.stream === 'vendors')).toEqual([]);
    } finally {
      await user.close();
    }
  });

  it('a Procore vendor and an Intacct vendor of the same name are not linked by the sync but suggested; the accepted link is then kept in both', async () => {
    const user = h.intacctUser();
    try {
      const companyId = Number(h.sandbox.systems.procore!.credentials['companyId']);
      const created = (await h.procoreApi('POST', '/vendors', { company_id: companyId, vendor: { name: 'Gevelbouw Noord B.V.' } })) as Record<string, unknown>;
      expect((await user.createVendors([{ key: 'V-9002', vendorId: 'V-9002', name: 'Gevelbouw  noord B.V.' }]))[0]?.ok).toBe(true);
      const named = await h.run();
      expect(named.counts.failed).toBe(0);
      expect(((await h.procoreState())['vendors'] ?? []).find((v) => String(v['id']) === String(created['id']))?.['origin_id'] ?? null).toBeNull();

      const suggestions = await h.runtime.suggestCounterpartyLinks!();
      expect(suggestions.filter((s) => s.vendorId === 'V-9002')).toEqual([{ supplierCode: String(created['id']), supplierName: 'Gevelbouw Noord B.V.', vendorId: 'V-9002', vendorName: 'Gevelbouw  noord B.V.', matchedBy: 'name' }]);
      // Nothing already linked is suggested again.
      const linkedInProcore = new Set(((await h.procoreState())['vendors'] ?? []).filter((v) => v['origin_id']).map((v) => String(v['id'])));
      expect(suggestions.filter((s) => linkedInProcore.has(s.supplierCode))).toEqual([]);

      const set = h.store.mappings.getSet(F3_FLOW, F3_MAPPING_SETS.vendors)!;
      const rows = h.store.mappings.rows(h.store.mappings.currentVersion(set.id)!.id);
      h.store.mappings.createVersion(set.id, [...rows, { sourceKey: { procoreVendorId: String(created['id']) }, target: { intacctVendorId: 'V-9002' } }] as never, 'accepted suggestion');
      // The vendor waiting in Pending goes through with the link (the app retries it when the table is saved).
      const retried = await h.retry();
      expect(retried.counts).toMatchObject({ failed: 0, parked: 0 });
      expect(((await h.procoreState())['vendors'] ?? []).find((v) => String(v['id']) === String(created['id']))).toMatchObject({ origin_id: 'V-9002' });
      expect((await h.runtime.suggestCounterpartyLinks!()).filter((s) => s.vendorId === 'V-9002')).toEqual([]);
    } finally {
      await user.close();
    }
  });

  it('Intacct tasks of mapped projects appear in Procore as cost codes (once a day)', async () => {
    const procore = await h.procoreState();
    const contingency = (procore['cost_codes'] ?? []).filter((c) => c['full_code'] === '01-950');
    expect(contingency).toHaveLength(world.projects.length);
    for (const c of contingency) expect(c).toMatchObject({ name: 'Contingency and allowances', origin_id: `01-950@${String(c['project_id'])}` });
  });

  it('reconciliation: Procore and Intacct agree document by document; a change order approved since the sync is explained', async () => {
    const agreed = await h.reconcile();
    expect(agreed.records.filter((r) => r.cause), JSON.stringify(agreed.records.filter((r) => r.cause), null, 1)).toEqual([]);
    expect(agreed.unexplained).toBe(0);
    expect(agreed.totals.map((t) => t.difference)).toEqual(['0.00']);
    expect(agreed.records.length).toBeGreaterThan(70);
    expect(agreed.apiCalls['intacct']).toBeGreaterThan(0);
    expect(agreed.byProject.length).toBe(world.projects.length);
    const procore = await h.procoreState();
    const posted = new Set(agreed.records.filter((r) => r.documentType !== 'Pay application').map((r) => r.sourceId));
    const pending = (procore['commitment_change_orders'] ?? []).find((o) => o['status'] === 'pending' && posted.has(String(o['contract_id'])))!;
    await h.procoreApi('PATCH', `/projects/${String(pending['project_id'])}/commitment_change_orders/${String(pending['id'])}`, { change_order: { status: 'approved' } });
    const behind = await h.reconcile();
    const differing = behind.records.filter((r) => r.cause);
    expect(differing).toHaveLength(1);
    expect(differing[0]).toMatchObject({ sourceId: String(pending['contract_id']), cause: 'not-yet-synced', difference: dec(pending['grand_total']).negate().toMoneyString() });
    expect(behind.totals[0]!.difference).toBe(dec(pending['grand_total']).negate().toMoneyString());
    expect(behind.unexplained).toBe(0);
    await h.run();
    expect((await h.reconcile()).records.filter((r) => r.cause)).toEqual([]);
  });

  it('control characters typed into Procore are stripped before escaping: the amended document posts, its text without them', async () => {
    const procore = await h.procoreState();
    const contract = (procore['work_order_contracts'] ?? []).find((c) => c['status'] === 'Approved')!;
    const projectId = String((contract['project'] as Row)['id']);
    await h.procoreApi('PATCH', `/work_order_contracts/${String(contract['id'])}?project_id=${projectId}`, { project_id: Number(projectId), work_order_contract: { title: 'Onderaanneming\u000b fundering\u0007 fase 2 & <meerwerk>' } });
    const run = await h.run();
    expect(run.counts).toMatchObject({ updated: 1, failed: 0, parked: 0 });
    const doc = (await h.intacctState())['PODOCUMENT']!.find((p) => p['PROCORE_ID'] === `procore-commitment-${String(contract['id'])}`)!;
    expect(doc['MESSAGE']).toBe('Onderaanneming fundering fase 2 & <meerwerk>');
  });

  it('every request document the flow sent validates against Intacct’s api.xsd', async () => {
    expect(sent.size).toBeGreaterThan(10);
    expect(await sent.problems()).toEqual([]);
  });
});
