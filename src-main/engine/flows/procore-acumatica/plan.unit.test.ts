import { describe, expect, it } from 'vitest';
import type { ProcoreVendorRecord } from '../../../../src-shared/domain/records';
import type { AcumaticaReference } from '../../../connectors/acumatica';
import type { F2Mappings } from './mappings';
import type { CheckRecord, F2Reference, PlannedBill, PlannedPayment, VendorPairRecord } from './model';
import { billOriginId, percentOf, planDirectCost, planInvoice } from './plan-bills';
import { costCodeRecords, planCostCode } from './plan-cost-codes';
import { planCheck } from './plan-payments';
import { CREATED_FROM_ACUMATICA, mergeFields, newVendorIdFor, pairVendors, planVendorPair, procoreFields } from './plan-vendors';
import { DEFAULT_POLICY, policyFromSettings, type F2Policy } from './policy';
import { Decimal } from '../../../../src-shared/domain/money';
import { PROJECT, directCost, requisition, requisitionLine } from './test-fixtures';

/** Small, hand-made fixtures for F2's unit tests (no I/O). */

function acumaticaReference(): AcumaticaReference {
  const account = (code: string, active = true) => [code, { code, description: `Account ${code}`, type: 'Expense', accountGroup: null, active }] as const;
  const task = (taskId: string, active = true) => [taskId, { taskId, description: taskId, status: active ? 'Active' : 'Completed', active, isDefault: false }] as const;
  return {
    accounts: new Map([account('51000'), account('51200', false), account('20500')]),
    subaccounts: new Map([
      ['CON', { code: 'CON', description: 'Construction', active: true }],
      ['ADM', { code: 'ADM', description: 'Administration', active: false }],
    ]),
    branches: new Map([['HEADOFFICE', { code: 'HEADOFFICE', name: 'Head office', active: true }]]),
    projects: new Map([['P26001', { projectId: 'P26001', description: 'Zuidas', status: 'Active', active: true, externalRef: null, tasks: new Map([task('03'), task('05'), task('09', false)]) }]]),
    costCodes: new Map([
      ['03-300', { code: '03-300', description: 'Cast-in-place Concrete', lastModified: null }],
      ['05-100', { code: '05-100', description: 'Structural Metal Framing', lastModified: null }],
    ]),
  };
}

function reference(): F2Reference {
  return {
    acumatica: acumaticaReference(),
    acumaticaVendors: new Map([
      ['V000001', { name: 'Van den Berg B.V.', active: true, status: 'Active' }],
      ['V000002', { name: 'Holcrete Ltd', active: false, status: 'Inactive' }],
    ]),
    procoreVendors: new Map([
      ['9001', { name: 'Van den Berg B.V.', originId: 'V000001' }],
      ['9002', { name: 'Holcrete Ltd', originId: null }],
      ['9003', { name: 'Nieuw B.V.', originId: null }],
    ]),
  };
}

function mappings(over: Partial<F2Mappings> = {}): F2Mappings {
  return {
    version: 1,
    projects: new Map([[PROJECT, { acumaticaProject: 'P26001', branch: 'HEADOFFICE' }]]),
    costs: [
      { costCode: '03-300', costType: null, procoreProjectId: null, account: '51000', subaccount: 'CON' },
      { costCode: '05-100', costType: null, procoreProjectId: null, account: '51200', subaccount: 'CON' },
    ],
    costCodes: [
      { costCode: '03-300', procoreProjectId: null, task: '03', acumaticaCostCode: '03-300' },
      { costCode: '05-100', procoreProjectId: null, task: '05', acumaticaCostCode: '05-100' },
    ],
    vendors: new Map([['9002', 'V000002']]),
    ...over,
  };
}

const policy = (over: Partial<F2Policy> = {}): F2Policy => ({ ...DEFAULT_POLICY, construction: true, retainageAccount: '20500', ...over });

function procoreVendor(over: Partial<ProcoreVendorRecord> = {}): ProcoreVendorRecord {
  return {
    kind: 'procore-vendor',
    sourceId: '9001',
    name: 'Van den Berg B.V.',
    legalName: null,
    abbreviatedName: null,
    active: true,
    address: null,
    city: 'Amsterdam',
    stateCode: null,
    countryCode: 'NL',
    zip: null,
    businessPhone: null,
    emailAddress: 'ap@berg.nl',
    website: null,
    originId: 'V000001',
    originCode: '40001',
    originData: null,
    sourceVersion: '2026-01-01T00:00:00Z',
    ...over,
  };
}

const ok = <P>(r: { ok: true; writes: P[] } | { ok: false; issues: { message: string }[] }): P[] => {
  if (!r.ok) throw new Error(`expected a plan, got: ${r.issues.map((i) => i.message).join('; ')}`);
  return r.writes;
};
const waits = (r: { ok: true } | { ok: false; issues: { code: string; message: string; mappingKeys: string[] }[] }) => {
  if (r.ok) throw new Error('expected the record to wait');
  return r.issues;
};

describe('planInvoice: one AP bill per approved subcontractor invoice', () => {
  it('lines billed this period, coded to account, subaccount, branch, project, task and cost code; retainage a line of its own', () => {
    const [bill] = ok(planInvoice({ sourceId: 'requisition:7001', requisition: requisition() }, mappings(), reference(), policy()));
    expect(bill).toMatchObject({
      entity: 'bill',
      originId: 'V000001/F2026-00121',
      containerId: 'bills',
      total: '9500.00',
      release: false,
      bill: { vendorId: 'V000001', vendorRef: 'F2026-00121', originId: 'procore:requisition:7001', date: '2026-03-31', branch: 'HEADOFFICE', project: 'P26001' },
    });
    expect(bill!.bill.lines).toEqual([
      { amount: '10000.00', description: 'SC-003 #2 contract item: Concrete works', account: '51000', subaccount: 'CON', branch: 'HEADOFFICE', project: 'P26001', task: '03', costCode: '03-300' },
      { amount: '-500.00', description: 'Retainage held on SC-003 #2', account: '20500', subaccount: 'CON', branch: 'HEADOFFICE', project: 'X' },
    ]);
    expect(bill!.source).toMatchObject({ kind: 'requisition', procoreId: '7001', commitmentId: '8001', requisitionNumber: 2 });
  });

  it('gross retainage leaves it off the bill; Acumatica retainage sends the percentage when it gives Procore’s amounts to the cent', () => {
    const [gross] = ok(planInvoice({ sourceId: 'r', requisition: requisition() }, mappings(), reference(), policy({ retainage: 'gross' })));
    expect([gross!.total, gross!.bill.lines.length]).toEqual(['10000.00', 1]);
    const [acu] = ok(planInvoice({ sourceId: 'r', requisition: requisition() }, mappings(), reference(), policy({ retainage: 'acumatica' })));
    expect([acu!.total, acu!.bill.retainagePercent, acu!.bill.lines[0]!.retainagePercent]).toEqual(['10000.00', '5.00', '5.00']);
    const odd = requisition({ retainageThisPeriod: '333.33', lines: [requisitionLine({ retainageRetainedThisPeriod: '333.33' })] });
    expect(waits(planInvoice({ sourceId: 'r', requisition: odd }, mappings(), reference(), policy({ retainage: 'acumatica' })))[0]!.message).toContain(
      "which Acumatica's retainage percentage cannot give to the cent",
    );
    expect(percentOf(Decimal.parse('500.00'), Decimal.parse('10000.00'))).toBe('5.00');
    expect(percentOf(Decimal.parse('333.33'), Decimal.parse('10000.00'))).toBeNull();
  });

  it('waits when a line maps to an inactive account; every problem listed once with the mapping key that fixes it', () => {
    const r = requisition({ lines: [requisitionLine({ costCode: '05-100' }), requisitionLine({ sourceLineId: 'L2', costCode: '05-100' })] });
    const issues = waits(planInvoice({ sourceId: 'r', requisition: r }, mappings(), reference(), policy()));
    expect(issues).toEqual([
      {
        code: 'unmapped-cost',
        message: 'Cost code 05-100 maps to GL 51200, which is inactive in Acumatica',
        mappingKeys: ['pa-cost:05-100||'],
      },
    ]);
  });

  it('checks subaccount, project, task and cost code against Acumatica before anything is written', () => {
    const m = mappings({
      costs: [{ costCode: '03-300', costType: null, procoreProjectId: null, account: '51000', subaccount: 'ADM' }],
      costCodes: [{ costCode: '03-300', procoreProjectId: null, task: '09', acumaticaCostCode: '99-999' }],
    });
    const messages = waits(planInvoice({ sourceId: 'r', requisition: requisition() }, m, reference(), policy())).map((i) => i.message.replace(/^.*?\): /, ''));
    expect(messages).toEqual([
      'Cost code 03-300 maps to subaccount ADM, which is inactive in Acumatica',
      'Cost code 03-300 maps to project task 09 of P26001, which is not active in Acumatica (Completed)',
      'Cost code 99-999 does not exist in Acumatica (add it there, or map Procore cost code 03-300 to another)',
    ]);
  });

  it('an unlinked or inactive vendor waits; the mapping and Procore’s origin_id must agree', () => {
    const unlinked = requisition({ vendor: { id: '9003', name: 'Nieuw B.V.' } });
    expect(waits(planInvoice({ sourceId: 'r', requisition: unlinked }, mappings(), reference(), policy()))[0]).toMatchObject({
      code: 'unmapped-vendor',
      mappingKeys: ['pa-vendor:9003'],
    });
    const inactive = requisition({ vendor: { id: '9002', name: 'Holcrete Ltd' } });
    expect(waits(planInvoice({ sourceId: 'r', requisition: inactive }, mappings(), reference(), policy()))[0]!.message).toContain('linked to Acumatica vendor V000002 (Holcrete Ltd), which is Inactive in Acumatica');
    const disagree = mappings({ vendors: new Map([['9001', 'V000009']]) });
    expect(waits(planInvoice({ sourceId: 'r', requisition: requisition() }, disagree, reference(), policy()))[0]!.message).toContain('linked to Acumatica vendor V000001 in Procore but to V000009 in Mappings');
  });

  it('an invoice that bills nothing this period needs no bill', () => {
    const idle = requisition({ totalClaimed: '0.00', retainageThisPeriod: '0.00', netPayable: '0.00', lines: [requisitionLine({ billedThisPeriod: '0.00', retainageRetainedThisPeriod: '0.00' })] });
    expect(ok(planInvoice({ sourceId: 'r', requisition: idle }, mappings(), reference(), policy()))).toEqual([]);
  });

  it('a posted bill is not re-coded by a later mapping change; a changed amount is planned as an update; a changed vendor ref waits', () => {
    const rec = { sourceId: 'requisition:7001', requisition: requisition() };
    const [posted] = ok(planInvoice(rec, mappings(), reference(), policy()));
    const previous = new Map([[posted!.originId, posted!]]);
    const recoded = mappings({ costs: [{ costCode: '03-300', costType: null, procoreProjectId: null, account: '20500', subaccount: 'CON' }] });
    expect(ok(planInvoice(rec, recoded, reference(), policy(), previous))[0]).toBe(posted);
    const more = { ...rec, requisition: requisition({ totalClaimed: '12000.00', netPayable: '11500.00', lines: [requisitionLine({ billedThisPeriod: '12000.00' })] }) };
    expect(ok(planInvoice(more, mappings(), reference(), policy(), previous))[0]!.total).toBe('11500.00');
    const renamed = { ...rec, requisition: requisition({ invoiceNumber: 'F2026-99999' }) };
    expect(waits(planInvoice(renamed, mappings(), reference(), policy(), previous))[0]!.message).toContain('A posted bill cannot move');
  });

  it('releases per setting and sends Hold false then; a missing invoice number falls back to commitment and invoice number', () => {
    const [bill] = ok(planInvoice({ sourceId: 'r', requisition: requisition({ invoiceNumber: null }) }, mappings(), reference(), policy({ releaseBills: true })));
    expect([bill!.release, bill!.bill.hold, bill!.bill.vendorRef, bill!.originId]).toEqual([true, false, 'SC-003 #2', billOriginId('V000001', 'SC-003 #2')]);
  });
});

describe('planDirectCost', () => {
  it('one bill per approved direct cost, lines as Procore holds them; a negative total is left to the connector as a debit adjustment (a vendor credit)', () => {
    const [bill] = ok(planDirectCost({ sourceId: 'direct-cost:6001', directCost: directCost() }, mappings(), reference(), policy({ construction: false })));
    expect(bill).toMatchObject({ originId: 'V000001/INV-9', total: '1234.56', bill: { originId: 'procore:direct-cost:6001', date: '2026-05-02', branch: 'HEADOFFICE' } });
    expect(bill!.bill.lines).toEqual([{ amount: '1234.56', description: 'Concrete', account: '51000', subaccount: 'CON', branch: 'HEADOFFICE' }]);
    const credit = directCost({ grandTotal: '-50.00', lines: [{ ...directCost().lines[0]!, amount: '-50.00' }] });
    expect(ok(planDirectCost({ sourceId: 'd', directCost: credit }, mappings(), reference(), policy()))[0]!.total).toBe('-50.00');
  });

  it('cost type rows win over "any" rows, project rows over company rows', () => {
    const m = mappings({
      costs: [
        { costCode: '03-300', costType: null, procoreProjectId: null, account: '51000', subaccount: 'CON' },
        { costCode: '03-300', costType: 'M', procoreProjectId: null, account: '51000', subaccount: 'ADM' },
        { costCode: '03-300', costType: 'M', procoreProjectId: PROJECT, account: '20500', subaccount: 'CON' },
      ],
    });
    const [bill] = ok(planDirectCost({ sourceId: 'd', directCost: directCost() }, m, reference(), policy()));
    expect(bill!.bill.lines[0]!.account).toBe('20500');
  });

  it('a direct cost without a vendor or without lines waits, its reason naming it and saying what to do in Procore', () => {
    expect(waits(planDirectCost({ sourceId: 'd', directCost: directCost({ vendor: null }) }, mappings(), reference(), policy()))[0]).toMatchObject({
      code: 'unmapped-vendor',
      message: 'Direct cost INV-9 names no vendor in Procore; set its vendor there',
    });
    expect(waits(planDirectCost({ sourceId: 'd', directCost: directCost({ lines: [], grandTotal: '0.00' }) }, mappings(), reference(), policy()))[0]).toMatchObject({
      code: 'no-lines',
      message: 'Direct cost INV-9 of Van den Berg B.V. has no lines in Procore; add its lines there',
    });
  });

  it('a project not linked to an Acumatica project waits on construction connections', () => {
    const issues = waits(planDirectCost({ sourceId: 'd', directCost: directCost({ projectId: '1' }) }, mappings(), reference(), policy()));
    expect(issues[0]).toMatchObject({ code: 'unmapped-project', mappingKeys: ['pa-project:1'] });
  });
});

describe('vendors both ways', () => {
  const acu = (over: Partial<VendorPairRecord['acumatica'] & object> = {}) => ({
    vendorId: 'V000001',
    active: true,
    status: 'Active',
    taxRegistrationId: null,
    fields: { ...procoreFields(procoreVendor()) },
    ...over,
  });
  const pair = (over: Partial<VendorPairRecord> = {}): VendorPairRecord => ({
    sourceId: 'vendor:9001',
    procore: procoreVendor(),
    acumatica: acu(),
    linkedBy: 'origin-id',
    linkProblem: null,
    candidates: [],
    takenVendorId: null,
    ...over,
  });

  it('pairs by origin_id or a confirmed link, suggests by External ID or name, and flags two Procore vendors on one Acumatica vendor', () => {
    const p1 = procoreVendor();
    const p2 = procoreVendor({ sourceId: '9002', name: 'Holcrete Ltd', originId: null, originCode: 'V000002' });
    const p3 = procoreVendor({ sourceId: '9003', name: 'Van den Berg B.V.', originId: null, originCode: null });
    const a1 = acu();
    const a2 = acu({ vendorId: 'V000002', fields: { ...acu().fields, name: 'Holcrete Readymix Ltd' } });
    const pairs = pairVendors({ changedProcore: [p1, p2, p3], changedAcumatica: [], allProcore: [p1, p2, p3], allAcumatica: [a1, a2], mapped: new Map() });
    expect(pairs.map((p) => [p.sourceId, p.linkedBy, p.acumatica?.vendorId ?? null, p.candidates.map((c) => `${c.id}:${c.matchedBy}`)])).toEqual([
      ['vendor:9001', 'origin-id', 'V000001', []],
      ['vendor:9002', null, null, ['V000002:origin_code']],
      ['vendor:9003', null, null, []],
    ]);
    const twice = pairVendors({ changedProcore: [p1], changedAcumatica: [], allProcore: [p1, p3], allAcumatica: [a1], mapped: new Map([['9003', 'V000001']]) });
    expect(twice[0]!.linkProblem).toContain('Acumatica vendor V000001 is linked to 2 Procore vendors');
  });

  it('a vendor the flow created from Acumatica keeps its pair identity', () => {
    const created = procoreVendor({ sourceId: '9100', originId: 'V000030', originData: `${CREATED_FROM_ACUMATICA} V000030 by ml-connector` });
    const pairs = pairVendors({ changedProcore: [created], changedAcumatica: [], allProcore: [created], allAcumatica: [acu({ vendorId: 'V000030' })], mapped: new Map() });
    expect(pairs[0]!.sourceId).toBe('vendor:acumatica:V000030');
  });

  it('merges per field: the side that changed since the last sync wins; both changed = a conflict; the first link takes Acumatica’s values', () => {
    const base = procoreFields(procoreVendor());
    const both = { name: 'both', address: 'both', contact: 'both' } as const;
    expect(mergeFields({ ...base, city: 'Zwolle' }, base, base, both)).toMatchObject({ toAcumatica: ['city'], toProcore: [], conflicts: [] });
    expect(mergeFields(base, { ...base, email: 'x@y.nl' }, base, both)).toMatchObject({ toAcumatica: [], toProcore: ['email'] });
    expect(mergeFields({ ...base, city: 'A' }, { ...base, city: 'B' }, base, both).conflicts).toEqual([{ field: 'city', procore: 'A', acumatica: 'B' }]);
    expect(mergeFields({ ...base, city: 'A' }, { ...base, city: 'B' }, null, both)).toMatchObject({ toProcore: ['city'], conflicts: [] });
    expect(mergeFields({ ...base, city: 'A' }, { ...base, city: 'B' }, base, { ...both, address: 'procore' })).toMatchObject({ toAcumatica: ['city'] });
    expect(mergeFields({ ...base, email: 'AP@BERG.NL ' }, base, base, both)).toMatchObject({ toAcumatica: [], toProcore: [] });
  });

  it('a linked pair records what both hold; unchanged afterwards, the confirmed plan stands', () => {
    const [first] = ok(planVendorPair(pair(), policy()));
    expect(first).toMatchObject({ entity: 'vendor', originId: 'V000001', acumatica: null, procore: null, procoreVendorId: '9001' });
    expect(ok(planVendorPair(pair(), policy(), new Map([['V000001', first!]])))[0]).toBe(first);
    const changed = ok(planVendorPair(pair({ procore: procoreVendor({ city: 'Zwolle' }) }), policy(), new Map([['V000001', first!]])))[0]!;
    expect(changed.acumatica).toEqual({ vendorId: 'V000001', name: 'Van den Berg B.V.', mainContact: { address: { city: 'Zwolle' } }, mode: 'update' });
  });

  it('a link confirmed in Mappings is written into Procore’s origin_id', () => {
    const [plan] = ok(planVendorPair(pair({ procore: procoreVendor({ originId: null }), linkedBy: 'mapping' }), policy()));
    expect(plan!.procore).toEqual({ originId: 'V000001', name: 'Van den Berg B.V.', procoreId: '9001' });
  });

  it('a vendor new in Procore is created in Acumatica (id from its External ID) and linked back; a look-alike waits for a person; policy park waits', () => {
    const lone = pair({ sourceId: 'vendor:9005', procore: procoreVendor({ sourceId: '9005', originId: null, originCode: '40005' }), acumatica: null, linkedBy: null });
    const [plan] = ok(planVendorPair(lone, policy({ vendorClass: 'SUBCON' })));
    expect(plan!.acumatica).toMatchObject({ vendorId: '40005', name: 'Van den Berg B.V.', vendorClass: 'SUBCON', status: 'Active', mode: 'create' });
    expect(plan!.procore).toEqual({ originId: '40005', name: 'Van den Berg B.V.', procoreId: '9005' });
    const lookalike = { ...lone, candidates: [{ id: 'V000001', name: 'Van den Berg B.V.', matchedBy: 'name' as const }] };
    expect(waits(planVendorPair(lookalike, policy()))[0]!.message).toContain('it may be V000001 (Van den Berg B.V.; same name). Confirm the link in Mappings → Vendors');
    expect(waits(planVendorPair(lone, policy({ newVendors: 'park' })))[0]!.code).toBe('unmapped-vendor');
    // Created by an interrupted run: the id is taken by a vendor of the same name → link, do not create.
    const resumed = ok(planVendorPair({ ...lone, takenVendorId: { vendorId: '40005', name: 'Van den Berg B.V.' } }, policy()))[0]!;
    expect([resumed.acumatica, resumed.procore?.procoreId]).toEqual([null, '9005']);
    expect(newVendorIdFor({ sourceId: '562949953421321', originCode: 'External ID too long' })).toBe('P953421321');
  });

  it('a vendor new in Acumatica is created in Procore, marked as coming from Acumatica', () => {
    const [plan] = ok(planVendorPair(pair({ sourceId: 'vendor:acumatica:V000030', procore: null, acumatica: acu({ vendorId: 'V000030' }), linkedBy: null }), policy()));
    expect(plan!.procore).toMatchObject({ originId: 'V000030', originCode: 'V000030', originData: `${CREATED_FROM_ACUMATICA} V000030 by ml-connector`, name: 'Van den Berg B.V.', city: 'Amsterdam', countryCode: 'NL', active: true });
  });
});

describe('payments back and cost codes', () => {
  const posted = ok(planInvoice({ sourceId: 'requisition:7001', requisition: requisition() }, mappings(), reference(), policy()))[0] as PlannedBill;
  const check = (over: Partial<CheckRecord> = {}): CheckRecord => ({
    sourceId: 'payment:x',
    type: 'Payment',
    referenceNbr: '000045',
    vendorId: 'V000001',
    status: 'Closed',
    released: true,
    voided: false,
    isVoidingDocument: false,
    effective: true,
    applicationDate: '2026-06-01',
    paymentRef: 'CHK-1',
    lastModified: '2026-06-01T10:00:00Z',
    applications: [{ docType: 'Bill', referenceNbr: '000123', vendorRef: 'F2026-00121', amountPaid: '9500.00', released: true, posted: { billKey: 'Bill 000123', source: posted.source } }],
    ...over,
  });

  it('a released payment becomes a contract payment and the invoice’s payment date; a void reverses it; unreleased or foreign bills change nothing', () => {
    const [paid] = ok(planCheck(check(), policy()));
    expect(paid).toMatchObject({
      entity: 'payment',
      originId: 'Payment 000045 → Bill 000123',
      containerId: `${PROJECT}/8001`,
      total: '9500.00',
      payment: { target: 'requisition', requisitionId: '7001', requisitionNumber: 2, commitmentId: '8001', amount: '9500.00', date: '2026-06-01', checkNumber: 'CHK-1', voided: false },
    });
    const voided = ok(planCheck(check({ voided: true, effective: false, status: 'Voided' }), policy(), new Map([[paid!.originId, paid!]])))[0] as PlannedPayment;
    expect([voided.total, voided.payment.target === 'requisition' && voided.payment.voided]).toEqual(['0.00', true]);
    expect(ok(planCheck(check({ voided: true, effective: false }), policy()))).toEqual([]);
    expect(ok(planCheck(check({ released: false, effective: false, status: 'Balanced' }), policy()))).toEqual([]);
    expect(ok(planCheck(check({ isVoidingDocument: true }), policy()))).toEqual([]);
    expect(ok(planCheck(check({ applications: [{ ...check().applications[0]!, posted: null }] }), policy()))).toEqual([]);
  });

  it('a direct cost gets its payment date (cleared by a void)', () => {
    const dc = ok(planDirectCost({ sourceId: 'direct-cost:6001', directCost: directCost() }, mappings(), reference(), policy()))[0] as PlannedBill;
    const app = { ...check().applications[0]!, posted: { billKey: 'Bill 000200', source: dc.source } };
    const [paid] = ok(planCheck(check({ applications: [app] }), policy()));
    expect(paid!.payment).toEqual({ target: 'direct-cost', paymentOriginId: 'Payment 000045 → Bill 000123', projectId: PROJECT, directCostId: '6001', paymentDate: '2026-06-01' });
  });

  it('an Acumatica-only cost code goes to each mapped project that lacks it, keyed per project', () => {
    const lists = new Map([
      ['p1', { name: 'Zuidas', codes: new Set(['03-300']) }],
      ['p2', { name: 'Depot', codes: new Set(['03-300', '99-000']) }],
    ]);
    const records = costCodeRecords([{ code: '99-000', description: 'Contingency', lastModified: null }], lists, () => false);
    expect(records.map((r) => r.sourceId)).toEqual(['cost-code:99-000@p1']);
    expect(ok(planCostCode(records[0]!, policy()))[0]!.costCode).toEqual({ originId: '99-000@p1', code: '99-000', name: 'Contingency', originData: 'Acumatica cost code 99-000' });
    expect(ok(planCostCode(records[0]!, policy({ costCodesToProcore: false })))).toEqual([]);
  });
});

describe('policy from the connection settings', () => {
  it('safe defaults; the form’s values are taken', () => {
    expect(policyFromSettings({})).toEqual(DEFAULT_POLICY);
    expect(policyFromSettings({ construction: 'yes', releaseBills: 'yes', retainage: 'gross', newVendors: 'park', vendorNameDirection: 'acumatica', costCodesToProcore: 'no', retainage_: 'x' })).toMatchObject({
      construction: true,
      releaseBills: true,
      retainage: 'gross',
      newVendors: 'park',
      vendorFields: { name: 'acumatica', address: 'both', contact: 'both' },
      costCodesToProcore: false,
    });
    expect(policyFromSettings({ retainage: 'whatever' }).retainage).toBe('net-line');
  });
});



describe('hostile Procore texts in reasons (found by the fuzz suite, issue 18)', () => {
  it('cuts a huge invoice number in the label and in the reason that refuses it', () => {
    const result = planInvoice({ sourceId: '7001', requisition: requisition({ invoiceNumber: 'W'.repeat(5_000) }) }, mappings(), reference(), policy());
    expect(result.ok).toBe(false);
    if (!result.ok) for (const issue of result.issues) expect(issue.message.length).toBeLessThan(300);
  });
});
