import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntacctSimulator } from '../../src-main/sandbox/sage-intacct/index';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { fetchJson, useTempDirs, withSimulator } from './support';

// Conformance of the Sage Intacct simulator with shared/api/acumatica-intacct-coupa-monday.md §2.
// Titles start with the fact-sheet section they check.

type Node = Record<string, unknown>;
const GATEWAY = '/ia/xml/xmlgw.phtml';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name, jpath) => ['response.operation.result', 'response.errormessage.error', 'response.operation.errormessage.error', 'response.operation.result.errormessage.error'].includes(String(jpath)),
});

interface Envelope {
  senderId?: string;
  senderPassword?: string;
  controlId?: string;
  /** undefined = send false; null = omit the element. */
  uniqueId?: boolean | null;
  dtd?: string;
  auth: string;
  functions: string[];
  transaction?: boolean;
}

function xmlRequest(sim: RunningSimulator, e: Envelope): string {
  const c = sim.credentials;
  return `<?xml version="1.0" encoding="UTF-8"?>
<request><control><senderid>${e.senderId ?? String(c.senderId)}</senderid><password>${e.senderPassword ?? String(c.senderPassword)}</password><controlid>${e.controlId ?? 'ctl-1'}</controlid>${e.uniqueId === null ? '' : `<uniqueid>${e.uniqueId ? 'true' : 'false'}</uniqueid>`}<dtdversion>${e.dtd ?? '3.0'}</dtdversion><includewhitespace>false</includewhitespace></control>
<operation${e.transaction ? ' transaction="true"' : ''}><authentication>${e.auth}</authentication><content>${e.functions.join('')}</content></operation></request>`;
}

const loginAuth = (sim: RunningSimulator, password = String(sim.credentials.userPassword)): string =>
  `<login><userid>${String(sim.credentials.userId)}</userid><companyid>${String(sim.credentials.companyId)}</companyid><password>${password}</password></login>`;
const fn = (controlId: string, body: string): string => `<function controlid="${controlId}">${body}</function>`;

async function post(sim: RunningSimulator, body: string, contentType = 'application/xml'): Promise<{ status: number; text: string; response: Node }> {
  const res = await fetch(`${sim.baseUrl}${GATEWAY}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  return { status: res.status, text, response: (parser.parse(text) as { response: Node }).response };
}

async function call(sim: RunningSimulator, functions: string[], extra: Partial<Envelope> = {}): Promise<{ status: number; text: string; response: Node; results: Node[] }> {
  const out = await post(sim, xmlRequest(sim, { auth: loginAuth(sim), functions, ...extra }));
  const results = ((out.response.operation as Node | undefined)?.result as Node[] | undefined) ?? [];
  return { ...out, results };
}

const path = (node: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((n, k) => (n as Node | undefined)?.[k], node);
const asList = <T,>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const errorNos = (holder: unknown): string[] => asList(path(holder, 'errormessage', 'error') as Node[] | undefined).map((e) => String(e.errorno));

function billXml(vendorId: string, account: string, amounts: string[], extra = ''): string {
  const lines = amounts.map((a, i) => `<APBILLITEM><ACCOUNTNO>${account}</ACCOUNTNO><TRX_AMOUNT>${a}</TRX_AMOUNT><ENTRYDESCRIPTION>line ${i + 1}</ENTRYDESCRIPTION></APBILLITEM>`).join('');
  return `<create><APBILL><VENDORID>${vendorId}</VENDORID><WHENCREATED>10/15/2026</WHENCREATED><WHENDUE>11/14/2026</WHENDUE><RECORDID>INV-1</RECORDID>${extra}<APBILLITEMS>${lines}</APBILLITEMS></APBILL></create>`;
}

async function refData(sim: RunningSimulator): Promise<{ vendor: string; account: string; department: string; location: string; project: string }> {
  const q = (object: string, field: string): string => fn(`ref-${object}`, `<readByQuery><object>${object}</object><fields>${field}</fields><query></query><pagesize>1</pagesize></readByQuery>`);
  const { results } = await call(sim, [q('VENDOR', 'VENDORID'), q('GLACCOUNT', 'ACCOUNTNO'), q('DEPARTMENT', 'DEPARTMENTID'), q('LOCATION', 'LOCATIONID'), q('PROJECT', 'PROJECTID')]);
  const first = (i: number, element: string, field: string): string => String(path(results[i], 'data', element, field));
  return {
    vendor: first(0, 'vendor', 'VENDORID'),
    account: first(1, 'glaccount', 'ACCOUNTNO'),
    department: first(2, 'department', 'DEPARTMENTID'),
    location: first(3, 'location', 'LOCATIONID'),
    project: first(4, 'project', 'PROJECTID'),
  };
}

async function billCount(sim: RunningSimulator): Promise<number> {
  const { results } = await call(sim, [fn('count', '<readByQuery><object>APBILL</object><fields>RECORDNO</fields><query></query><pagesize>1</pagesize></readByQuery>')]);
  return Number(path(results[0], 'data', '@_totalcount'));
}

const tempDir = useTempDirs('intacct-sim-');

describe('Intacct §2.1/§2.2/§2.5 gateway, envelope and the three status levels', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
  });
  afterAll(() => sim.close());

  it('2.1 one endpoint: POST /ia/xml/xmlgw.phtml; other paths 404, GET 405', async () => {
    expect((await fetch(`${sim.baseUrl}/ia/xml/other.phtml`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${sim.baseUrl}${GATEWAY}`)).status).toBe(405);
  });

  it('2.1 both application/xml and the legacy x-intacct-xml-request content types are accepted; JSON is not', async () => {
    const body = xmlRequest(sim, { auth: loginAuth(sim), functions: [fn('f', '<readByQuery><object>VENDOR</object><fields>VENDORID</fields><query></query><pagesize>1</pagesize></readByQuery>')] });
    for (const type of ['application/xml', 'x-intacct-xml-request']) {
      const { response } = await post(sim, body, type);
      expect(path(response, 'control', 'status')).toBe('success');
    }
    const json = await post(sim, body, 'application/json');
    expect(path(json.response, 'control', 'status')).toBe('failure');
    expect(errorNos(json.response)).toEqual(['GW-0011']);
  });

  it('2.5 control level: a wrong sender password → control failure XL03000006, errormessage under <response>, no operation', async () => {
    const { status, response } = await post(sim, xmlRequest(sim, { senderPassword: 'nope', auth: loginAuth(sim), functions: [fn('f', billXml('V', 'A', ['1.00']))] }));
    expect(status).toBe(200);
    expect(path(response, 'control', 'status')).toBe('failure');
    expect(errorNos(response)).toEqual(['XL03000006']);
    expect(response.operation).toBeUndefined();
  });

  it('2.2 control level: dtdversion other than 3.0 or a missing controlid → control failure, nothing runs', async () => {
    const before = await billCount(sim);
    const ref = await refData(sim);
    for (const bad of [{ dtd: '2.1' }, { controlId: '' }]) {
      const { response } = await post(sim, xmlRequest(sim, { ...bad, auth: loginAuth(sim), functions: [fn('f', billXml(ref.vendor, ref.account, ['1.00']))] }));
      expect(path(response, 'control', 'status')).toBe('failure');
    }
    expect(await billCount(sim)).toBe(before);
  });

  it('2.5 authentication level: a wrong user password → control success, authentication failure inside <operation>, no result', async () => {
    const { response } = await post(sim, xmlRequest(sim, { auth: loginAuth(sim, 'wrong'), functions: [fn('f', '<getAPISession/>')] }));
    expect(path(response, 'control', 'status')).toBe('success');
    expect(path(response, 'operation', 'authentication', 'status')).toBe('failure');
    expect(errorNos(response.operation)).toHaveLength(1);
    expect(path(response, 'operation', 'result')).toBeUndefined();
  });

  it('2.5 result level: several functions in one request, each with its own status, function and controlid', async () => {
    const { results, response } = await call(sim, [
      fn('good', '<readByQuery><object>VENDOR</object><fields>VENDORID</fields><query></query><pagesize>2</pagesize></readByQuery>'),
      fn('bad', '<readByQuery><object>NOSUCHOBJECT</object><fields>*</fields><query></query></readByQuery>'),
    ]);
    expect(path(response, 'control', 'controlid')).toBe('ctl-1');
    expect(results.map((r) => [r.status, r.function, r.controlid])).toEqual([
      ['success', 'readByQuery', 'good'],
      ['failure', 'readByQuery', 'bad'],
    ]);
    const error = (path(results[1], 'errormessage', 'error') as Node[])[0] ?? {};
    expect(Object.keys(error).sort()).toEqual(['correction', 'description', 'description2', 'errorno']);
  });
});

describe('Intacct §2.4 sessions (getAPISession)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null, config: { sessionTimeoutMinutes: 60 } });
  });
  afterAll(() => sim.close());

  async function newSession(): Promise<{ sessionid: string; endpoint: string }> {
    const { results } = await call(sim, [fn('s', '<getAPISession/>')]);
    expect(results[0]?.status).toBe('success');
    return { sessionid: String(path(results[0], 'data', 'api', 'sessionid')), endpoint: String(path(results[0], 'data', 'api', 'endpoint')) };
  }
  const withSession = (sessionid: string) =>
    call(sim, [fn('r', '<readByQuery><object>DEPARTMENT</object><fields>DEPARTMENTID</fields><query></query><pagesize>1</pagesize></readByQuery>')], { auth: `<sessionid>${sessionid}</sessionid>` });
  const advance = (ms: number) => fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: ms }) });

  it('2.4 getAPISession returns sessionid and the endpoint to use; the session authenticates later requests', async () => {
    const { sessionid, endpoint } = await newSession();
    expect(endpoint).toBe(`${sim.baseUrl}${GATEWAY}`);
    const { response, results } = await withSession(sessionid);
    expect(path(response, 'operation', 'authentication', 'status')).toBe('success');
    expect(path(response, 'operation', 'authentication', 'sessiontimeout')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(results[0]?.status).toBe('success');
  });

  it('2.4 the timeout slides with each call; an idle session expires → authentication failure', async () => {
    const { sessionid } = await newSession();
    await advance(50 * 60_000);
    expect(path((await withSession(sessionid)).response, 'operation', 'authentication', 'status')).toBe('success');
    await advance(50 * 60_000);
    expect(path((await withSession(sessionid)).response, 'operation', 'authentication', 'status')).toBe('success');
    await advance(61 * 60_000);
    const expired = await withSession(sessionid);
    expect(path(expired.response, 'control', 'status')).toBe('success');
    expect(path(expired.response, 'operation', 'authentication', 'status')).toBe('failure');
    expect(expired.results).toEqual([]);
  });

  it('2.4 an unknown session id → authentication failure; fault expire ends every session', async () => {
    expect(path((await withSession('not-a-session')).response, 'operation', 'authentication', 'status')).toBe('failure');
    const { sessionid } = await newSession();
    await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'intacct:expire=1' }) });
    expect(path((await withSession(sessionid)).response, 'operation', 'authentication', 'status')).toBe('failure');
  });
});

describe('Intacct §2.6/§2.8 create and update', () => {
  let sim: RunningSimulator;
  let ref: Awaited<ReturnType<typeof refData>>;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  async function readBill(recordNo: string): Promise<Node> {
    const { results } = await call(sim, [fn('read', `<read><object>APBILL</object><keys>${recordNo}</keys><fields>*</fields></read>`)]);
    return path(results[0], 'data', 'apbill') as Node;
  }

  it('2.6 create APBILL → <data listtype="objects" count="1"><apbill><RECORDNO>; amounts rounded to 2 decimals and totalled exactly', async () => {
    const { results } = await call(sim, [fn('c1', billXml(ref.vendor, ref.account, ['0.10', '0.20', '1234.555']))]);
    expect(results[0]?.status).toBe('success');
    expect(path(results[0], 'data', '@_listtype')).toBe('objects');
    expect(path(results[0], 'data', '@_count')).toBe('1');
    const recordNo = String(path(results[0], 'data', 'apbill', 'RECORDNO'));
    const bill = await readBill(recordNo);
    expect(bill.TOTALENTERED).toBe('1234.86');
    expect(bill.TOTALDUE).toBe('1234.86');
    expect(bill.WHENCREATED).toBe('10/15/2026');
    expect(bill.STATE).toBe('Posted');
    const lines = asList(path(bill, 'APBILLITEMS', 'apbillitem') as Node[]);
    expect(lines.map((l) => [l.LINE_NO, l.TRX_AMOUNT])).toEqual([
      ['1', '0.10'],
      ['2', '0.20'],
      ['3', '1234.56'],
    ]);
  });

  it('2.6 dimensions on lines (DEPARTMENTID, LOCATIONID, PROJECTID) must exist', async () => {
    const good = `<APBILLITEM><ACCOUNTNO>${ref.account}</ACCOUNTNO><TRX_AMOUNT>5</TRX_AMOUNT><DEPARTMENTID>${ref.department}</DEPARTMENTID><LOCATIONID>${ref.location}</LOCATIONID><PROJECTID>${ref.project}</PROJECTID></APBILLITEM>`;
    const ok = await call(sim, [fn('dims', `<create><APBILL><VENDORID>${ref.vendor}</VENDORID><WHENCREATED>10/15/2026</WHENCREATED><WHENDUE>11/14/2026</WHENDUE><APBILLITEMS>${good}</APBILLITEMS></APBILL></create>`)]);
    expect(ok.results[0]?.status).toBe('success');
    const bad = good.replace(`<PROJECTID>${ref.project}</PROJECTID>`, '<PROJECTID>NOPE</PROJECTID>');
    const ko = await call(sim, [fn('dims2', `<create><APBILL><VENDORID>${ref.vendor}</VENDORID><WHENCREATED>10/15/2026</WHENCREATED><WHENDUE>11/14/2026</WHENDUE><APBILLITEMS>${bad}</APBILLITEMS></APBILL></create>`)]);
    expect(ko.results[0]?.status).toBe('failure');
    expect(ko.text).toMatch(/Invalid project 'NOPE'/);
  });

  it('2.6 unknown vendor → failure with chained errors; nothing stored', async () => {
    const before = await billCount(sim);
    const { results, text } = await call(sim, [fn('c2', billXml('V-NOPE', ref.account, ['1.00']))]);
    expect(results[0]?.status).toBe('failure');
    expect(errorNos(results[0]).length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/Invalid Vendor 'V-NOPE'/);
    expect(await billCount(sim)).toBe(before);
  });

  it('2.6 VENDORID/WHENCREATED/WHENDUE required unless ACTION=Draft; dates must be mm/dd/yyyy', async () => {
    const noDue = `<create><APBILL><VENDORID>${ref.vendor}</VENDORID><WHENCREATED>10/15/2026</WHENCREATED><APBILLITEMS><APBILLITEM><ACCOUNTNO>${ref.account}</ACCOUNTNO><TRX_AMOUNT>1</TRX_AMOUNT></APBILLITEM></APBILLITEMS></APBILL></create>`;
    expect((await call(sim, [fn('d1', noDue)])).text).toMatch(/WHENDUE is required/);
    const draft = noDue.replace('<APBILL>', '<APBILL><ACTION>Draft</ACTION>');
    const drafted = await call(sim, [fn('d2', draft)]);
    expect(drafted.results[0]?.status).toBe('success');
    expect((await readBill(String(path(drafted.results[0], 'data', 'apbill', 'RECORDNO')))).STATE).toBe('Draft');
    const iso = billXml(ref.vendor, ref.account, ['1.00']).replace('10/15/2026', '2026-10-15');
    expect((await call(sim, [fn('d3', iso)])).text).toMatch(/mm\/dd\/yyyy/);
  });

  it('2.6/2.12 update APBILL: lines must carry LINE_NO; totals follow the changed line', async () => {
    const created = await call(sim, [fn('u0', billXml(ref.vendor, ref.account, ['10.00', '20.00']))]);
    const recordNo = String(path(created.results[0], 'data', 'apbill', 'RECORDNO'));
    const noLineNo = await call(sim, [fn('u1', `<update><APBILL><RECORDNO>${recordNo}</RECORDNO><APBILLITEMS><APBILLITEM><TRX_AMOUNT>11</TRX_AMOUNT></APBILLITEM></APBILLITEMS></APBILL></update>`)]);
    expect(noLineNo.results[0]?.status).toBe('failure');
    expect(noLineNo.text).toMatch(/LINE_NO/);
    const withLineNo = await call(sim, [fn('u2', `<update><APBILL><RECORDNO>${recordNo}</RECORDNO><DESCRIPTION>fixed</DESCRIPTION><APBILLITEMS><APBILLITEM><LINE_NO>1</LINE_NO><TRX_AMOUNT>11.00</TRX_AMOUNT></APBILLITEM></APBILLITEMS></APBILL></update>`)]);
    expect(withLineNo.results[0]?.status).toBe('success');
    const bill = await readBill(recordNo);
    expect([bill.DESCRIPTION, bill.TOTALENTERED]).toEqual(['fixed', '31.00']);
  });

  it('2.8 VENDOR create needs NAME and DISPLAYCONTACT/PRINTAS; VENDORID must be unique; update by VENDORID', async () => {
    const missing = await call(sim, [fn('v1', '<create><VENDOR><VENDORID>V-NEW</VENDORID><NAME>New Co</NAME></VENDOR></create>')]);
    expect(missing.text).toMatch(/PRINTAS/);
    const created = await call(sim, [fn('v2', '<create><VENDOR><VENDORID>V-NEW</VENDORID><NAME>New Co</NAME><DISPLAYCONTACT><PRINTAS>New Co</PRINTAS><EMAIL1>ap@new.example</EMAIL1></DISPLAYCONTACT></VENDOR></create>')]);
    expect(path(created.results[0], 'data', 'vendor', 'VENDORID')).toBe('V-NEW');
    const dup = await call(sim, [fn('v3', '<create><VENDOR><VENDORID>V-NEW</VENDORID><NAME>Again</NAME><DISPLAYCONTACT><PRINTAS>Again</PRINTAS></DISPLAYCONTACT></VENDOR></create>')]);
    expect(dup.results[0]?.status).toBe('failure');
    const updated = await call(sim, [fn('v4', '<update><VENDOR><VENDORID>V-NEW</VENDORID><NAME>New Co Ltd</NAME></VENDOR></update>')]);
    expect(updated.results[0]?.status).toBe('success');
    const read = await call(sim, [fn('v5', "<readByQuery><object>VENDOR</object><fields>NAME,DISPLAYCONTACT.EMAIL1</fields><query>VENDORID = 'V-NEW'</query></readByQuery>")]);
    expect(path(read.results[0], 'data', 'vendor')).toEqual({ NAME: 'New Co Ltd', DISPLAYCONTACT: { EMAIL1: 'ap@new.example' } });
  });

  it('2.8 vendors exist only for suppliers with an Intacct id (deliberate gaps stay missing)', async () => {
    const state = await fetchJson<{ VENDOR: Node[] }>(`${sim.baseUrl}/_sandbox/state`);
    expect(state.VENDOR.every((v) => typeof v.VENDORID === 'string' && v.VENDORID !== '')).toBe(true);
  });
});

describe('Intacct §2.3 uniqueid and §2.2 transaction blocks', () => {
  let sim: RunningSimulator;
  let ref: Awaited<ReturnType<typeof refData>>;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  it('2.3 uniqueid=true + a function controlid that already completed → not executed again (function-level failure)', async () => {
    const before = await billCount(sim);
    const first = await call(sim, [fn('bill-P1-v1', billXml(ref.vendor, ref.account, ['99.00']))], { uniqueId: true });
    expect(first.results[0]?.status).toBe('success');
    const replay = await call(sim, [fn('bill-P1-v1', billXml(ref.vendor, ref.account, ['99.00']))], { uniqueId: true, controlId: 'retry-2' });
    expect(replay.results[0]?.status).toBe('failure');
    expect(errorNos(replay.results[0])).toEqual(['XL03000009']);
    expect(await billCount(sim)).toBe(before + 1);
  });

  it('2.3 uniqueid=false runs the same controlid again (a duplicate bill)', async () => {
    const before = await billCount(sim);
    await call(sim, [fn('bill-P2', billXml(ref.vendor, ref.account, ['5.00']))]);
    await call(sim, [fn('bill-P2', billXml(ref.vendor, ref.account, ['5.00']))]);
    expect(await billCount(sim)).toBe(before + 2);
  });

  it('2.3 an omitted <uniqueid> counts as true (the documented default): the replay is refused', async () => {
    const before = await billCount(sim);
    await call(sim, [fn('bill-P4', billXml(ref.vendor, ref.account, ['4.00']))], { uniqueId: null });
    const replay = await call(sim, [fn('bill-P4', billXml(ref.vendor, ref.account, ['4.00']))], { uniqueId: null });
    expect(replay.results[0]?.status).toBe('failure');
    expect(await billCount(sim)).toBe(before + 1);
  });

  it('2.3 a function that failed did not complete: the same controlid may run again once fixed', async () => {
    const failed = await call(sim, [fn('bill-P3', billXml('V-NOPE', ref.account, ['5.00']))], { uniqueId: true });
    expect(failed.results[0]?.status).toBe('failure');
    const fixed = await call(sim, [fn('bill-P3', billXml(ref.vendor, ref.account, ['5.00']))], { uniqueId: true });
    expect(fixed.results[0]?.status).toBe('success');
  });

  it('2.2 transaction="true": one failing function rolls back the others', async () => {
    const before = await billCount(sim);
    const { results } = await call(sim, [fn('t1', billXml(ref.vendor, ref.account, ['1.00'])), fn('t2', billXml('V-NOPE', ref.account, ['1.00']))], { transaction: true });
    expect(results.map((r) => r.status)).toEqual(['aborted', 'failure']);
    expect(await billCount(sim)).toBe(before);
    const ok = await call(sim, [fn('t3', billXml(ref.vendor, ref.account, ['1.00'])), fn('t4', billXml(ref.vendor, ref.account, ['2.00']))], { transaction: true });
    expect(ok.results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(await billCount(sim)).toBe(before + 2);
  });
});

describe('Intacct §2.9 reading: readByQuery / readMore / query', () => {
  let sim: RunningSimulator;
  let allVendorIds: string[];
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    const state = await fetchJson<{ VENDOR: Node[] }>(`${sim.baseUrl}/_sandbox/state`);
    allVendorIds = state.VENDOR.map((v) => String(v.VENDORID));
  });
  afterAll(() => sim.close());

  const rbq = (query: string, extra = ''): string => fn('q', `<readByQuery><object>VENDOR</object><fields>VENDORID,NAME,STATUS</fields><query>${query}</query>${extra}</readByQuery>`);
  const ids = (result: Node | undefined): string[] => asList(path(result, 'data', 'vendor') as Node[] | undefined).map((v) => String(v.VENDORID));

  it('2.9 readByQuery + readMore(resultId) page to the end: every vendor once; count/totalcount/numremaining agree', async () => {
    const first = (await call(sim, [rbq('', '<pagesize>7</pagesize>')])).results[0];
    expect(path(first, 'data', '@_totalcount')).toBe(String(allVendorIds.length));
    const seen = ids(first);
    let remaining = Number(path(first, 'data', '@_numremaining'));
    let resultId = String(path(first, 'data', '@_resultId'));
    while (remaining > 0) {
      const next = (await call(sim, [fn('more', `<readMore><resultId>${resultId}</resultId></readMore>`)])).results[0];
      expect(Number(path(next, 'data', '@_count'))).toBe(ids(next).length);
      seen.push(...ids(next));
      remaining = Number(path(next, 'data', '@_numremaining'));
      resultId = String(path(next, 'data', '@_resultId') ?? '') || resultId;
    }
    expect(seen).toEqual(allVendorIds);
    const after = (await call(sim, [fn('more', `<readMore><resultId>${resultId}</resultId></readMore>`)])).results[0];
    expect(after?.status).toBe('failure');
  });

  it('2.9 query operators: =, <>, IN, NOT IN, LIKE, IS NULL, AND, OR, parentheses; string compare is case-sensitive', async () => {
    const [a, b, c] = allVendorIds;
    const run = async (q: string): Promise<string[]> => ids((await call(sim, [rbq(q, '<pagesize>1000</pagesize>')])).results[0]);
    expect(await run(`VENDORID = '${a}'`)).toEqual([a]);
    expect((await run(`VENDORID &lt;&gt; '${a}'`)).length).toBe(allVendorIds.length - 1);
    expect(await run(`VENDORID IN ('${a}', '${c}')`)).toEqual([a, c]);
    expect((await run(`VENDORID NOT IN ('${a}', '${c}')`)).length).toBe(allVendorIds.length - 2);
    expect(await run(`VENDORID = '${a}' OR (VENDORID = '${b}' AND STATUS = 'active')`)).toEqual([a, b]);
    expect((await run(`VENDORID LIKE '${String(a).slice(0, 2)}%'`)).length).toBe(allVendorIds.filter((id) => id.startsWith(String(a).slice(0, 2))).length);
    expect(await run('PARENTID IS NULL AND STATUS = \'active\'')).toEqual(allVendorIds);
    expect(await run(`VENDORID = '${String(a).toLowerCase()}'`)).toEqual(String(a).toLowerCase() === a ? [a] : []);
  });

  it('2.9 malformed queries fail with a clear message: no spaces around an operator, unknown field, pagesize > 1000', async () => {
    const noSpaces = (await call(sim, [rbq("VENDORID='X'")])).results[0];
    expect(noSpaces?.status).toBe('failure');
    expect(JSON.stringify(noSpaces)).toMatch(/spaces around the operator/);
    expect((await call(sim, [rbq("NOPE = 'X'")])).results[0]?.status).toBe('failure');
    expect((await call(sim, [rbq('', '<pagesize>1001</pagesize>')])).results[0]?.status).toBe('failure');
  });

  it('2.9 query: select + filter + orderby + offset paging to the end; no resultId; numremaining reaches 0', async () => {
    const page = (offset: number): string =>
      fn('nq', `<query><object>VENDOR</object><select><field>VENDORID</field><field>NAME</field></select><filter><equalto><field>STATUS</field><value>active</value></equalto></filter><orderby><order><field>VENDORID</field><descending/></order></orderby><pagesize>6</pagesize><offset>${offset}</offset></query>`);
    const seen: string[] = [];
    for (let offset = 0; ; offset += 6) {
      const data = path((await call(sim, [page(offset)])).results[0], 'data') as Node;
      expect(data['@_resultId']).toBeUndefined();
      expect(data['@_offset']).toBe(String(offset));
      seen.push(...asList(data.VENDOR as Node[] | undefined).map((v) => String(v.VENDORID)));
      if (data['@_numremaining'] === '0') break;
    }
    expect(seen).toEqual([...allVendorIds].sort().reverse());
  });

  it('2.9 query filter operators and/or/in/like/isnull; caseinsensitive option; select * refused; pagesize ≤ 2000', async () => {
    const [a, b] = allVendorIds;
    const q = (filter: string, options = '', select = '<field>VENDORID</field>', pagesize = '100'): string =>
      fn('nq', `<query><object>VENDOR</object><select>${select}</select><filter>${filter}</filter>${options}<pagesize>${pagesize}</pagesize></query>`);
    const found = async (xml: string): Promise<string[]> => asList(path((await call(sim, [xml])).results[0], 'data', 'VENDOR') as Node[] | undefined).map((v) => String(v.VENDORID));
    expect(await found(q(`<or><equalto><field>VENDORID</field><value>${a}</value></equalto><in><field>VENDORID</field><value>${b}</value><value>zzz</value></in></or>`))).toEqual([a, b]);
    expect(await found(q(`<and><like><field>VENDORID</field><value>${String(a)}%</value></like><isnull><field>PARENTID</field></isnull></and>`))).toContain(a);
    expect(await found(q(`<equalto><field>VENDORID</field><value>${String(a).toLowerCase()}</value></equalto>`, '<options><caseinsensitive>true</caseinsensitive></options>'))).toEqual([a]);
    expect((await call(sim, [q('<isnotnull><field>VENDORID</field></isnotnull>', '', '<field>*</field>')])).results[0]?.status).toBe('failure');
    expect((await call(sim, [q('<isnotnull><field>VENDORID</field></isnotnull>', '', undefined, '2000')])).results[0]?.status).toBe('success');
    expect((await call(sim, [q('<isnotnull><field>VENDORID</field></isnotnull>', '', undefined, '2001')])).results[0]?.status).toBe('failure');
  });
});

describe('Intacct §2.10 XML 1.0 character rules', () => {
  let sim: RunningSimulator;
  let ref: Awaited<ReturnType<typeof refData>>;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  it('2.10 a raw U+0007 in a value → XML parse error XL03000003 at control level; nothing is created (no server-side stripping)', async () => {
    const before = await billCount(sim);
    const body = xmlRequest(sim, { auth: loginAuth(sim), functions: [fn('bell', billXml(ref.vendor, ref.account, ['1.00'], '<DESCRIPTION>ring\u0007bell</DESCRIPTION>'))] });
    const { status, response } = await post(sim, body);
    expect(status).toBe(200);
    expect(path(response, 'control', 'status')).toBe('failure');
    expect(errorNos(response)).toEqual(['XL03000003']);
    expect(JSON.stringify(response)).toMatch(/U\+0007/);
    expect(await billCount(sim)).toBe(before);
  });

  it('2.10 an illegal numeric character reference (&#7; / &#x1F;) is refused too', async () => {
    for (const ref7 of ['&#7;', '&#x1F;']) {
      const body = xmlRequest(sim, { auth: loginAuth(sim), functions: [fn('bell', billXml(ref.vendor, ref.account, ['1.00'], `<DESCRIPTION>x${ref7}y</DESCRIPTION>`))] });
      expect(errorNos((await post(sim, body)).response)).toEqual(['XL03000003']);
    }
  });

  it('2.10 legal non-ASCII text and escaped & < > round-trip exactly', async () => {
    const description = 'Bouwbedrijf Ærø &amp; Söhne &lt;fase 2&gt; – 10%';
    const created = await call(sim, [fn('ok', billXml(ref.vendor, ref.account, ['1.00'], `<DESCRIPTION>${description}</DESCRIPTION>`))]);
    const recordNo = String(path(created.results[0], 'data', 'apbill', 'RECORDNO'));
    const read = await call(sim, [fn('r', `<read><object>APBILL</object><keys>${recordNo}</keys><fields>DESCRIPTION</fields></read>`)]);
    expect(path(read.results[0], 'data', 'apbill', 'DESCRIPTION')).toBe('Bouwbedrijf Ærø & Söhne <fase 2> – 10%');
  });
});

describe('Intacct §2.11 rate limits, faults and persistence', () => {
  it('2.11 past requestsPerMinute → HTTP 429 with GW-0010 and a control block holding only status; the window frees up', () =>
    withSimulator(startIntacctSimulator({ dataDir: null, config: { requestsPerMinute: 2 } }), async (sim) => {
      const read = [fn('r', '<readByQuery><object>LOCATION</object><fields>LOCATIONID</fields><query></query></readByQuery>')];
      expect((await call(sim, read)).status).toBe(200);
      expect((await call(sim, read)).status).toBe(200);
      const limited = await call(sim, read);
      expect(limited.status).toBe(429);
      expect(Object.keys(limited.response.control as Node)).toEqual(['status']);
      expect(errorNos(limited.response)).toEqual(['GW-0010']);
      expect(limited.text).toMatch(/API rate limit exceeded/);
      await fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 60_000 }) });
      expect((await call(sim, read)).status).toBe(200);
    }));

  it('2.11 more concurrent requests than maxConcurrentRequests → GW-0010', () =>
    withSimulator(startIntacctSimulator({ dataDir: null, config: { maxConcurrentRequests: 1, processingDelayMs: 150 } }), async (sim) => {
      const read = [fn('r', '<readByQuery><object>LOCATION</object><fields>LOCATIONID</fields><query></query></readByQuery>')];
      const [x, y] = await Promise.all([call(sim, read), call(sim, read)]);
      expect([x.status, y.status].sort()).toEqual([200, 429]);
    }));

  it('fault 5xx answers with an Intacct gateway failure body (GW errorno, text in description2)', () =>
    withSimulator(startIntacctSimulator({ dataDir: null }), async (sim) => {
      sim.faults.set({ serverErrorRate: 1 });
      const res = await call(sim, [fn('r', '<getAPISession/>')]);
      expect([500, 502, 503]).toContain(res.status);
      expect(path(res.response, 'control', 'status')).toBe('failure');
      expect(res.text).toMatch(/<description2>The Intacct service is temporarily unavailable/);
    }));

  it('fault drop-after-commit: the client gets no response but the bill exists, and a uniqueid replay is refused', () =>
    withSimulator(startIntacctSimulator({ dataDir: null }), async (sim) => {
      const ref = await refData(sim);
      const before = await billCount(sim);
      sim.faults.set({ dropAfterCommitRate: 1 });
      await expect(call(sim, [fn('drop-1', billXml(ref.vendor, ref.account, ['7.00']))], { uniqueId: true })).rejects.toThrow();
      sim.faults.clear();
      expect(await billCount(sim)).toBe(before + 1);
      const retry = await call(sim, [fn('drop-1', billXml(ref.vendor, ref.account, ['7.00']))], { uniqueId: true });
      expect(retry.results[0]?.status).toBe('failure');
      expect(await billCount(sim)).toBe(before + 1);
    }));

  it('persistence: a restart on the same data dir keeps bills, sessions and executed controlids; no re-seed', async () => {
    const dir = tempDir();
    const first = await startIntacctSimulator({ dataDir: dir });
    const ref = await refData(first);
    const session = String(path((await call(first, [fn('s', '<getAPISession/>')])).results[0], 'data', 'api', 'sessionid'));
    const created = await call(first, [fn('keep-1', billXml(ref.vendor, ref.account, ['12.34']))], { uniqueId: true });
    const recordNo = String(path(created.results[0], 'data', 'apbill', 'RECORDNO'));
    const vendors = (await fetchJson<{ VENDOR: unknown[] }>(`${first.baseUrl}/_sandbox/state`)).VENDOR.length;
    await first.close();

    await withSimulator(startIntacctSimulator({ dataDir: dir }), async (second) => {
      const read = await call(second, [fn('r', `<read><object>APBILL</object><keys>${recordNo}</keys><fields>TOTALENTERED</fields></read>`)], { auth: `<sessionid>${session}</sessionid>` });
      expect(path(read.response, 'operation', 'authentication', 'status')).toBe('success');
      expect(path(read.results[0], 'data', 'apbill', 'TOTALENTERED')).toBe('12.34');
      expect((await fetchJson<{ VENDOR: unknown[] }>(`${second.baseUrl}/_sandbox/state`)).VENDOR.length).toBe(vendors);
      const replay = await call(second, [fn('keep-1', billXml(ref.vendor, ref.account, ['12.34']))], { uniqueId: true });
      expect(replay.results[0]?.status).toBe('failure');
      const next = await call(second, [fn('keep-2', billXml(ref.vendor, ref.account, ['1.00']))]);
      expect(Number(path(next.results[0], 'data', 'apbill', 'RECORDNO'))).toBe(Number(recordNo) + 1);
    });
  });
});
