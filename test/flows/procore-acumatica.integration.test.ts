import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { retryParked } from '../../src-main/engine/flows/procore-acumatica/flow';
import { F2_FLOW, F2_MAPPING_SETS } from '../../src-main/engine/flows/procore-acumatica/mappings';
import { reconcileCommitmentsNow, reconcileProcoreAcumatica } from '../../src-main/engine/flows/procore-acumatica/flow';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { billBooks, openF2Harness, val, w, type F2Harness } from './procore-acumatica.harness';

/**
 * Issue 15's proof for F2 on the sandbox: what lands in Acumatica is checked against Procore's
 * own records (the simulator's raw state, not our mappers), to the cent; payments come back;
 * vendors are linked both ways; the commitments report shows the planted differences only.
 */
type Json = Record<string, unknown>;
const world = generateWorld(1, 1);
const plants = world.deliberate.acumatica;
const APPROVED = new Set(['approved', 'approved_as_noted']);
const dec = (v: unknown): Decimal => (typeof v === 'number' ? Decimal.fromJsonNumber(v) : Decimal.parse(String(v)));
const sum = (xs: unknown[]): Decimal => Decimal.sum(xs.map(dec));

let h: F2Harness;
beforeAll(async () => {
  h = await openF2Harness({ procoreSettleSeconds: 0 });
}, 60_000);
afterAll(async () => h?.close());

/** Each approved Procore invoice's expected AP bill, from the G703 items as Procore holds them. */
function expectedInvoiceBills(procore: Record<string, Json[]>) {
  const items = [...(procore['contract_items'] ?? []), ...(procore['change_order_items'] ?? [])];
  return (procore['requisitions'] ?? [])
    .filter((r) => APPROVED.has(String(r['status'])))
    .map((r) => {
      const own = items.filter((i) => String(i['requisition_id']) === String(r['id']));
      const billed = own.map((i) => dec(i['work_completed_this_period']).plus(dec(i['materials_presently_stored']))).filter((a) => !a.isZero());
      const retained = sum(own.flatMap((i) => [i['work_completed_retainage_retained_this_period'], i['materials_stored_retainage_currently_retained']]));
      const released = sum(own.flatMap((i) => [i['work_completed_retainage_released_this_period'], i['materials_stored_retainage_released_this_period'] ?? '0']));
      const lines = [...billed, ...(retained.isZero() ? [] : [retained.negate()]), ...(released.isZero() ? [] : [released])];
      return { id: String(r['id']), origin: `procore:requisition:${r['id']}`, lines: lines.map((l) => l.toMoneyString()).sort(), amount: Decimal.sum(lines).toMoneyString() };
    });
}

function expectedDirectCostBills(procore: Record<string, Json[]>) {
  const lines = procore['direct_cost_line_items'] ?? [];
  return (procore['direct_costs'] ?? [])
    .filter((d) => d['status'] === 'approved' && !d['deleted_at'])
    .map((d) => {
      const own = lines.filter((l) => String(l['direct_cost_id']) === String(d['id']));
      return { id: String(d['id']), origin: `procore:direct-cost:${d['id']}`, lines: own.map((l) => dec(l['amount']).toMoneyString()).sort(), amount: sum(own.map((l) => l['amount'])).toMoneyString() };
    });
}

describe('F2 Procore → Acumatica on the sandbox', () => {
  let first: Awaited<ReturnType<F2Harness['run']>>;
  let procoreBefore: Record<string, Json[]>;

  it('a clean sync posts exactly one AP bill per approved subcontractor invoice and direct cost, lines and totals to the cent', async () => {
    procoreBefore = await h.state('procore');
    first = await h.run();
    expect(first.status, first.error ?? '').toBe('succeeded');
    const acu = await h.state('acumatica');
    const books = billBooks(acu);
    const parked = new Set(h.store.parked.listOpen(F2_FLOW).map((p) => p.sourceId));
    const expected = [
      ...expectedInvoiceBills(procoreBefore).filter((b) => !parked.has(`requisition:${b.id}`)),
      ...expectedDirectCostBills(procoreBefore).filter((b) => !parked.has(`direct-cost:${b.id}`)),
    ];
    // One bill per record, none twice.
    expect(books.map((b) => b.origin).sort()).toEqual(expected.map((b) => b.origin).sort());
    expect(new Set(books.map((b) => b.key)).size).toBe(books.length);
    const byOrigin = new Map(books.map((b) => [b.origin, b]));
    for (const e of expected) {
      const bill = byOrigin.get(e.origin)!;
      expect(dec(bill.amount).equals(Decimal.parse(e.amount)), `${e.origin}: ${bill.amount} vs ${e.amount}`).toBe(true);
      expect(bill.lines.map((l) => dec(l.amount).toMoneyString()).sort(), e.origin).toEqual(e.lines);
      expect([bill.type, bill.status]).toEqual(['Bill', 'Open']);
    }
    expect(first.counts.failed).toBe(0);
    expect(h.store.audit.verifyAuditChain().ok).toBe(true);
  }, 60_000);

  it('codes each line by the mappings: job-cost account, subaccount, branch, project, task and cost code', async () => {
    const acu = await h.state('acumatica');
    const dc = (procoreBefore['direct_costs'] ?? []).find((d) => d['status'] === 'approved' && (procoreBefore['direct_cost_line_items'] ?? []).some((l) => String(l['direct_cost_id']) === String(d['id'])))!;
    const line = (procoreBefore['direct_cost_line_items'] ?? []).find((l) => String(l['direct_cost_id']) === String(dc['id']))!;
    const code = String((line['cost_code'] as Json)['full_code']);
    const bill = billBooks(acu).find((b) => b.origin === `procore:direct-cost:${dc['id']}`)!;
    const project = world.projects.find((p) => String(p.procoreId) === String(dc['project_id']))!;
    const type = String((line['line_item_type'] as Json)['code']);
    expect(bill.lines.find((l) => dec(l.amount).equals(dec(line['amount'])))).toMatchObject({
      account: world.apAccounts.find((a) => a.costCode === code)!.code,
      subaccount: type === 'E' ? 'EQP' : 'CON',
      branch: 'HEADOFFICE',
      project: project.acumaticaProjectId,
      task: code.slice(0, 2),
      costCode: code,
    });
  });

  it('retainage is a line of its own to the retainage payable account, so the bill holds what is payable now', async () => {
    const acu = await h.state('acumatica');
    const withRetainage = billBooks(acu).filter((b) => b.lines.some((l) => l.account === '20500'));
    expect(withRetainage.length).toBeGreaterThan(0);
    for (const b of withRetainage) {
      const line = b.lines.find((l) => l.account === '20500')!;
      expect([line.project, line.task, line.costCode]).toEqual(['X', null, null]);
      expect(String(line.text)).toMatch(/^Retainage (held|released) on /);
    }
  });

  it('marks each posted invoice and direct cost in Procore with its AP bill (synced with the ERP)', async () => {
    const procore = await h.state('procore');
    const acu = await h.state('acumatica');
    const numberOf = new Map((acu['Bill'] ?? []).map((b) => [String(val(b, 'note')).replace('ml-connector origin: ', ''), `${String(val(b, 'Type'))} ${String(val(b, 'ReferenceNbr'))}`]));
    let marked = 0;
    for (const [kind, rows] of [
      ['requisition', procore['requisitions'] ?? []],
      ['direct-cost', procore['direct_costs'] ?? []],
    ] as const) {
      for (const r of rows) {
        const key = numberOf.get(`procore:${kind}:${r['id']}`);
        if (!key) continue;
        expect(r['origin_id']).toBe(key);
        expect(String(r['origin_data'])).toMatch(/^ml-connector → Acumatica AP /);
        marked += 1;
      }
    }
    expect(marked).toBe(numberOf.size);
  });

  it('does not post an invoice that is not approved', async () => {
    const acu = await h.state('acumatica');
    const origins = new Set(billBooks(acu).map((b) => b.origin));
    const notApproved = (procoreBefore['requisitions'] ?? []).filter((r) => !APPROVED.has(String(r['status'])));
    expect(notApproved.length).toBeGreaterThan(0);
    for (const r of notApproved) expect(origins.has(`procore:requisition:${r['id']}`)).toBe(false);
    const draftCosts = (procoreBefore['direct_costs'] ?? []).filter((d) => d['status'] !== 'approved');
    for (const d of draftCosts) expect(origins.has(`procore:direct-cost:${d['id']}`)).toBe(false);
  });

  it('parks what Acumatica would refuse, in finance words: the inactive account and the cost code Acumatica lacks', () => {
    const open = h.store.parked.listOpen(F2_FLOW);
    const inactive = world.apAccounts.find((a) => a.code === plants.inactiveAccountCode)!;
    const onInactive = open.filter((p) => p.reasonText.includes(`Cost code ${inactive.costCode} maps to GL ${plants.inactiveAccountCode}, which is inactive in Acumatica`));
    expect(onInactive.length).toBeGreaterThan(0);
    // The reason says what is wrong; the record is named by its label (document, number, vendor, project, amount).
    expect(onInactive[0]!.reasonText).toMatch(/^Cost code /);
    expect(onInactive[0]!.label).toMatchObject({ documentType: 'Subcontractor invoice', number: expect.stringMatching(/^SC-\d+ #\d+ \(.+\)$/), counterparty: expect.any(String), amount: expect.stringMatching(/^\d+\.\d\d$/), currency: 'EUR' });
    expect(onInactive[0]!.label!.project).toMatch(/^P26\d+ /);
    // A posted invoice's entry names the AP bill as Acumatica does: the vendor's invoice number, its reference number.
    const posted = h.store.audit.query({ flow: F2_FLOW, entity: 'subcontractor-invoice', step: 'written' }, { limit: 1 }).entries[0]!;
    expect(posted.targetLabel).toMatchObject({ system: 'Acumatica', documentType: 'Bill', number: posted.label!.number!.match(/\((.+)\)$/)![1], id: expect.stringMatching(/^\d+$/) });
    expect(posted.message).toMatch(/ written to Acumatica as bill \d+$/);
    expect(open.some((p) => p.reasonText.includes(`Cost code ${plants.missingCostCode} does not exist in Acumatica`))).toBe(true);
    expect(open.every((p) => ['unmapped-cost', 'unmapped-project'].includes(p.reasonCode))).toBe(true);
    expect(first.counts.parked).toBe(open.length);
  });

  it('vendors new on one side are created on the other and linked', async () => {
    const acu = await h.state('acumatica');
    const procore = await h.state('procore');
    const onlyInProcore = world.suppliers.filter((s) => s.acumaticaVendorId === null && s.procoreVendorId !== null);
    expect(onlyInProcore.length).toBeGreaterThan(0);
    for (const s of onlyInProcore) {
      const pv = (procore['vendors'] ?? []).find((v) => String(v['id']) === String(s.procoreVendorId))!;
      const created = (acu['Vendor'] ?? []).find((v) => val(v, 'VendorID') === pv['origin_id']);
      expect(created, s.name).toBeDefined();
      expect(val(created!, 'VendorName')).toBe(s.name);
    }
    const onlyInAcumatica = world.suppliers.filter((s) => s.procoreVendorId === null && s.acumaticaVendorId !== null);
    expect(onlyInAcumatica.length).toBeGreaterThan(0);
    for (const s of onlyInAcumatica) {
      const created = (procore['vendors'] ?? []).find((v) => v['origin_id'] === s.acumaticaVendorId);
      expect(created?.['name'], s.name).toBe(s.name);
    }
    // Every vendor both sides knew is linked in Procore now (origin_id = VendorID).
    for (const s of world.suppliers.filter((x) => x.procoreVendorId !== null && x.acumaticaVendorId !== null))
      expect((procore['vendors'] ?? []).find((v) => String(v['id']) === String(s.procoreVendorId))?.['origin_id']).toBe(s.acumaticaVendorId);
  });

  it('adds the Acumatica-only cost code to every mapped Procore project', async () => {
    const procore = await h.state('procore');
    const added = (procore['cost_codes'] ?? []).filter((c) => c['full_code'] === plants.onlyCostCode.code && !c['deleted_at']);
    expect(added.map((c) => String(c['project_id'])).sort()).toEqual(world.projects.map((p) => String(p.procoreId)).sort());
  });

  it('a second run writes nothing', async () => {
    const before = billBooks(await h.state('acumatica'));
    const calls = h.apiCalls();
    const mark = h.requestMark('acumatica');
    const again = await h.run();
    expect(again.status).toBe('succeeded');
    expect(again.counts.created + again.counts.updated + again.counts.failed + again.counts.parked).toBe(0);
    expect(billBooks(await h.state('acumatica'))).toEqual(before);
    const after = h.apiCalls();
    // Re-reads what the first run marked in Procore; writes no bill.
    expect(after.acumatica - calls.acumatica).toBeLessThan(15);
    expect(h.requestsSince('acumatica', mark).filter((r) => r.method !== 'GET' && !r.path.includes('/auth/')).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  }, 60_000);

  it('a released check marks the Procore invoice paid (contract payment + payment date); a voided one un-marks it', async () => {
    const acu = await h.state('acumatica');
    const procore = await h.state('procore');
    const invoice = (procore['requisitions'] ?? []).find((r) => String(r['origin_id'] ?? '').startsWith('Bill '))!;
    const directCost = (procore['direct_costs'] ?? []).find((d) => String(d['origin_id'] ?? '').startsWith('Bill '))!;
    const billOf = (originId: unknown) => (acu['Bill'] ?? []).find((b) => `Bill ${String(val(b, 'ReferenceNbr'))}` === originId)!;
    const user = await h.acumaticaUser();
    const pay = async (bill: Json, ref: string) => {
      const check = await user.put('Check', {
        Vendor: w(val(bill, 'Vendor')),
        PaymentRef: w(ref),
        Details: [{ DocType: w('Bill'), ReferenceNbr: w(val(bill, 'ReferenceNbr')), AmountPaid: w(val(bill, 'Amount')) }],
      });
      const number = String(val(check, 'ReferenceNbr'));
      expect(await user.invoke('Check/ReleaseCheck', { entity: { Type: w('Payment'), ReferenceNbr: w(number) } })).toBe(204);
      return number;
    };
    const invoiceBill = billOf(invoice['origin_id']);
    const costBill = billOf(directCost['origin_id']);
    const n1 = await pay(invoiceBill, 'CHK-F2-1');
    const n2 = await pay(costBill, 'CHK-F2-2');

    const paid = await h.run();
    expect(paid.status, paid.error ?? '').toBe('succeeded');
    expect(paid.counts.created).toBe(2);
    let state = await h.state('procore');
    const payment = (state['contract_payments'] ?? []).find((p) => p['origin_id'] === `Payment ${n1} → Bill ${String(val(invoiceBill, 'ReferenceNbr'))}`);
    expect(payment).toBeDefined();
    expect(dec(payment!['amount']).equals(dec(val(invoiceBill, 'Amount')))).toBe(true);
    expect(String(payment!['commitment_id'] ?? payment!['contract_id'])).toBe(String(invoice['commitment_id']));
    expect((state['requisitions'] ?? []).find((r) => r['id'] === invoice['id'])!['payment_date']).not.toBeNull();
    expect((state['direct_costs'] ?? []).find((d) => d['id'] === directCost['id'])!['payment_date']).not.toBeNull();
    // Named as AP names them: the payment, the vendor and what it paid on the bill; in Procore, the contract payment by its check number.
    const written = h.store.audit.query({ flow: F2_FLOW, runId: paid.runId, entity: 'ap-payment', step: 'written' }, { limit: 10 }).entries;
    const onInvoice = written.find((e) => e.label?.number === n1)!;
    expect(onInvoice.label).toMatchObject({ documentType: 'AP payment', counterparty: expect.stringMatching(/ /), currency: 'EUR' });
    expect(dec(onInvoice.label!.amount).equals(dec(val(invoiceBill, 'Amount')))).toBe(true);
    expect(onInvoice.targetLabel).toMatchObject({ system: 'Procore', documentType: 'Contract payment', number: 'CHK-F2-1' });
    expect(written.find((e) => e.label?.number === n2)!.targetLabel).toMatchObject({ system: 'Procore', documentType: 'Payment date of direct cost', id: String(directCost['id']) });

    for (const n of [n1, n2]) {
      expect(await user.invoke('Check/VoidCheck', { entity: { Type: w('Payment'), ReferenceNbr: w(n) } })).toBe(204);
      expect(await user.invoke('Check/ReleaseCheck', { entity: { Type: w('Voided Payment'), ReferenceNbr: w(n) } })).toBe(204);
    }
    await user.logout();
    const voided = await h.run();
    expect(voided.status, voided.error ?? '').toBe('succeeded');
    expect(voided.counts.updated).toBe(2);
    state = await h.state('procore');
    expect((state['contract_payments'] ?? []).filter((p) => p['origin_id'] === payment!['origin_id'] && !p['deleted_at'])).toEqual([]);
    expect((state['requisitions'] ?? []).find((r) => r['id'] === invoice['id'])!['payment_date']).toBeNull();
    expect((state['direct_costs'] ?? []).find((d) => d['id'] === directCost['id'])!['payment_date']).toBeNull();
  }, 60_000);

  it('vendor changes propagate per field direction; a field changed on both sides waits for a person', async () => {
    const s = world.suppliers.find((x) => x.procoreVendorId !== null && x.acumaticaVendorId !== null)!;
    const user = await h.acumaticaUser();
    await h.procoreRest('PATCH', `vendors/${s.procoreVendorId}`, { vendor: { city: 'Zwolle' } });
    await user.put('Vendor', { VendorID: w(s.acumaticaVendorId), MainContact: { Email: w('ap@example.nl') } });
    const synced = await h.run();
    expect(synced.status, synced.error ?? '').toBe('succeeded');
    let acu = (await h.state('acumatica'))['Vendor']!.find((v) => val(v, 'VendorID') === s.acumaticaVendorId)!;
    let pv = (await h.state('procore'))['vendors']!.find((v) => String(v['id']) === String(s.procoreVendorId))!;
    expect(val((acu['MainContact'] as Json)['Address'] as Json, 'City')).toBe('Zwolle');
    expect(pv['email_address']).toBe('ap@example.nl');

    await h.procoreRest('PATCH', `vendors/${s.procoreVendorId}`, { vendor: { city: 'Deventer' } });
    await user.put('Vendor', { VendorID: w(s.acumaticaVendorId), MainContact: { Address: { City: w('Kampen') } } });
    await user.logout();
    const conflict = await h.run();
    expect(conflict.counts.parked).toBe(1);
    const waiting = h.store.parked.listOpen(F2_FLOW).find((p) => p.stream === 'vendors')!;
    expect(waiting.reasonText).toContain('was changed in both systems since the last sync: city is "Deventer" in Procore and "Kampen" in Acumatica');
    acu = (await h.state('acumatica'))['Vendor']!.find((v) => val(v, 'VendorID') === s.acumaticaVendorId)!;
    pv = (await h.state('procore'))['vendors']!.find((v) => String(v['id']) === String(s.procoreVendorId))!;
    expect([pv['city'], val((acu['MainContact'] as Json)['Address'] as Json, 'City')]).toEqual(['Deventer', 'Kampen']);
  }, 60_000);

  it('a vendor that looks like one on the other side waits for a person; a confirmed link is written into Procore', async () => {
    const user = await h.acumaticaUser();
    await user.put('Vendor', { VendorID: w('V000099'), VendorName: w('Nieuwbouw Test B.V.'), VendorClass: w('SUBCON') });
    await user.logout();
    const created = await h.procoreRest('POST', 'vendors', { vendor: { name: 'Nieuwbouw Test B.V.', city: 'Delft' } });
    const run = await h.run();
    expect(run.status, run.error ?? '').toBe('succeeded');
    const waiting = h.store.parked.listOpen(F2_FLOW).find((p) => p.sourceId === `vendor:${created['id']}`)!;
    expect(waiting.reasonText).toBe('Procore vendor Nieuwbouw Test B.V. is not linked to an Acumatica vendor; it may be V000099 (Nieuwbouw Test B.V.; same name). Confirm the link in Mappings → Vendors');
    expect(((await h.state('acumatica'))['Vendor'] ?? []).filter((v) => String(val(v, 'VendorName')) === 'Nieuwbouw Test B.V.')).toHaveLength(1);
    const set = h.store.mappings.getSet(F2_FLOW, F2_MAPPING_SETS.vendors)!;
    const rows = h.store.mappings.rows(h.store.mappings.currentVersion(set.id)!.id);
    h.store.mappings.createVersion(set.id, [...rows, { sourceKey: { procoreVendorId: String(created['id']) }, target: { acumaticaVendorId: 'V000099' } }] as never, 'test: confirmed link');
    const retried = await retryParked(h.deps, { ids: [waiting.id] });
    expect(retried.counts.created).toBe(1);
    expect(h.store.parked.getOpen(F2_FLOW, 'vendors', waiting.sourceId)).toBeUndefined();
    const linked = ((await h.state('procore'))['vendors'] ?? []).find((v) => v['id'] === created['id'])!;
    expect(linked['origin_id']).toBe('V000099');
  }, 60_000);

  it('a fixed mapping posts what waited: re-coding the inactive account, then retrying', async () => {
    const inactive = world.apAccounts.find((a) => a.code === plants.inactiveAccountCode)!;
    const set = h.store.mappings.getSet(F2_FLOW, F2_MAPPING_SETS.costs)!;
    const rows = h.store.mappings.rows(h.store.mappings.currentVersion(set.id)!.id).map((r) =>
      (r.sourceKey as Json)['costCode'] === inactive.costCode ? { ...r, target: { ...(r.target as Json), account: '51300' } } : r,
    );
    h.store.mappings.createVersion(set.id, rows as never, 'test: 05-100 to 51300');
    const waiting = h.store.parked.listOpen(F2_FLOW).filter((p) => p.reasonText.includes(`GL ${plants.inactiveAccountCode}`));
    const retried = await retryParked(h.deps, { ids: waiting.map((p) => p.id) });
    expect(retried.status, retried.error ?? '').toBe('succeeded');
    expect(retried.counts.created).toBe(waiting.length);
    expect(h.store.parked.listOpen(F2_FLOW).filter((p) => p.reasonText.includes(`GL ${plants.inactiveAccountCode}`))).toEqual([]);
    const books = billBooks(await h.state('acumatica'));
    for (const p of waiting) expect(books.some((b) => b.origin === `procore:${p.sourceId}`)).toBe(true);
  }, 60_000);

  it('the commitments report shows the planted differences and nothing else', async () => {
    const report = await reconcileCommitmentsNow(h.deps);
    const causes = report.commitments.flatMap((c) => c.differences.map((d) => ({ number: c.number, project: c.acumaticaProject, ...d })));
    const commitmentOf = (key: string) => world.commitments.find((c) => c.key === key)!;
    const projectOf = (key: string) => world.projects.find((p) => p.key === key)!.acumaticaProjectId;
    const expected: string[] = [];
    // The subcontract line keyed 1,000.00 higher in Acumatica.
    const differing = commitmentOf(plants.subcontractLineDifference!.commitmentKey);
    expected.push(`${projectOf(differing.projectKey)} ${differing.number} Line 1 (${differing.lines[0]!.costCode})`);
    // The approved change order never entered in Acumatica.
    const withMissingCo = world.commitments.find((c) => c.changeOrders.some((co) => co.key === plants.changeOrderMissingKey))!;
    const missingCo = withMissingCo.changeOrders.find((co) => co.key === plants.changeOrderMissingKey)!;
    expected.push(`${projectOf(withMissingCo.projectKey)} ${withMissingCo.number} Change order ${missingCo.number}`);
    // Commitments of the vendors the world left out of Acumatica (never entered there).
    const missingVendors = new Set(world.suppliers.filter((s) => s.acumaticaVendorId === null).map((s) => s.key));
    for (const c of world.commitments.filter((x) => missingVendors.has(x.supplierKey))) expected.push(`${projectOf(c.projectKey)} ${c.number} Commitment`);
    // Invoices still waiting (the planted missing cost code): nothing else is unposted.
    const waiting = h.store.parked.listOpen(F2_FLOW).filter((p) => p.stream === 'subcontractor-invoices');
    expect(waiting.every((p) => p.reasonText.includes(plants.missingCostCode))).toBe(true);
    const got = causes.map((d) => (d.what.startsWith('Subcontractor invoice') ? `invoice: ${d.cause.startsWith('Not in Acumatica: it waits in Pending validation') ? 'waiting' : d.cause}` : `${d.project} ${d.number} ${d.what}`));
    expect(got.filter((g) => !g.startsWith('invoice:')).sort()).toEqual(expected.sort());
    expect(got.filter((g) => g.startsWith('invoice:'))).toEqual(waiting.map(() => 'invoice: waiting'));
    expect(report.onlyInAcumatica).toEqual([]);
    const line = causes.find((d) => d.what.startsWith('Line 1'))!;
    expect([line.procore, line.acumatica, line.difference]).toEqual([differing.lines[0]!.amount, plants.subcontractLineDifference!.acumaticaAmount, '-1000.00']);
    const co = causes.find((d) => d.what.startsWith('Change order'))!;
    expect(co.cause).toBe(`Change order ${missingCo.number} "${missingCo.title}" (${Decimal.parse(missingCo.amount).toMoneyString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}) is approved in Procore but not in Acumatica`);
    expect(report.differences).toBe(causes.length);

    // The same in the shape every flow reports (engine/reconcile): each difference explained.
    const generic = await reconcileProcoreAcumatica(h.deps, () => ({}));
    expect(generic.unexplained).toBe(0);
    const explained = generic.records.filter((r) => r.cause !== null);
    const commitments = new Set(report.commitments.filter((c) => c.differences.some((d) => !d.what.startsWith('Subcontractor invoice'))).map((c) => `${c.acumaticaProject}/${c.number}`));
    expect(explained.filter((r) => r.documentType === 'Commitment').map((r) => r.targetKey).sort()).toEqual([...commitments].sort());
    expect(explained.filter((r) => r.documentType === 'Commitment').every((r) => r.cause === 'changed-in-target' && r.explanation!.startsWith('entered differently in Acumatica: '))).toBe(true);
    const parked = h.store.parked.listOpen(F2_FLOW).filter((p) => p.stream !== 'vendors');
    expect(explained.filter((r) => r.documentType !== 'Commitment').map((r) => [r.sourceId, r.cause]).sort()).toEqual(parked.map((p) => [p.sourceId, 'parked']).sort());
    expect(generic.records.filter((r) => r.documentType !== 'Commitment' && r.cause === null).every((r) => r.expected === r.actual)).toBe(true);
  }, 60_000);
});

describe('F2 with subcontracts created from Procore (a setting)', () => {
  it('an approved work order contract Acumatica does not have gets its subcontract; the commitments report then matches it', async () => {
    // Seed 2 plants a work order contract of a vendor Acumatica lacked.
    const world2 = generateWorld(2, 1);
    const missingVendors = new Set(world2.suppliers.filter((s) => s.acumaticaVendorId === null).map((s) => s.key));
    const wo = world2.commitments.find((c) => missingVendors.has(c.supplierKey) && c.kind === 'work_order_contract' && c.status === 'Approved')!;
    const project = world2.projects.find((p) => p.key === wo.projectKey)!.acumaticaProjectId;
    const h2 = await openF2Harness({ seed: 2, procoreSettleSeconds: 0, acumaticaSettings: { createSubcontracts: 'yes' } });
    try {
      const run = await h2.run();
      expect(run.status, run.error ?? '').toBe('succeeded');
      const subs = ((await h2.state('acumatica'))['Subcontract'] ?? []).filter(
        (s) => val(s, 'VendorRef') === wo.number && ((s['Details'] ?? []) as Json[]).some((l) => val(l, 'Project') === project),
      );
      expect(subs).toHaveLength(1);
      expect(dec(val(subs[0]!, 'SubcontractTotal')).equals(sum(wo.lines.map((l) => l.amount)))).toBe(true);
      const again = await h2.run();
      expect(again.counts.created + again.counts.updated).toBe(0);
      const report = await reconcileCommitmentsNow(h2.deps);
      const line = report.commitments.find((c) => c.number === wo.number && c.acumaticaProject === project)!;
      expect(line.acumatica?.type).toBe('Subcontract');
      expect(line.differences.filter((d) => d.what === 'Commitment' || d.what === 'Committed' || d.what.startsWith('Line'))).toEqual([]);
    } finally {
      await h2.close();
    }
  }, 120_000);
});
