import { afterAll, describe, expect, it } from 'vitest';
import { NeedsReauthError } from '../../src-shared/domain/auth';
import { silentLogger } from '../../src-main/connectors/_kit';
import {
  IntacctSenderNotAuthorizedError,
  IntacctSessionError,
  createIntacctConnector,
  type BillInput,
  type IntacctConnector,
  type IntacctSecrets,
  type IntacctSettings,
  type PurchasingDocumentInput,
} from '../../src-main/connectors/sage-intacct';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startIntacctSimulator } from '../../src-main/sandbox/sage-intacct/index';
import { IntacctRequestLog } from '../sandbox/intacct-xsd';

/**
 * The Sage Intacct connector against the real Intacct simulator (an independent reading of the
 * fact sheet §2 and of Intacct's XSD). Simulator time moves instead of sleeping: the connector's
 * clock sleeps by advancing it. Every request document the connector builds is recorded
 * (`observeRequest`) and validated against the vendor's api.xsd in the last test.
 */

type Node = Record<string, string>;
const sent = new IntacctRequestLog();
/** The kinds of request sent, across every harness (the XSD test checks each kind was covered). */
const kinds = new Set<string>();
const started: RunningSimulator[] = [];
afterAll(async () => {
  for (const sim of started.splice(0)) await sim.close();
});

interface Harness {
  sim: RunningSimulator;
  connector: IntacctConnector;
  /** Labels of the requests sent, in order. */
  labels: string[];
}

interface HarnessOptions {
  config?: Record<string, unknown>;
  settings?: Partial<IntacctSettings>;
  secrets?: Partial<IntacctSecrets>;
  /** Called just before each request leaves (tests schedule faults on a given request). */
  beforeRequest?: (label: string, sim: RunningSimulator) => void;
}

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startIntacctSimulator({ dataDir: null, ...(options.config ? { config: options.config } : {}) });
  started.push(sim);
  const c = sim.credentials;
  const labels: string[] = [];
  const connector = createIntacctConnector(
    {
      baseUrl: sim.baseUrl,
      allowedHosts: [new URL(sim.baseUrl).hostname],
      logger: silentLogger,
      now: () => sim.clock.now(),
      secrets: {
        getSecrets: async () => ({ senderPassword: String(c.senderPassword), userPassword: String(c.userPassword), ...options.secrets }),
      },
    },
    {
      endpointUrl: `${sim.baseUrl}/ia/xml/xmlgw.phtml`,
      senderId: String(c.senderId),
      companyId: String(c.companyId),
      userId: String(c.userId),
      ...options.settings,
    },
    {
      clock: { now: () => sim.clock.now(), sleep: async (ms) => sim.clock.advance(Math.max(0, ms)) },
      retry: { random: () => 0.5 },
      observeRequest: (xml, label) => {
        labels.push(label);
        kinds.add(label.replace(/ ×\d+$/, '').replace(/ (by|changed since|with lines|of|\().*$/, ''));
        sent.record(xml, label);
        options.beforeRequest?.(label, sim);
      },
    },
  );
  return { sim, connector, labels };
}

async function state(sim: RunningSimulator): Promise<Record<string, Node[]>> {
  return (await (await fetch(`${sim.baseUrl}/_sandbox/state`)).json()) as Record<string, Node[]>;
}

interface Ref {
  vendor: string;
  vendor2: string;
  account: string;
  account2: string;
  department: string;
  location: string;
  project: string;
  project2: string;
  task: string;
  task2: string;
  costType: string;
  item: string;
  classId: string;
}

/** Demo-company values, read from the simulator's inspection endpoint (not through the connector). */
async function refData(sim: RunningSimulator): Promise<Ref> {
  const s = await state(sim);
  const active = (rows: Node[] | undefined): Node[] => (rows ?? []).filter((r) => r.STATUS === 'active');
  const project = active(s.PROJECT)[0]?.PROJECTID ?? '';
  const tasks = active(s.TASK).filter((t) => t.PROJECTID === project);
  const task = tasks[0]?.TASKID ?? '';
  const accounts = active(s.GLACCOUNT).filter((a) => a.ACCOUNTTYPE === 'incomestatement');
  return {
    vendor: active(s.VENDOR)[0]?.VENDORID ?? '',
    vendor2: active(s.VENDOR)[1]?.VENDORID ?? '',
    account: accounts[0]?.ACCOUNTNO ?? '',
    account2: accounts[1]?.ACCOUNTNO ?? '',
    department: active(s.DEPARTMENT)[0]?.DEPARTMENTID ?? '',
    location: active(s.LOCATION)[0]?.LOCATIONID ?? '',
    project,
    project2: active(s.PROJECT)[1]?.PROJECTID ?? '',
    task,
    task2: tasks[1]?.TASKID ?? '',
    costType: active(s.COSTTYPE).find((t) => t.PROJECTID === project && t.TASKID === task)?.COSTTYPEID ?? '',
    item: active(s.ITEM)[0]?.ITEMID ?? '',
    classId: active(s.CLASS)[0]?.CLASSID ?? '',
  };
}

function bill(ref: Ref, key: string, amounts: string[], extra: Partial<BillInput> = {}): BillInput {
  return {
    key,
    vendorId: ref.vendor,
    billNumber: `PA-${key}`,
    reference: 'SC-0001',
    description: `Pay application ${key}`,
    date: '2026-10-15',
    dueDate: '2026-11-14',
    lines: amounts.map((amount, i) => ({
      accountNo: ref.account,
      amount,
      description: `G703 line ${i + 1}`,
      locationId: ref.location,
      departmentId: ref.department,
      projectId: ref.project,
      taskId: ref.task,
      costTypeId: ref.costType,
      classId: ref.classId,
      vendorId: ref.vendor,
    })),
    ...extra,
  };
}

const billsWithKey = async (sim: RunningSimulator, key: string): Promise<Node[]> => ((await state(sim)).APBILL ?? []).filter((b) => b.PROCORE_ID === key);
const count = (labels: readonly string[], prefix: string): number => labels.filter((l) => l.startsWith(prefix)).length;

describe('Intacct connector: sign-in and sessions (fact sheet 2.4, 2.5)', () => {
  it('testConnection signs in and names the company, user and entity; later calls reuse the session', async () => {
    const h = await harness();
    const result = await h.connector.testConnection();
    expect(result).toEqual({ ok: true, detail: 'Signed in to Sage Intacct company ML-SANDBOX as xml_gateway (the top level).' });
    await h.connector.readReference(['LOCATION']);
    await h.connector.readReference(['CLASS']);
    expect(count(h.labels, 'getAPISession')).toBe(1);

    const entity = await harness({ settings: { entityId: (await refData(h.sim)).location } });
    const signedIn = await entity.connector.testConnection();
    expect(signedIn.ok && signedIn.detail).toMatch(/\(entity \d+\)/);
  });

  it('a lapsed session is replaced once before the call; a session ended under it (401) gets one new session and one repeat', async () => {
    const h = await harness({ config: { sessionTimeoutMinutes: 30 } });
    await h.connector.readReference(['CLASS']);
    h.sim.clock.advance(31 * 60_000);
    await h.connector.readReference(['CLASS']);
    expect(count(h.labels, 'getAPISession')).toBe(2);
    expect(h.sim.requests.summary().byStatus['401']).toBeUndefined();

    h.sim.faults.onExpireTokens(); // every session ends now (fault `expire`)
    const classes = await h.connector.readReference(['CLASS']);
    expect(classes.CLASS?.length).toBe(4);
    expect(h.sim.requests.summary().byStatus['401']).toBe(1);
    expect(count(h.labels, 'getAPISession')).toBe(3);
  });

  it('a session refused again right after sign-in ends with a clear error, not a loop (2 sign-ins, 2 refusals)', async () => {
    const h = await harness({ config: { sessionTimeoutMinutes: 0 } });
    await expect(h.connector.readReference(['CLASS'])).rejects.toBeInstanceOf(IntacctSessionError);
    expect(h.sim.requests.summary()).toMatchObject({ total: 4, byStatus: { '200': 2, '401': 2 } });
  });

  it('wrong user password → HTTP 401 XMLGW_JPP0002 → NeedsReauthError after one request; testConnection says what to check', async () => {
    const h = await harness({ secrets: { userPassword: 'wrong' } });
    await expect(h.connector.readReference(['CLASS'])).rejects.toBeInstanceOf(NeedsReauthError);
    expect(h.sim.requests.summary().total).toBe(1);
    const result = await h.connector.testConnection();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/did not accept user xml_gateway in company ML-SANDBOX: Sign-in information is incorrect.*user password under Connections/);
    expect(h.sim.requests.summary().total).toBe(2);
  });

  it('wrong sender password → control failure XL03000006 → NeedsReauthError naming the sender', async () => {
    const h = await harness({ secrets: { senderPassword: 'wrong' } });
    await expect(h.connector.readReference(['CLASS'])).rejects.toThrow(/sender ID mlconnector-sandbox or its password/);
    expect(h.sim.requests.summary().total).toBe(1);
  });

  it('a sender not authorised for the company → a clear error naming the Web Services authorization, no loop', async () => {
    const h = await harness({ config: { authorizedSenderIds: ['someone-else'] } });
    const error = await h.connector.readReference(['CLASS']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntacctSenderNotAuthorizedError);
    expect((error as Error).message).toMatch(/has not authorised the Web Services sender ID "mlconnector-sandbox".*Web Services authorizations/);
    const result = await h.connector.testConnection();
    expect(!result.ok && result.problem).toMatch(/Web Services authorizations/);
    expect(h.sim.requests.summary().total).toBe(2);
  });

  it('testConnection reports a key field the company lacks (custom field missing)', async () => {
    const h = await harness({ settings: { keyFields: { bill: 'PROCORE_BILL_REF' } } });
    const result = await h.connector.testConnection();
    expect(!result.ok && result.problem).toMatch(/AP bills have no field PROCORE_BILL_REF/);
  });
});

describe('Intacct connector: reference data and validation before posting (2.8, 2.9)', () => {
  it('reads every reference object with STATUS in one request; inactive values are marked; activeOnly leaves them out', async () => {
    const h = await harness();
    const all = await h.connector.readReference(['GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'TASK', 'COSTTYPE', 'CLASS', 'VENDOR', 'CUSTOMER', 'EMPLOYEE', 'ITEM', 'WAREHOUSE']);
    expect(h.labels.filter((l) => !l.startsWith('getAPISession'))).toHaveLength(1);
    expect(all.GLACCOUNT?.find((a) => a.id === '59990')).toMatchObject({ active: false, name: 'Job cost - legacy subcontracts (closed)' });
    expect(all.DEPARTMENT?.find((d) => d.id === 'INT')?.active).toBe(false);
    expect(all.CLASS?.find((c) => c.id === 'LEGACY')?.active).toBe(false);
    expect(all.TASK?.[0]).toMatchObject({ object: 'TASK', projectId: expect.stringMatching(/^P/), active: true });
    expect(all.COSTTYPE?.[0]).toMatchObject({ object: 'COSTTYPE', projectId: expect.any(String), taskId: expect.any(String) });
    const s = await state(h.sim);
    for (const object of ['GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'TASK', 'COSTTYPE', 'CLASS', 'VENDOR', 'ITEM'] as const) expect(all[object]).toHaveLength(s[object]?.length ?? -1);

    const active = await h.connector.readReference(['GLACCOUNT', 'DEPARTMENT', 'CLASS'], { activeOnly: true });
    expect(active.GLACCOUNT?.some((a) => a.id === '59990')).toBe(false);
    expect(active.DEPARTMENT?.some((d) => d.id === 'INT')).toBe(false);
    expect(active.CLASS?.map((c) => c.id).sort()).toEqual(['COM', 'INF', 'RES']);
  });

  it('pages past the page size: the first pages in one request, every further page in one more', async () => {
    const h = await harness({ settings: { pageSize: 200 } });
    const data = await h.connector.readReference(['COSTTYPE', 'TASK', 'CLASS']);
    const s = await state(h.sim);
    expect(data.COSTTYPE).toHaveLength(s.COSTTYPE?.length ?? -1);
    expect(new Set(data.COSTTYPE?.map((c) => c.recordNo)).size).toBe(s.COSTTYPE?.length);
    expect(data.TASK).toHaveLength(s.TASK?.length ?? -1);
    expect(h.labels.filter((l) => !l.startsWith('getAPISession'))).toHaveLength(2);
  });

  it('validateDocuments: unknown and inactive accounts and dimensions, a task of another project, scope missing; read once per run', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const problems = await h.connector.validateDocuments([
      { key: 'ok', vendorId: ref.vendor, lines: [{ accountNo: ref.account, projectId: ref.project, taskId: ref.task, costTypeId: ref.costType, departmentId: ref.department }] },
      {
        key: 'bad',
        vendorId: 'V-NOPE',
        lines: [
          { accountNo: '59990', departmentId: 'INT', classId: 'LEGACY' },
          { accountNo: ref.account, projectId: ref.project2, taskId: 'NO-SUCH-TASK' },
          { accountNo: '00000', costTypeId: 'L' },
        ],
      },
    ]);
    expect(problems.get('ok')).toEqual([]);
    expect(problems.get('bad')?.map((p) => p.message)).toEqual([
      'Vendor V-NOPE does not exist in Sage Intacct.',
      'Line 1: GL account 59990 (Job cost - legacy subcontracts (closed)) is inactive in Sage Intacct; choose an active one or have it reactivated.',
      'Line 1: Department INT (Interiors (closed 2025)) is inactive in Sage Intacct; choose an active one or have it reactivated.',
      'Line 1: Class LEGACY (Legacy division (closed)) is inactive in Sage Intacct; choose an active one or have it reactivated.',
      `Line 2: Task NO-SUCH-TASK does not exist in project ${ref.project2} in Sage Intacct.`,
      'Line 3: GL account 00000 does not exist in Sage Intacct.',
      'Line 3: Cost type L needs a project and a task on the same line.',
    ]);
    const reads = h.labels.filter((l) => l.startsWith('read '));
    await h.connector.validateDocuments([{ key: 'again', lines: [{ accountNo: ref.account, departmentId: ref.department }] }]);
    expect(h.labels.filter((l) => l.startsWith('read '))).toEqual(reads);
    h.connector.forgetReference();
    await h.connector.validateDocuments([{ key: 'again', lines: [{ accountNo: ref.account }] }]);
    expect(h.labels.filter((l) => l.startsWith('read ')).length).toBe(reads.length + 1);
  });
});

describe('Intacct connector: AP bills (2.6) — create, change order by LINE_NO, look-up', () => {
  it('creates bills with lines and dimensions in one request; amounts to the cent; dates mm/dd/yyyy; found by key with their lines', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const results = await h.connector.createBills([bill(ref, 'req-1', ['1000.10', '234.56']), bill(ref, 'req-2', ['0.01'], { draft: true })]);
    expect(results).toEqual([
      { key: 'req-1', ok: true, targetId: expect.any(String), recordNo: expect.any(String), how: 'written', total: '1234.66', lineNos: [1, 2], retainageLineNo: null, warnings: [] },
      expect.objectContaining({ key: 'req-2', ok: true, total: '0.01' }),
    ]);
    expect(count(h.labels, 'create APBILL')).toBe(1);
    const stored = (await billsWithKey(h.sim, 'req-1'))[0] as unknown as Record<string, unknown>;
    expect(stored).toMatchObject({ VENDORID: ref.vendor, WHENCREATED: '10/15/2026', WHENDUE: '11/14/2026', RECORDID: 'PA-req-1', DOCNUMBER: 'SC-0001', TOTALENTERED: '1234.66', STATE: 'Posted' });
    expect((stored.APBILLITEMS as Node[])[0]).toMatchObject({ LINE_NO: '1', ACCOUNTNO: ref.account, TRX_AMOUNT: '1000.10', LOCATIONID: ref.location, DEPARTMENTID: ref.department, PROJECTID: ref.project, TASKID: ref.task, COSTTYPEID: ref.costType, CLASSID: ref.classId, VENDORID: ref.vendor });
    expect((await billsWithKey(h.sim, 'req-2'))[0]?.STATE).toBe('Draft');

    const found = await h.connector.findBills(['req-1', 'req-2', 'req-unknown'], { withLines: true });
    expect([...found.keys()].sort()).toEqual(['req-1', 'req-2']);
    expect(found.get('req-1')).toMatchObject({ recordNo: results[0]?.ok && results[0].recordNo, total: '1234.66', state: 'Posted', duplicates: [] });
    expect(found.get('req-1')?.lines?.map((l) => [l.lineNo, l.accountNo, l.amount])).toEqual([
      [1, ref.account, '1000.10'],
      [2, ref.account, '234.56'],
    ]);
  });

  it('refuses locally what Intacct would round or refuse (fractions of a cent, a task without project, no due date) and says why; nothing is sent for them', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const results = await h.connector.createBills([
      bill(ref, 'cents', ['10.005']),
      { ...bill(ref, 'scope', ['1.00']), lines: [{ accountNo: ref.account, amount: '1.00', taskId: ref.task }] },
      { ...bill(ref, 'due', ['1.00']), dueDate: undefined } as unknown as BillInput,
      { ...bill(ref, 'date', ['1.00']), date: '2026-02-30' },
    ]);
    expect(results.map((r) => [r.key, r.ok, !r.ok && r.reason, !r.ok && r.message])).toEqual([
      ['cents', false, 'refused', 'Not sent to Sage Intacct: bill PA-cents (cents) line 1 amount 10.005 has fractions of a cent; round it before sending.'],
      ['scope', false, 'refused', `Not sent to Sage Intacct: bill PA-scope (scope) line 1 has task ${ref.task} but no project.`],
      ['due', false, 'refused', 'Not sent to Sage Intacct: bill PA-due (due) needs a due date or a payment term (Intacct requires one unless the bill is a draft).'],
      ['date', false, 'refused', 'Not sent to Sage Intacct: bill PA-date (date) date "2026-02-30" is not a calendar date in YYYY-MM-DD form.'],
    ]);
    expect(count(h.labels, 'create APBILL')).toBe(0);
  });

  it('Intacct refusals come back per item in finance words (Support ID kept in the details only); the other items are written', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const results = await h.connector.createBills([bill(ref, 'good', ['5.00']), { ...bill(ref, 'inactive', ['5.00']), lines: [{ accountNo: '59990', amount: '5.00' }] }]);
    expect(results[0]?.ok).toBe(true);
    const refused = results[1];
    expect(refused).toMatchObject({ ok: false, reason: 'refused', retryable: false, lookUpFirst: false });
    expect(!refused?.ok && refused?.message).toBe(
      "Sage Intacct refused bill PA-inactive (inactive): Line 1: GL account '59990' is inactive and cannot be used in a new transaction.",
    );
    expect(!refused?.ok && refused?.details.map((d) => d.description2).join(' ')).toMatch(/\[Support ID: /);
  });

  it('a change order updates the same bill by LINE_NO: new amounts to the cent, an appended line, new total checked', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const [created] = await h.connector.createBills([bill(ref, 'cmt-1', ['1000.00', '500.00'], { draft: true })]);
    if (!created?.ok || !created.recordNo) throw new Error('create failed');
    const lines = bill(ref, 'cmt-1', ['1000.00', '500.00']).lines;
    const [updated] = await h.connector.updateBills([
      {
        key: 'cmt-1',
        recordNo: created.recordNo,
        changeId: 'co-7',
        lines: [
          { ...lines[0]!, lineNo: 1, amount: '1250.25' },
          { ...lines[1]!, lineNo: 2 },
          { ...lines[0]!, lineNo: 3, amount: '99.99', description: 'CO-7 added scope' },
        ],
      },
    ]);
    expect(updated).toMatchObject({ key: 'cmt-1', ok: true, recordNo: created.recordNo, how: 'written', total: '1850.24', lineNos: [1, 2, 3] });
    const found = await h.connector.findBills(['cmt-1'], { withLines: true });
    expect(found.get('cmt-1')).toMatchObject({ recordNo: created.recordNo, total: '1850.24', duplicates: [] });
    expect(found.get('cmt-1')?.lines?.map((l) => l.amount)).toEqual(['1250.25', '500.00', '99.99']);
    expect(await billsWithKey(h.sim, 'cmt-1')).toHaveLength(1);

    // The same change again (a replay): refused as a repeat by Intacct, settled by look-up.
    const [again] = await h.connector.updateBills([{ key: 'cmt-1', recordNo: created.recordNo, changeId: 'co-7', lines: [{ ...lines[0]!, lineNo: 1, amount: '1250.25' }, { ...lines[1]!, lineNo: 2 }, { ...lines[0]!, lineNo: 3, amount: '99.99' }] }]);
    expect(again).toMatchObject({ ok: true, how: 'found', total: '1850.24' });
  });

  it('an update that leaves a line out is caught: Intacct keeps the line, the totals differ, the result says so', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const [created] = await h.connector.createBills([bill(ref, 'cmt-2', ['100.00', '200.00'])]);
    if (!created?.ok || !created.recordNo) throw new Error('create failed');
    const [updated] = await h.connector.updateBills([{ key: 'cmt-2', recordNo: created.recordNo, changeId: 'co-1', lines: [{ ...bill(ref, 'x', ['150.00']).lines[0]!, lineNo: 1 }] }]);
    expect(updated).toMatchObject({ ok: false, reason: 'refused' });
    expect(!updated?.ok && updated?.message).toMatch(/total for bill cmt-2 is 350.00, but the lines sent add up to 150.00: the bill has lines this change did not send/);
  });

  it('retainage per setting: net lines, or a separate line crediting the retainage payable account', async () => {
    const net = await harness({ settings: { retainage: { mode: 'net' } } });
    const ref = await refData(net.sim);
    const lines = (k: string): BillInput => ({ ...bill(ref, k, ['1000.00', '500.00']), lines: bill(ref, k, ['1000.00', '500.00']).lines.map((l, i) => ({ ...l, retainage: i === 0 ? '100.00' : '50.00' })) });
    const [n] = await net.connector.createBills([lines('ret-net')]);
    expect(n).toMatchObject({ ok: true, total: '1350.00', retainageLineNo: null });
    expect(((await billsWithKey(net.sim, 'ret-net'))[0] as unknown as { APBILLITEMS: Node[] }).APBILLITEMS.map((l) => l.TRX_AMOUNT)).toEqual(['900.00', '450.00']);

    const separate = await harness({ settings: { retainage: { mode: 'separate-line', accountNo: ref.account2 } } });
    const [s] = await separate.connector.createBills([lines('ret-line')]);
    expect(s).toMatchObject({ ok: true, total: '1350.00', lineNos: [1, 2], retainageLineNo: 3 });
    const items = ((await billsWithKey(separate.sim, 'ret-line'))[0] as unknown as { APBILLITEMS: Node[] }).APBILLITEMS;
    expect(items.map((l) => [l.LINE_NO, l.ACCOUNTNO, l.TRX_AMOUNT])).toEqual([
      ['1', ref.account, '1000.00'],
      ['2', ref.account, '500.00'],
      ['3', ref.account2, '-150.00'],
    ]);
  });

  it('control characters are stripped before escaping (an XML parse error otherwise); the result says text changed; & < > survive', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const [result] = await h.connector.createBills([bill(ref, 'ctl', ['1.00'], { description: 'Bell\u0007 & <unit>\u001F "A"\u000B' })]);
    expect(result).toMatchObject({ ok: true, warnings: ['3 control characters were removed from its text (XML does not allow them).'] });
    expect((await billsWithKey(h.sim, 'ctl'))[0]?.DESCRIPTION).toBe('Bell & <unit> "A"');
  });
});

describe('Intacct connector: idempotency and faults (2.1, 2.2, 2.3, 2.11)', () => {
  it('transaction="true": one refused item rolls the whole batch back; the others say why; nothing is written', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const results = await h.connector.createBills(
      [bill(ref, 'tx-1', ['1.00']), { ...bill(ref, 'tx-2', ['2.00']), lines: [{ accountNo: ref.account, amount: '2.00', departmentId: 'INT' }] }, bill(ref, 'tx-3', ['3.00'])],
      { atomic: true },
    );
    expect(results.map((r) => [r.key, r.ok, !r.ok && r.reason, !r.ok && r.retryable, !r.ok && r.lookUpFirst])).toEqual([
      ['tx-1', false, 'rolled-back', true, false],
      ['tx-2', false, 'refused', false, false],
      ['tx-3', false, 'rolled-back', true, false],
    ]);
    expect(!results[1]?.ok && results[1]?.message).toMatch(/Department 'INT' is inactive/);
    expect(!results[0]?.ok && results[0]?.message).toBe(
      'bill PA-tx-1 (tx-1) was not written: bill PA-tx-2 (tx-2) was refused, and Sage Intacct rolled back the whole batch (all or nothing). Send it again once that is fixed.',
    );
    expect((await state(h.sim)).APBILL ?? []).toHaveLength(0);

    // Fixed and sent again: all three are written; the controlids of the rolled-back functions were never spent.
    const again = await h.connector.createBills([bill(ref, 'tx-1', ['1.00']), bill(ref, 'tx-2', ['2.00']), bill(ref, 'tx-3', ['3.00'])], { atomic: true });
    expect(again.map((r) => r.ok && r.how)).toEqual(['written', 'written', 'written']);
  });

  it('a dropped answer after Intacct committed: settled by looking the key up, never posted twice', async () => {
    let drops = 0;
    const h = await harness({
      beforeRequest: (label, sim) => {
        // Drop the answer of the first bill request only (the bill is committed, the client hears nothing).
        if (label.startsWith('create APBILL') && drops === 0) {
          drops += 1;
          sim.faults.set({ dropAfterCommitRate: 1 });
        } else sim.faults.clear();
      },
    });
    const ref = await refData(h.sim);
    const [result] = await h.connector.createBills([bill(ref, 'drop-1', ['77.77'])]);
    expect(result).toMatchObject({ ok: true, how: 'found', total: '77.77' });
    expect(h.labels.filter((l) => !l.startsWith('getAPISession'))).toEqual(['create APBILL ×1', 'find APBILL by PROCORE_ID']);
    expect(await billsWithKey(h.sim, 'drop-1')).toHaveLength(1);

    // A later run that did not hear about it sends the same bill again: Intacct refuses the
    // repeated controlid, the look-up finds the first one.
    const [replay] = await h.connector.createBills([bill(ref, 'drop-1', ['77.77'])]);
    expect(replay).toMatchObject({ ok: true, how: 'found' });
    expect(await billsWithKey(h.sim, 'drop-1')).toHaveLength(1);
  });

  it('HTTP 524 (Intacct kept processing) is never retried blindly: each unclear write is looked up first; every bill exists once', async () => {
    const h = await harness({ config: { cdnTimeoutRate: 0.5 }, settings: { functionsPerRequest: 2 } });
    const ref = await refData(h.sim);
    const keys = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const results = await h.connector.createBills(keys.map((k) => bill(ref, `cdn-${k}`, ['10.00'])));
    expect(results.every((r) => r.ok)).toBe(true);
    const s = await state(h.sim);
    for (const k of keys) expect((s.APBILL ?? []).filter((b) => b.PROCORE_ID === `cdn-${k}`)).toHaveLength(1);
    const statuses = h.sim.requests.recent().map((r) => r.status);
    // Requests and answers line up one to one (no kit-level retries here): after a write that
    // got a 524, the next request is a look-up, and what it found is reported as found.
    const lostWrites = statuses.flatMap((status, i) => (status === 524 && h.labels[i]?.startsWith('create APBILL') ? [i] : []));
    expect(lostWrites.length).toBeGreaterThan(0);
    for (const i of lostWrites) expect(h.labels[i + 1]).toBe('find APBILL by PROCORE_ID');
    expect(results.filter((r) => r.ok && r.how === 'found')).toHaveLength(2 * lostWrites.length);
  });

  it('429 / GW-0010: reads wait and retry; a write waits, is looked up, then sent again; the connector slept on the simulator clock', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    await h.connector.testConnection();
    const before = h.sim.clock.now();
    h.sim.faults.apply({ bySystem: new Map([['intacct', { stormMs: 3000 }]]) });
    const data = await h.connector.readReference(['CLASS']);
    expect(data.CLASS).toHaveLength(4);
    expect(h.sim.clock.now() - before).toBeGreaterThanOrEqual(3000);
    expect(h.sim.requests.summary().byStatus['429']).toBeGreaterThan(0);

    h.sim.faults.apply({ bySystem: new Map([['intacct', { stormMs: 3000 }]]) });
    const [result] = await h.connector.createBills([bill(ref, 'rl-1', ['3.00'])]);
    expect(result).toMatchObject({ ok: true, how: 'written' });
    expect(h.labels.slice(-3)).toEqual(['create APBILL ×1', 'find APBILL by PROCORE_ID', 'create APBILL ×1']);
    expect(await billsWithKey(h.sim, 'rl-1')).toHaveLength(1);
  });

  it('a rate limit said in an HTTP 200 body is waited out too', async () => {
    const h = await harness({ config: { rateLimitHttpStatus: 200 } });
    await h.connector.testConnection();
    h.sim.faults.apply({ bySystem: new Map([['intacct', { stormMs: 2000 }]]) });
    expect((await h.connector.readReference(['CLASS'])).CLASS).toHaveLength(4);
  });

  it('a stopped run (signal) starts no further call; unsent items come back not-sent, to be looked up', async () => {
    const stop = new AbortController();
    // The run is stopped while the first request is on its way.
    const h = await harness({ settings: { functionsPerRequest: 1 }, beforeRequest: (label) => label.startsWith('create APBILL') && stop.abort() });
    const ref = await refData(h.sim);
    const results = await h.connector.createBills([bill(ref, 'sig-1', ['1.00']), bill(ref, 'sig-2', ['1.00'])], { signal: stop.signal });
    expect(results.map((r) => (r.ok ? 'ok' : [r.reason, r.retryable, r.lookUpFirst]))).toEqual(['ok', ['not-sent', true, true]]);
    expect(count(h.labels, 'create APBILL')).toBe(1);
  });
});

describe('Intacct connector: GL journal entries (2.7) and purchasing transactions', () => {
  it('GLBATCH: a balanced entry with LOCATION / DEPARTMENT / project dimensions; replaced as a whole by an update; found with its lines', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const entry = {
      key: 'cmt-gl-1',
      journal: 'JCJ',
      date: '2026-10-03',
      title: 'Commitment SC-0001',
      lines: [
        { accountNo: ref.account, side: 'debit' as const, amount: '1500.50', locationId: ref.location, departmentId: ref.department, projectId: ref.project, taskId: ref.task, costTypeId: ref.costType },
        { accountNo: ref.account2, side: 'credit' as const, amount: '1500.50', locationId: ref.location },
      ],
    };
    const unbalanced = { ...entry, key: 'bad', lines: [entry.lines[0]!, { ...entry.lines[1]!, amount: '1500.00' }] };
    const [created, refused] = await h.connector.createJournalEntries([entry, unbalanced]);
    expect(created).toMatchObject({ ok: true, how: 'written', total: '1500.50' });
    expect(!refused?.ok && refused?.message).toBe('Not sent to Sage Intacct: journal entry bad does not balance: debits 1500.50, credits 1500.00.');
    const stored = ((await state(h.sim)).GLBATCH ?? [])[0] as unknown as Record<string, unknown>;
    expect(stored).toMatchObject({ JOURNAL: 'JCJ', BATCH_DATE: '10/03/2026', REFERENCENO: 'cmt-gl-1' });
    expect((stored.ENTRIES as Node[])[0]).toMatchObject({ LOCATION: ref.location, DEPARTMENT: ref.department, TASKID: ref.task, TR_TYPE: '1' });

    if (!created?.ok || !created.recordNo) throw new Error('create failed');
    const [updated] = await h.connector.updateJournalEntries([{ key: 'cmt-gl-1', recordNo: created.recordNo, changeId: 'co-1', lines: entry.lines.map((l) => ({ ...l, amount: '1600.00' })) }]);
    expect(updated).toMatchObject({ ok: true, recordNo: created.recordNo, total: '1600.00' });
    const found = await h.connector.findJournalEntries(['cmt-gl-1']);
    expect(found.get('cmt-gl-1')).toMatchObject({ recordNo: created.recordNo, total: '1600.00' });
    expect(found.get('cmt-gl-1')?.lines).toHaveLength(2);
    expect((await state(h.sim)).GLBATCH).toHaveLength(1);
  });

  it('purchasing: create_potransaction answers the DOCID; a change order amends the same document (line changed by number, one appended); found with lines', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const doc: PurchasingDocumentInput = {
      key: 'po-44',
      transactionType: 'Subcontract',
      vendorId: ref.vendor,
      date: '2026-10-03',
      termName: 'Net 30',
      referenceNo: 'SC-0044',
      returnTo: 'Site office',
      payTo: 'Accounts',
      projectId: ref.project,
      lines: [
        { itemId: ref.item, quantity: '3', unitPrice: '1000.005', locationId: ref.location, departmentId: ref.department, projectId: ref.project, taskId: ref.task, costTypeId: ref.costType, memo: 'Scope A' },
        { itemId: ref.item, quantity: '1', unitPrice: '20.00', memo: 'Scope B' },
      ],
    };
    const [created, noItem] = await h.connector.createPurchasingDocuments([doc, { ...doc, key: 'po-45', lines: [{ quantity: '1', unitPrice: '1.00' }] }]);
    expect(created).toMatchObject({ ok: true, targetId: 'Subcontract-SC0001', how: 'written', total: '3020.02' });
    expect(!noItem?.ok && noItem?.message).toMatch(/has no item \(Intacct purchasing lines need one/);
    const [changed] = await h.connector.updatePurchasingDocuments([
      {
        key: 'po-44',
        transactionType: 'Subcontract',
        documentId: 'Subcontract-SC0001',
        changeId: 'co-1',
        changeLogNumber: 'CO-1',
        lines: [{ ...doc.lines[0]!, lineNo: 1, quantity: '4' }, { ...doc.lines[1]!, lineNo: 2 }, { itemId: ref.item, quantity: '1', unitPrice: '0.99', memo: 'CO-1' }],
      },
    ]);
    expect(changed).toMatchObject({ ok: true, targetId: 'Subcontract-SC0001', total: '4021.01' });
    const found = await h.connector.findPurchasingDocuments(['po-44'], { transactionType: 'Subcontract', withLines: true });
    expect(found.get('po-44')).toMatchObject({ documentId: 'Subcontract-SC0001', total: '4021.01', state: 'Pending' });
    expect(found.get('po-44')?.lines?.map((l) => [l.lineNo, l.quantity, l.amount])).toEqual([
      [1, '4', '4000.02'],
      [2, '1', '20.00'],
      [3, '1', '0.99'],
    ]);
    expect((await state(h.sim)).PODOCUMENT).toHaveLength(1);
  });
});

describe('Intacct connector: every optional element the builders write (so the XSD check below sees them all)', () => {
  it('maximal bills, journals, purchasing documents and vendors are accepted', async () => {
    const h = await harness({ settings: { defaultPurchasingItemId: 'BET-C2025' } });
    const ref = await refData(h.sim);
    const s = await state(h.sim);
    const customer = s.CUSTOMER?.[0]?.CUSTOMERID ?? '';
    const employee = s.EMPLOYEE?.[0]?.EMPLOYEEID ?? '';
    const warehouse = s.WAREHOUSE?.[0]?.WAREHOUSEID ?? '';
    const dims = { locationId: ref.location, departmentId: ref.department, projectId: ref.project, taskId: ref.task, costTypeId: ref.costType, classId: ref.classId, vendorId: ref.vendor, customerId: customer, employeeId: employee, itemId: ref.item, warehouseId: warehouse };
    const [b] = await h.connector.createBills([
      { ...bill(ref, 'max-bill', ['10.00']), glPostingDate: '2026-10-16', termName: 'Net 30', lines: [{ ...dims, accountNo: ref.account, amount: '10.00', description: 'all dimensions' }] },
    ]);
    expect(b).toMatchObject({ ok: true });
    if (!b?.ok || !b.recordNo) throw new Error('bill');
    expect((await h.connector.updateBills([{ key: 'max-bill', recordNo: b.recordNo, changeId: 'c', description: 'changed', reference: 'SC-2', dueDate: '2026-12-01', submit: true, lines: [{ ...dims, accountNo: ref.account, amount: '11.00', lineNo: 1 }] }]))[0]).toMatchObject({ ok: true, total: '11.00' });

    const [j] = await h.connector.createJournalEntries([
      { key: 'max-gl', journal: 'GJ', date: '2026-10-03', title: 'All', draft: true, lines: [{ ...dims, accountNo: ref.account, side: 'debit', amount: '5.00', description: 'd' }, { accountNo: ref.account2, side: 'credit', amount: '5.00' }] },
    ]);
    expect(j).toMatchObject({ ok: true });
    if (!j?.ok || !j.recordNo) throw new Error('journal');
    expect((await h.connector.updateJournalEntries([{ key: 'max-gl', recordNo: j.recordNo, changeId: 'c', title: 'All (changed)', date: '2026-10-04', lines: [{ accountNo: ref.account, side: 'debit', amount: '6.00' }, { accountNo: ref.account2, side: 'credit', amount: '6.00' }] }]))[0]).toMatchObject({ ok: true, total: '6.00' });

    const poLine = { ...dims, quantity: '2.5', unitPrice: '4.00', memo: 'm', itemDescription: 'Concrete', unit: 'm3', retainagePercentage: '5' };
    const [p] = await h.connector.createPurchasingDocuments([
      { key: 'max-po', transactionType: 'Purchase Order', vendorId: ref.vendor, date: '2026-10-03', dueDate: '2026-11-30', referenceNo: 'PO-9', vendorDocNo: 'Q-77', message: 'note', projectId: ref.project, returnTo: 'Site', payTo: 'AP', draft: true, lines: [poLine, { quantity: '1', unitPrice: '1.00' }] },
    ]);
    expect(p).toMatchObject({ ok: true, total: '11.00' });
    const [pu] = await h.connector.updatePurchasingDocuments([
      { key: 'max-po', transactionType: 'Purchase Order', documentId: p?.ok ? p.targetId : '', changeId: 'c', changeLogNumber: 'CO-1', message: 'changed', dueDate: '2026-12-31', lines: [{ ...poLine, lineNo: 1 }, { quantity: '1', unitPrice: '1.00', lineNo: 2 }, { ...poLine, quantity: '1' }] },
    ]);
    expect(pu).toMatchObject({ ok: true, total: '15.00' });

    const [v] = await h.connector.createVendors([
      { key: 'max-v', vendorId: 'V-MAX', name: 'Max B.V.', printAs: 'Max', email: 'a@max.example', phone: '+31 20 000', taxId: 'NL1', termName: 'Net 30', active: true, address: { line1: 'Dam 1', line2: 'Unit 2', city: 'Amsterdam', state: 'NH', postalCode: '1012 JS', country: 'Netherlands', countryCode: 'NL' } },
    ]);
    expect(v).toMatchObject({ ok: true, targetId: 'V-MAX' });
    const [vu] = await h.connector.updateVendors([{ key: 'max-v', vendorId: 'V-MAX', changeId: 'c', name: 'Max Holding B.V.', printAs: 'Max H', email: 'b@max.example', phone: '+31 20 111', taxId: 'NL2', termName: 'Net 30', active: true, address: { city: 'Utrecht' } }]);
    expect(vu).toMatchObject({ ok: true });
  });
});

describe('Intacct connector: vendors both ways (2.8) and payment status', () => {
  it('creates vendors with the Procore key, finds them, reads changes since a cursor, updates them', async () => {
    const h = await harness();
    const start = await h.connector.listVendors();
    expect(start.vendors.length).toBe(((await state(h.sim)).VENDOR ?? []).length);
    h.sim.clock.advance(60_000);
    const results = await h.connector.createVendors([
      { key: 'pv-1', name: 'Nieuwbouw Installaties B.V.', email: 'ap@nieuwbouw.example', taxId: 'NL001', termName: 'Net 30', address: { city: 'Utrecht', countryCode: 'NL' } },
      { key: 'pv-2', vendorId: 'V-PV2', name: 'Steel & Co' },
    ]);
    expect(results.map((r) => r.ok && r.targetId)).toEqual([expect.stringMatching(/^V-/), 'V-PV2']);
    const changed = await h.connector.listVendors({ modifiedSince: start.cursorAfter });
    expect(changed.vendors.filter((v) => v.key !== null).map((v) => [v.key, v.name])).toEqual([
      ['pv-1', 'Nieuwbouw Installaties B.V.'],
      ['pv-2', 'Steel & Co'],
    ]);
    const found = await h.connector.findVendors(['pv-1', 'pv-2', 'pv-none']);
    expect(found.get('pv-2')).toMatchObject({ vendorId: 'V-PV2', active: true });
    h.sim.clock.advance(60_000);
    const [updated] = await h.connector.updateVendors([{ key: 'pv-2', vendorId: 'V-PV2', changeId: 'u1', name: 'Steel & Co (NL)', active: false }]);
    expect(updated).toMatchObject({ ok: true, targetId: 'V-PV2' });
    const after = await h.connector.listVendors({ modifiedSince: changed.cursorAfter });
    expect(after.vendors.find((v) => v.vendorId === 'V-PV2')).toMatchObject({ name: 'Steel & Co (NL)', active: false });
    expect(after.cursorAfter! >= changed.cursorAfter!).toBe(true);
  });

  it('changes are read in keyset pages: a vendor edited in Intacct between two pages is neither skipped nor lost', async () => {
    let pages = 0;
    const h = await harness({
      settings: { pageSize: 7 },
      beforeRequest: (label, sim) => {
        if (!label.startsWith('read VENDOR changed')) return;
        pages += 1;
        if (pages !== 2) return;
        // Someone edits vendor 1 (on page 1) while the second page is on its way: it moves behind the cursor.
        const vendors = sim.store.collection<{ fields: Node }>('VENDOR');
        const first = vendors.get('1');
        if (first) vendors.put('1', { ...first, fields: { ...first.fields, NAME: 'Renamed meanwhile', WHENMODIFIED: '10/31/2026 09:00:00' } });
      },
    });
    const total = ((await state(h.sim)).VENDOR ?? []).length;
    const { vendors, cursorAfter } = await h.connector.listVendors({ modifiedSince: '2026-10-30T16:00:00' });
    expect(new Set(vendors.map((v) => v.recordNo)).size).toBe(total);
    expect(vendors.filter((v) => v.recordNo === '1').map((v) => v.name)).toEqual([expect.not.stringMatching(/Renamed/), 'Renamed meanwhile']);
    expect(cursorAfter).toBe('2026-10-31T09:00:00');
    expect(pages).toBe(Math.ceil((total + 1) / 7));
  });

  it('payment status: a partial then a final payment show in STATE / TOTALPAID / TOTALDUE / WHENPAID read by WHENMODIFIED; a paid bill cannot change', async () => {
    const h = await harness();
    const ref = await refData(h.sim);
    const [created] = await h.connector.createBills([bill(ref, 'pay-1', ['600.00', '400.00'])]);
    if (!created?.ok || !created.recordNo) throw new Error('create failed');
    const first = await h.connector.readBillPayments();
    expect(first.bills.map((b) => [b.key, b.paymentStatus, b.totalDue])).toEqual([['pay-1', 'unpaid', '1000.00']]);

    h.sim.clock.advance(60_000);
    await pay(h.sim, ref.vendor, created.recordNo, '250.00', '10/20/2026');
    const partly = await h.connector.readBillPayments({ modifiedSince: first.cursorAfter });
    expect(partly.bills).toEqual([
      expect.objectContaining({ key: 'pay-1', recordNo: created.recordNo, state: 'Partially Paid', paymentStatus: 'partially-paid', total: '1000.00', totalPaid: '250.00', totalDue: '750.00', paidOn: '2026-10-20' }),
    ]);
    h.sim.clock.advance(60_000);
    await pay(h.sim, ref.vendor, created.recordNo, '750.00', '10/25/2026');
    const paid = await h.connector.readBillPayments({ modifiedSince: partly.cursorAfter });
    expect(paid.bills[0]).toMatchObject({ state: 'Paid', paymentStatus: 'paid', totalDue: '0.00', paidOn: '2026-10-25' });
    const payments = await h.connector.readPaymentsOfBills([created.recordNo]);
    expect(payments.map((p) => [p.amount, p.paymentDate, p.paymentMethod, p.state])).toEqual([
      ['250.00', '2026-10-20', 'EFT', 'Complete'],
      ['750.00', '2026-10-25', 'EFT', 'Complete'],
    ]);

    const [update] = await h.connector.updateBills([{ key: 'pay-1', recordNo: created.recordNo, changeId: 'late-co', lines: bill(ref, 'x', ['700.00', '400.00']).lines.map((l, i) => ({ ...l, lineNo: i + 1 })) }]);
    expect(update).toMatchObject({ ok: false, reason: 'refused' });
    expect(!update?.ok && update?.message).toMatch(/has payments applied/);
  });
});

/** An AP payment applied to a bill, posted straight to the simulator (the connector does not pay bills). */
async function pay(sim: RunningSimulator, vendorId: string, billRecordNo: string, amount: string, date: string): Promise<void> {
  const c = sim.credentials;
  const body = `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${String(c.senderId)}</senderid><password>${String(c.senderPassword)}</password><controlid>pay</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication><login><userid>${String(c.userId)}</userid><companyid>${String(c.companyId)}</companyid><password>${String(c.userPassword)}</password></login></authentication><content><function controlid="pay-${billRecordNo}-${amount}"><create><APPYMT><PAYMENTMETHOD>EFT</PAYMENTMETHOD><FINANCIALENTITY>BNK-EUR</FINANCIALENTITY><VENDORID>${vendorId}</VENDORID><PAYMENTDATE>${date}</PAYMENTDATE><APPYMTDETAILS><APPYMTDETAIL><RECORDKEY>${billRecordNo}</RECORDKEY><TRX_PAYMENTAMOUNT>${amount}</TRX_PAYMENTAMOUNT></APPYMTDETAIL></APPYMTDETAILS></APPYMT></create></function></content></operation></request>`;
  const res = await fetch(`${sim.baseUrl}/ia/xml/xmlgw.phtml`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
  expect(await res.text()).toMatch(/<status>success<\/status>.*<status>success<\/status>/s);
}

describe("Intacct's XSD (shared/vendor-specs/sage-intacct/api.xsd) and every request document the connector built", () => {
  it('every kind of request the connector sends was sent above, and every document is valid against api.xsd', async () => {
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'getAPISession',
        'look up the key fields',
        'read APBILL',
        'read GLBATCH',
        'read PODOCUMENT',
        'read VENDOR',
        'find APBILL',
        'find GLBATCH',
        'find PODOCUMENT',
        'find VENDOR',
        'create APBILL',
        'update APBILL',
        'create GLBATCH',
        'update GLBATCH',
        'create PODOCUMENT',
        'update PODOCUMENT',
        'create VENDOR',
        'update VENDOR',
        'read payment details',
        'read payments',
      ]),
    );
    expect(sent.size).toBeGreaterThan(60);
    expect(await sent.problems()).toEqual([]);
  });
});

describe('pages spoiled in Intacct’s own XML (sandbox faults dupes, repeat)', () => {
  const objects = ['VENDOR', 'GLACCOUNT', 'DEPARTMENT', 'LOCATION'] as const;

  it('records sent twice inside <data>, an offset answered with the page before it: each record read once, none skipped', async () => {
    const clean = await harness({ settings: { pageSize: 2 } });
    const want = await clean.connector.readReference([...objects]);
    expect(want.VENDOR!.length).toBeGreaterThan(4);
    const h = await harness({ settings: { pageSize: 2 } });
    h.sim.faults.set({ duplicateRate: 1 });
    expect(await h.connector.readReference([...objects])).toEqual(want);
    expect(new Set(h.sim.requests.recent().map((r) => r.fault))).toContain('duplicates');
    const r = await harness({ settings: { pageSize: 2 } });
    r.sim.faults.set({ repeatCursorRate: 0.7 });
    expect(await r.connector.readReference([...objects])).toEqual(want);
    expect(new Set(r.sim.requests.recent().map((q) => q.fault))).toContain('repeat-cursor');
  });

  it('every further page repeated: the read stops after four tries, in words, and does not loop', async () => {
    const h = await harness({ settings: { pageSize: 2 } });
    await h.connector.readReference(['CLASS']); // signed in before the faults
    h.sim.faults.set({ repeatCursorRate: 1 });
    const before = h.sim.requests.total;
    await expect(h.connector.readReference(['VENDOR'])).rejects.toThrow(/counted \d+ VENDOR records but its pages held \d+ different ones, 4 times in a row \(pages repeated\)\. Nothing was written from this read; run the sync again later\./);
    // Four rounds, each the first page and the pages after it (one request each).
    expect(h.sim.requests.total - before).toBe(8);
  });
});
