import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntacctSimulator } from '../../src-main/sandbox/sage-intacct/index';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { IntacctRequestLog, validateIntacctRequests } from './intacct-xsd';
import { fetchJson, useTempDirs, withSimulator } from './support';

// Conformance of the Sage Intacct simulator with shared/api/acumatica-intacct-coupa-monday.md §2,
// Intacct's XSD (shared/vendor-specs/sage-intacct/api.xsd) and the vendor SDKs' response fixtures.
// Titles start with the fact-sheet section they check. Every request document this suite sends
// is recorded and validated against api.xsd in the last test (except the ones that are broken
// on purpose: control characters, missing required elements).

type Node = Record<string, unknown>;
const GATEWAY = '/ia/xml/xmlgw.phtml';
const sent = new IntacctRequestLog();

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (_name, jpath) =>
    ['response.operation.result', 'response.errormessage.error', 'response.operation.errormessage.error', 'response.operation.result.errormessage.error'].includes(String(jpath)),
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

interface Login {
  userId?: string;
  companyId?: string;
  password?: string;
  locationId?: string;
}
const loginAuth = (sim: RunningSimulator, l: Login = {}): string =>
  `<login><userid>${l.userId ?? String(sim.credentials.userId)}</userid><companyid>${l.companyId ?? String(sim.credentials.companyId)}</companyid><password>${l.password ?? String(sim.credentials.userPassword)}</password>${l.locationId === undefined ? '' : `<locationid>${l.locationId}</locationid>`}</login>`;
const sessionAuth = (sessionid: string): string => `<sessionid>${sessionid}</sessionid>`;
const fn = (controlId: string, body: string): string => `<function controlid="${controlId}">${body}</function>`;

interface Posted {
  status: number;
  text: string;
  response: Node;
}

/** POSTs a request document; every one is recorded for the XSD check unless broken on purpose. */
async function post(sim: RunningSimulator, body: string, opts: { contentType?: string; brokenOnPurpose?: boolean | undefined } = {}): Promise<Posted> {
  if (!opts.brokenOnPurpose) sent.record(body, /<function controlid="([^"]*)">\s*<(\w+)/.exec(body)?.slice(1).reverse().join(' ') ?? 'request');
  const res = await fetch(`${sim.baseUrl}${GATEWAY}`, { method: 'POST', headers: { 'content-type': opts.contentType ?? 'application/xml' }, body });
  const text = await res.text();
  const parsed = res.headers.get('content-type')?.includes('xml') ? (parser.parse(text) as { response: Node }).response : {};
  return { status: res.status, text, response: parsed };
}

async function call(sim: RunningSimulator, functions: string[], extra: Partial<Envelope> & { brokenOnPurpose?: boolean } = {}): Promise<Posted & { results: Node[] }> {
  const { brokenOnPurpose, ...envelope } = extra;
  const out = await post(sim, xmlRequest(sim, { auth: loginAuth(sim), functions, ...envelope }), { brokenOnPurpose });
  const results = ((out.response.operation as Node | undefined)?.result as Node[] | undefined) ?? [];
  return { ...out, results };
}

/** One function, its one result. */
async function call1(sim: RunningSimulator, body: string, extra: Partial<Envelope> & { brokenOnPurpose?: boolean } = {}): Promise<Node> {
  const { results } = await call(sim, [fn('f', body)], extra);
  return results[0] ?? {};
}

const path = (node: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((n, k) => (n as Node | undefined)?.[k], node);
const asList = <T,>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const errors = (holder: unknown): Node[] => asList(path(holder, 'errormessage', 'error') as Node[] | undefined);
const errorNos = (holder: unknown): string[] => errors(holder).map((e) => String(e.errorno));
const errorText = (holder: unknown): string => errors(holder).map((e) => `${String(e.description)} ${String(e.description2)}`).join(' | ');
const advance = (sim: RunningSimulator, ms: number): Promise<Response> => fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: ms }) });

const rbq = (object: string, fields: string, query = '', extra = ''): string =>
  `<readByQuery><object>${object}</object><fields>${fields}</fields><query>${query}</query>${extra}</readByQuery>`;

/** Records of a readByQuery result (element name = lower-case object). */
async function readAll(sim: RunningSimulator, object: string, fields: string, query = '', auth?: string): Promise<Node[]> {
  const result = await call1(sim, rbq(object, fields, query, '<pagesize>1000</pagesize>'), auth ? { auth } : {});
  expect(result.status, errorText(result)).toBe('success');
  return asList(path(result, 'data', object.toLowerCase()) as Node[] | undefined);
}

interface Line {
  account: string;
  amount: string;
  dims?: string;
}
function billBody(vendorId: string, lines: Line[], extra = ''): string {
  const items = lines.map((l, i) => `<APBILLITEM><ACCOUNTNO>${l.account}</ACCOUNTNO><TRX_AMOUNT>${l.amount}</TRX_AMOUNT><ENTRYDESCRIPTION>line ${i + 1}</ENTRYDESCRIPTION>${l.dims ?? ''}</APBILLITEM>`).join('');
  return `<APBILL><VENDORID>${vendorId}</VENDORID><WHENCREATED>10/15/2026</WHENCREATED><WHENDUE>11/14/2026</WHENDUE><RECORDID>INV-1</RECORDID>${extra}<APBILLITEMS>${items}</APBILLITEMS></APBILL>`;
}
const billXml = (vendorId: string, account: string, amounts: string[], extra = ''): string =>
  `<create>${billBody(
    vendorId,
    amounts.map((amount) => ({ account, amount })),
    extra,
  )}</create>`;

interface Ref {
  vendor: string;
  vendor2: string;
  account: string;
  department: string;
  location: string;
  location2: string;
  project: string;
  project2: string;
  task: string;
  costType: string;
  item: string;
  customer: string;
}
async function refData(sim: RunningSimulator): Promise<Ref> {
  const vendors = await readAll(sim, 'VENDOR', 'VENDORID');
  const locations = await readAll(sim, 'LOCATION', 'LOCATIONID');
  const projects = await readAll(sim, 'PROJECT', 'PROJECTID');
  const first = async (object: string, field: string, query = "STATUS = 'active'"): Promise<string> => String((await readAll(sim, object, field, query))[0]?.[field]);
  const project = String(projects[0]?.PROJECTID);
  const task = await first('TASK', 'TASKID', `PROJECTID = '${project}'`);
  return {
    vendor: String(vendors[0]?.VENDORID),
    vendor2: String(vendors[1]?.VENDORID),
    account: await first('GLACCOUNT', 'ACCOUNTNO'),
    department: await first('DEPARTMENT', 'DEPARTMENTID'),
    location: String(locations[0]?.LOCATIONID),
    location2: String(locations[1]?.LOCATIONID),
    project,
    project2: String(projects[1]?.PROJECTID),
    task,
    costType: await first('COSTTYPE', 'COSTTYPEID', `PROJECTID = '${project}' AND TASKID = '${task}'`),
    item: await first('ITEM', 'ITEMID'),
    customer: await first('CUSTOMER', 'CUSTOMERID'),
  };
}

async function billCount(sim: RunningSimulator): Promise<number> {
  const result = await call1(sim, rbq('APBILL', 'RECORDNO', '', '<pagesize>1</pagesize>'));
  return Number(path(result, 'data', '@_totalcount'));
}

async function createBill(sim: RunningSimulator, body: string, extra: Partial<Envelope> = {}): Promise<string> {
  const result = await call1(sim, `<create>${body}</create>`, extra);
  expect(result.status, errorText(result)).toBe('success');
  return String(path(result, 'data', 'apbill', 'RECORDNO'));
}

async function readBill(sim: RunningSimulator, recordNo: string, auth?: string): Promise<Node> {
  const result = await call1(sim, `<read><object>APBILL</object><keys>${recordNo}</keys><fields>*</fields></read>`, auth ? { auth } : {});
  return path(result, 'data', 'apbill') as Node;
}

const tempDir = useTempDirs('intacct-sim-');

describe('Intacct §2.1/§2.2/§2.5 gateway, envelope and the levels of failure', () => {
  let sim: RunningSimulator;
  let ref: Ref;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  it('2.1 one endpoint: POST /ia/xml/xmlgw.phtml; other paths 404, GET 405', async () => {
    expect((await fetch(`${sim.baseUrl}/ia/xml/other.phtml`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${sim.baseUrl}${GATEWAY}`)).status).toBe(405);
  });

  it('2.1 both application/xml and the legacy x-intacct-xml-request content types are accepted; JSON is not', async () => {
    const body = xmlRequest(sim, { auth: loginAuth(sim), functions: [fn('f', rbq('VENDOR', 'VENDORID', '', '<pagesize>1</pagesize>'))] });
    for (const contentType of ['application/xml', 'x-intacct-xml-request']) {
      const { response } = await post(sim, body, { contentType });
      expect(path(response, 'control', 'status')).toBe('success');
    }
    const json = await post(sim, body, { contentType: 'application/json' });
    expect(path(json.response, 'control', 'status')).toBe('failure');
    expect(errorNos(json.response)).toEqual(['GW-0011']);
  });

  it('2.5 control level: a wrong sender password → HTTP 200 control failure XL03000006, errormessage under <response>, no operation', async () => {
    const { status, response } = await post(sim, xmlRequest(sim, { senderPassword: 'nope', auth: loginAuth(sim), functions: [fn('f', billXml('V', 'A', ['1.00']))] }));
    expect(status).toBe(200);
    expect(path(response, 'control', 'status')).toBe('failure');
    expect(errorNos(response)).toEqual(['XL03000006']);
    expect(errorText(response)).toMatch(/Incorrect Intacct XML Partner ID or password/);
    expect(response.operation).toBeUndefined();
  });

  it('2.2 control level: dtdversion other than 3.0, a missing controlid or an asynchronous <policyid> → control failure, nothing runs', async () => {
    const before = await billCount(sim);
    for (const bad of [{ dtd: '2.1' }, { controlId: '' }]) {
      const { response } = await post(sim, xmlRequest(sim, { ...bad, auth: loginAuth(sim), functions: [fn('f', billXml(ref.vendor, ref.account, ['1.00']))] }));
      expect(path(response, 'control', 'status')).toBe('failure');
    }
    const asynchronous = xmlRequest(sim, { auth: loginAuth(sim), functions: [fn('f', billXml(ref.vendor, ref.account, ['1.00']))] }).replace('</dtdversion>', '</dtdversion><policyid>nightly</policyid>');
    const refused = await post(sim, asynchronous);
    expect([path(refused.response, 'control', 'status'), errorText(refused.response)]).toEqual(['failure', expect.stringMatching(/Asynchronous requests \(<policyid>\) are not served/)]);
    expect(await billCount(sim)).toBe(before);
  });

  it.each([
    ['password', { password: 'wrong' }],
    ['company', { companyId: 'OTHER-CO' }],
    ['user', { userId: 'nobody' }],
  ] as const)('2.5 a wrong user %s → HTTP 401, a control block holding only <status>failure</status>, XMLGW_JPP0002 in description, no operation', async (_what, login) => {
    const before = await billCount(sim);
    const { status, response } = await post(sim, xmlRequest(sim, { auth: loginAuth(sim, login), functions: [fn('f', billXml(ref.vendor, ref.account, ['1.00']))] }));
    expect(status).toBe(401);
    expect(Object.keys(response.control as Node)).toEqual(['status']);
    expect(path(response, 'control', 'status')).toBe('failure');
    expect(errors(response)).toEqual([{ errorno: 'XMLGW_JPP0002', description: 'Sign-in information is incorrect. Please check your request.' }]);
    expect(response.operation).toBeUndefined();
    expect(await billCount(sim)).toBe(before);
  });

  it('2.5 a sender not authorised for the company → control success, authentication failure XL03000006 "Invalid Web Services Authorization", no result', () =>
    withSimulator(startIntacctSimulator({ dataDir: null, config: { authorizedSenderIds: ['another-partner'] } }), async (other) => {
      const { status, response, results } = await call(other, [fn('s', '<getAPISession/>')]);
      expect(status).toBe(200);
      expect(path(response, 'control', 'status')).toBe('success');
      expect(path(response, 'operation', 'authentication', 'status')).toBe('failure');
      expect(errorNos(response.operation)).toEqual(['XL03000006']);
      expect(path(errors(response.operation)[0], 'description')).toBe('Invalid Web Services Authorization');
      expect(String(path(errors(response.operation)[0], 'description2'))).toMatch(/\[Support ID: [^\]]+\]$/);
      expect(results).toEqual([]);
    }));

  it('2.5 result level: several functions in one request, each with its own status, function and controlid', async () => {
    const { results, response } = await call(sim, [fn('good', rbq('VENDOR', 'VENDORID', '', '<pagesize>2</pagesize>')), fn('bad', rbq('NOSUCHOBJECT', '*'))]);
    expect(path(response, 'control', 'controlid')).toBe('ctl-1');
    expect(results.map((r) => [r.status, r.function, r.controlid])).toEqual([
      ['success', 'readByQuery', 'good'],
      ['failure', 'readByQuery', 'bad'],
    ]);
    const error = errors(results[1])[0] ?? {};
    expect(Object.keys(error).sort()).toEqual(['correction', 'description', 'description2', 'errorno']);
  });

  it('2.5 a failed create carries <data listtype="objects" count="0"/> before <errormessage>; the text is in description2 with a [Support ID: …]', async () => {
    const { text, results } = await call(sim, [fn('bad-bill', billXml('V-NOPE', ref.account, ['1.00']))]);
    expect(results[0]?.status).toBe('failure');
    expect(text).toMatch(/<controlid>bad-bill<\/controlid><data listtype="objects" count="0"\/><errormessage>/);
    const first = errors(results[0])[0] ?? {};
    expect(String(first.description2)).toMatch(/^Invalid Vendor 'V-NOPE' specified\. \[Support ID: [^\]]+\]$/);
  });
});

describe('Intacct §2.4 sessions (getAPISession) and entities (locationid)', () => {
  let sim: RunningSimulator;
  let ref: Ref;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null, config: { sessionTimeoutMinutes: 60 } });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  async function newSession(login: Login = {}, body = '<getAPISession/>'): Promise<{ sessionid: string; endpoint: string; locationid: string }> {
    const { results } = await call(sim, [fn('s', body)], { auth: loginAuth(sim, login) });
    expect(results[0]?.status).toBe('success');
    const api = path(results[0], 'data', 'api');
    return { sessionid: String(path(api, 'sessionid')), endpoint: String(path(api, 'endpoint')), locationid: String(path(api, 'locationid')) };
  }
  const withSession = (sessionid: string): Promise<Posted & { results: Node[] }> =>
    call(sim, [fn('r', rbq('DEPARTMENT', 'DEPARTMENTID', '', '<pagesize>1</pagesize>'))], { auth: sessionAuth(sessionid) });

  it('2.4 getAPISession returns sessionid and the endpoint to use; the session authenticates later requests', async () => {
    const { sessionid, endpoint, locationid } = await newSession();
    expect(endpoint).toBe(`${sim.baseUrl}${GATEWAY}`);
    expect(locationid).toBe('');
    const { response, results } = await withSession(sessionid);
    expect(path(response, 'operation', 'authentication', 'status')).toBe('success');
    expect(path(response, 'operation', 'authentication', 'sessiontimeout')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(results[0]?.status).toBe('success');
  });

  it('2.4 the timeout slides with each call; an idle session lapses → HTTP 401 XMLGW_JPP0002 (not an XL03000006 authentication failure); a new session works', async () => {
    const { sessionid } = await newSession();
    await advance(sim, 50 * 60_000);
    expect((await withSession(sessionid)).status).toBe(200);
    await advance(sim, 50 * 60_000);
    expect((await withSession(sessionid)).status).toBe(200);
    await advance(sim, 61 * 60_000);
    const expired = await withSession(sessionid);
    expect(expired.status).toBe(401);
    expect(Object.keys(expired.response.control as Node)).toEqual(['status']);
    expect(errorNos(expired.response)).toEqual(['XMLGW_JPP0002']);
    expect(expired.text).not.toMatch(/XL03000006/);
    expect((await withSession((await newSession()).sessionid)).status).toBe(200);
  });

  it('2.4 an unknown session id → HTTP 401; fault expire ends every session', async () => {
    expect((await withSession('not-a-session..')).status).toBe(401);
    const { sessionid } = await newSession();
    await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'intacct:expire=1' }) });
    expect((await withSession(sessionid)).status).toBe(401);
  });

  it('2.2/2.4 login with locationid signs in to that entity: the authentication block and getAPISession echo it, and the session keeps it', async () => {
    const { response } = await call(sim, [fn('r', rbq('LOCATION', 'LOCATIONID', '', '<pagesize>1</pagesize>'))], { auth: loginAuth(sim, { locationId: ref.location }) });
    expect(path(response, 'operation', 'authentication', 'locationid')).toBe(ref.location);
    const session = await newSession({ locationId: ref.location });
    expect(session.locationid).toBe(ref.location);
    expect(path((await withSession(session.sessionid)).response, 'operation', 'authentication', 'locationid')).toBe(ref.location);
    const viaFunction = await newSession({}, `<getAPISession><locationid>${ref.location2}</locationid></getAPISession>`);
    expect(viaFunction.locationid).toBe(ref.location2);
  });

  it('2.2 login with a locationid that is no entity of the company → HTTP 401', async () => {
    const { status } = await call(sim, [fn('s', '<getAPISession/>')], { auth: loginAuth(sim, { locationId: 'NOWHERE' }) });
    expect(status).toBe(401);
  });

  it('2.6 an entity session writes into its entity: lines default to its location, another location is refused, other entities do not see the bill', async () => {
    const entity = sessionAuth((await newSession({ locationId: ref.location })).sessionid);
    const other = sessionAuth((await newSession({ locationId: ref.location2 })).sessionid);
    const recordNo = await createBill(sim, billBody(ref.vendor, [{ account: ref.account, amount: '10.00' }]), { auth: entity });
    const bill = await readBill(sim, recordNo, entity);
    expect(bill.MEGAENTITYID).toBe(ref.location);
    expect(path(bill, 'APBILLITEMS', 'apbillitem', 'LOCATIONID')).toBe(ref.location);
    expect(await readBill(sim, recordNo, other)).toBeUndefined();
    expect((await readAll(sim, 'APBILL', 'RECORDNO', `RECORDNO = ${recordNo}`, other)).length).toBe(0);
    expect((await readAll(sim, 'APBILL', 'RECORDNO,MEGAENTITYID', `RECORDNO = ${recordNo}`)).map((b) => b.MEGAENTITYID)).toEqual([ref.location]);
    const elsewhere = await call1(sim, `<create>${billBody(ref.vendor, [{ account: ref.account, amount: '1.00', dims: `<LOCATIONID>${ref.location2}</LOCATIONID>` }])}</create>`, { auth: entity });
    expect(elsewhere.status).toBe('failure');
    expect(errorText(elsewhere)).toMatch(new RegExp(`outside the entity '${ref.location}'`));
  });
});

describe('Intacct §2.6 AP bills: create, update, legacy create_bill, delete', () => {
  let sim: RunningSimulator;
  let ref: Ref;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  it('2.6 create APBILL → <data listtype="objects" count="1"><apbill><RECORDNO>; amounts rounded to 2 decimals and totalled exactly', async () => {
    const result = await call1(sim, billXml(ref.vendor, ref.account, ['0.10', '0.20', '1234.555']));
    expect(result.status).toBe('success');
    expect(path(result, 'data', '@_listtype')).toBe('objects');
    expect(path(result, 'data', '@_count')).toBe('1');
    const bill = await readBill(sim, String(path(result, 'data', 'apbill', 'RECORDNO')));
    expect([bill.TOTALENTERED, bill.TOTALDUE, bill.TOTALPAID, bill.STATE, bill.WHENCREATED]).toEqual(['1234.86', '1234.86', '0.00', 'Posted', '10/15/2026']);
    const lines = asList(path(bill, 'APBILLITEMS', 'apbillitem') as Node[]);
    expect(lines.map((l) => [l.LINE_NO, l.TRX_AMOUNT])).toEqual([
      ['1', '0.10'],
      ['2', '0.20'],
      ['3', '1234.56'],
    ]);
  });

  it('2.6 every dimension on a line is accepted when it exists: LOCATIONID, DEPARTMENTID, PROJECTID, TASKID, COSTTYPEID, CUSTOMERID, ITEMID, CLASSID, EMPLOYEEID, WAREHOUSEID', async () => {
    const dims = `<LOCATIONID>${ref.location}</LOCATIONID><DEPARTMENTID>${ref.department}</DEPARTMENTID><PROJECTID>${ref.project}</PROJECTID><TASKID>${ref.task}</TASKID><COSTTYPEID>${ref.costType}</COSTTYPEID><CUSTOMERID>${ref.customer}</CUSTOMERID><ITEMID>${ref.item}</ITEMID><CLASSID>COM</CLASSID><EMPLOYEEID>EMP-001</EMPLOYEEID><WAREHOUSEID>WH-01</WAREHOUSEID>`;
    const recordNo = await createBill(sim, billBody(ref.vendor, [{ account: ref.account, amount: '5.00', dims }]));
    const line = path(await readBill(sim, recordNo), 'APBILLITEMS', 'apbillitem') as Node;
    expect([line.PROJECTID, line.TASKID, line.COSTTYPEID, line.CLASSID]).toEqual([ref.project, ref.task, ref.costType, 'COM']);
  });

  it.each([
    ['CLASSID', '<CLASSID>NOPE</CLASSID>', /Invalid Class 'NOPE'/],
    ['TASKID', (r: Ref) => `<PROJECTID>${r.project}</PROJECTID><TASKID>99-999</TASKID>`, /Invalid Task '99-999' in P/],
    ['CUSTOMERID', '<CUSTOMERID>C-NOPE</CUSTOMERID>', /Invalid Customer 'C-NOPE'/],
    ['ITEMID', '<ITEMID>I-NOPE</ITEMID>', /Invalid Item 'I-NOPE'/],
    ['EMPLOYEEID', '<EMPLOYEEID>E-NOPE</EMPLOYEEID>', /Invalid Employee 'E-NOPE'/],
    ['PROJECTID', '<PROJECTID>NOPE</PROJECTID>', /Invalid Project 'NOPE'/],
    ['DEPARTMENTID', '<DEPARTMENTID>NOPE</DEPARTMENTID>', /Invalid Department 'NOPE'/],
    ['LOCATIONID', '<LOCATIONID>NOPE</LOCATIONID>', /Invalid Location 'NOPE'/],
    ['CONTRACTID', '<CONTRACTID>K-1</CONTRACTID>', /Invalid Contract 'K-1'/],
    ['VENDORID', '<VENDORID>V-NOPE</VENDORID>', /Invalid Vendor 'V-NOPE'/],
    ['COSTTYPEID of another task', (r: Ref) => `<PROJECTID>${r.project}</PROJECTID><TASKID>${r.task}</TASKID><COSTTYPEID>ZZ</COSTTYPEID>`, /Invalid Cost Type 'ZZ'/],
    ['TASKID without PROJECTID', (r: Ref) => `<TASKID>${r.task}</TASKID>`, /TASKID needs PROJECTID/],
    ['an inactive CLASSID', '<CLASSID>LEGACY</CLASSID>', /Class 'LEGACY' is inactive/],
    ['an inactive DEPARTMENTID', '<DEPARTMENTID>INT</DEPARTMENTID>', /Department 'INT' is inactive/],
  ] as const)('2.6 an unknown or unusable %s on a bill line → failure naming it; nothing stored', async (_what, dims, message) => {
    const before = await billCount(sim);
    const result = await call1(sim, `<create>${billBody(ref.vendor, [{ account: ref.account, amount: '1.00', dims: typeof dims === 'function' ? dims(ref) : dims }])}</create>`);
    expect(result.status).toBe('failure');
    expect(errorText(result)).toMatch(message);
    expect(await billCount(sim)).toBe(before);
  });

  it('2.6 a task of another project is refused: TASKID is scoped by PROJECTID', async () => {
    const otherProjectsOnly = await readAll(sim, 'TASK', 'TASKID,PROJECTID', `PROJECTID = '${ref.project2}' AND TASKID = '${ref.task}'`);
    expect(otherProjectsOnly).toHaveLength(1); // the same cost code exists in both projects
    const ok = await call1(sim, `<create>${billBody(ref.vendor, [{ account: ref.account, amount: '1.00', dims: `<PROJECTID>${ref.project2}</PROJECTID><TASKID>${ref.task}</TASKID>` }])}</create>`);
    expect(ok.status).toBe('success');
    const ko = await call1(sim, `<create>${billBody(ref.vendor, [{ account: ref.account, amount: '1.00', dims: `<PROJECTID>NOPE</PROJECTID><TASKID>${ref.task}</TASKID>` }])}</create>`);
    expect(errorText(ko)).toMatch(/Invalid Task/);
  });

  it('2.6 an inactive GL account is refused on a line', async () => {
    const result = await call1(sim, billXml(ref.vendor, '59990', ['1.00']));
    expect(result.status).toBe('failure');
    expect(errorText(result)).toMatch(/GL account '59990' is inactive/);
  });

  it('2.6 unknown vendor → failure with chained errors ("Could not create APBILL record!"); nothing stored', async () => {
    const before = await billCount(sim);
    const result = await call1(sim, billXml('V-NOPE', ref.account, ['1.00']));
    expect(result.status).toBe('failure');
    expect(errorNos(result).length).toBeGreaterThanOrEqual(2);
    expect(errorText(result)).toMatch(/Could not create APBILL record!/);
    expect(await billCount(sim)).toBe(before);
  });

  it('2.6 VENDORID/WHENCREATED/WHENDUE required unless ACTION=Draft; dates must be mm/dd/yyyy', async () => {
    const noDue = `<create><APBILL><VENDORID>${ref.vendor}</VENDORID><WHENCREATED>10/15/2026</WHENCREATED><APBILLITEMS><APBILLITEM><ACCOUNTNO>${ref.account}</ACCOUNTNO><TRX_AMOUNT>1</TRX_AMOUNT></APBILLITEM></APBILLITEMS></APBILL></create>`;
    expect(errorText(await call1(sim, noDue))).toMatch(/WHENDUE is required/);
    const drafted = await call1(sim, noDue.replace('<APBILL>', '<APBILL><ACTION>Draft</ACTION>'));
    expect(drafted.status).toBe('success');
    expect((await readBill(sim, String(path(drafted, 'data', 'apbill', 'RECORDNO')))).STATE).toBe('Draft');
    expect(errorText(await call1(sim, billXml(ref.vendor, ref.account, ['1.00']).replace('10/15/2026', '2026-10-15')))).toMatch(/mm\/dd\/yyyy/);
    expect(errorText(await call1(sim, billXml(ref.vendor, ref.account, ['1.00']).replace('10/15/2026', '02/30/2026')))).toMatch(/mm\/dd\/yyyy/);
  });

  it('2.6/2.12 update APBILL: lines must carry LINE_NO; totals follow the changed line; WHENMODIFIED moves', async () => {
    const recordNo = await createBill(sim, billBody(ref.vendor, [
      { account: ref.account, amount: '10.00' },
      { account: ref.account, amount: '20.00' },
    ]));
    const before = await readBill(sim, recordNo);
    await advance(sim, 5_000);
    const noLineNo = await call1(sim, `<update><APBILL><RECORDNO>${recordNo}</RECORDNO><APBILLITEMS><APBILLITEM><TRX_AMOUNT>11</TRX_AMOUNT></APBILLITEM></APBILLITEMS></APBILL></update>`);
    expect(noLineNo.status).toBe('failure');
    expect(errorText(noLineNo)).toMatch(/LINE_NO/);
    const withLineNo = await call1(sim, `<update><APBILL><RECORDNO>${recordNo}</RECORDNO><DESCRIPTION>fixed</DESCRIPTION><APBILLITEMS><APBILLITEM><LINE_NO>1</LINE_NO><TRX_AMOUNT>11.00</TRX_AMOUNT></APBILLITEM></APBILLITEMS></APBILL></update>`);
    expect(withLineNo.status).toBe('success');
    const bill = await readBill(sim, recordNo);
    expect([bill.DESCRIPTION, bill.TOTALENTERED]).toEqual(['fixed', '31.00']);
    expect(bill.WHENMODIFIED).not.toBe(before.WHENMODIFIED);
  });

  it('2.6 custom fields: the company\'s PROCORE_ID is accepted, read and queried; an unknown custom field is refused', async () => {
    const recordNo = await createBill(sim, billBody(ref.vendor, [{ account: ref.account, amount: '3.00' }], '<PROCORE_ID>req-771</PROCORE_ID>'));
    expect((await readAll(sim, 'APBILL', 'RECORDNO,PROCORE_ID', "PROCORE_ID = 'req-771'")).map((b) => b.RECORDNO)).toEqual([recordNo]);
    const unknown = await call1(sim, billXml(ref.vendor, ref.account, ['1.00'], '<NOT_A_FIELD>x</NOT_A_FIELD>'));
    expect(errorText(unknown)).toMatch(/APBILL has no field NOT_A_FIELD \(custom fields of this company: PROCORE_ID\)/);
  });

  it('2.6 legacy create_bill (XSD create_bill: nested dates, billitems/lineitem) → <key> with the RECORDNO; the bill reads back like a generic one', async () => {
    const body = `<create_bill><vendorid>${ref.vendor}</vendorid><datecreated><year>2026</year><month>10</month><day>1</day></datecreated><termname>Net 30</termname><billno>LEG-1</billno><ponumber>SC-9</ponumber><description>legacy</description><customfields><customfield><customfieldname>PROCORE_ID</customfieldname><customfieldvalue>req-9</customfieldvalue></customfield></customfields><billitems><lineitem><glaccountno>${ref.account}</glaccountno><amount>12.345</amount><memo>m1</memo><locationid>${ref.location}</locationid><departmentid>${ref.department}</departmentid><projectid>${ref.project}</projectid><taskid>${ref.task}</taskid><costtypeid>${ref.costType}</costtypeid><classid>RES</classid></lineitem></billitems></create_bill>`;
    const result = await call1(sim, body);
    expect(result.status, errorText(result)).toBe('success');
    expect(result.data).toBeUndefined();
    const recordNo = String(result.key);
    expect(recordNo).toMatch(/^\d+$/);
    const bill = await readBill(sim, recordNo);
    expect([bill.WHENCREATED, bill.WHENDUE, bill.RECORDID, bill.DOCNUMBER, bill.TOTALENTERED, bill.PROCORE_ID]).toEqual(['10/01/2026', '10/31/2026', 'LEG-1', 'SC-9', '12.35', 'req-9']);
    expect(path(bill, 'APBILLITEMS', 'apbillitem', 'COSTTYPEID')).toBe(ref.costType);
    const bad = await call1(sim, body.replace(`<vendorid>${ref.vendor}</vendorid>`, '<vendorid>V-NOPE</vendorid>'));
    expect(bad.status).toBe('failure');
    expect(bad.data).toBeUndefined();
    expect(errorText(bad)).toMatch(/Invalid Vendor 'V-NOPE'/);
  });

  it('2.6 delete APBILL by RECORDNO; an unknown key fails', async () => {
    const recordNo = await createBill(sim, billBody(ref.vendor, [{ account: ref.account, amount: '2.00' }]));
    const deleted = await call1(sim, `<delete><object>APBILL</object><keys>${recordNo}</keys></delete>`);
    expect(deleted.status).toBe('success');
    expect(await readBill(sim, recordNo)).toBeUndefined();
    const again = await call1(sim, `<delete><object>APBILL</object><keys>${recordNo}</keys></delete>`);
    expect(again.status).toBe('failure');
    expect(again.data).toEqual({ '@_listtype': 'objects', '@_count': '0' });
  });
});

describe('Intacct §2.6/§2.8 AP payments (APPYMT) move the bill to Partially Paid and Paid', () => {
  let sim: RunningSimulator;
  let ref: Ref;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  const payment = (vendor: string, details: string, extra = '', bank = 'BNK-EUR'): string =>
    `<create><APPYMT><PAYMENTMETHOD>EFT</PAYMENTMETHOD><FINANCIALENTITY>${bank}</FINANCIALENTITY><VENDORID>${vendor}</VENDORID><PAYMENTDATE>11/02/2026</PAYMENTDATE>${extra}<APPYMTDETAILS>${details}</APPYMTDETAILS></APPYMT></create>`;
  const detail = (recordKey: string, amount: string): string => `<APPYMTDETAIL><RECORDKEY>${recordKey}</RECORDKEY><TRX_PAYMENTAMOUNT>${amount}</TRX_PAYMENTAMOUNT></APPYMTDETAIL>`;

  it('2.6 a partial then a final payment: STATE Posted → Partially Paid → Paid, TOTALPAID/TOTALDUE/WHENPAID/WHENMODIFIED follow; APPYMT and APPYMTDETAIL read back', async () => {
    const recordNo = await createBill(sim, billBody(ref.vendor, [
      { account: ref.account, amount: '600.00' },
      { account: ref.account, amount: '400.00' },
    ]));
    const posted = await readBill(sim, recordNo);
    expect(posted.STATE).toBe('Posted');
    await advance(sim, 2_000);

    const first = await call1(sim, payment(ref.vendor, detail(recordNo, '250.50'), '<DOCNUMBER>EFT-1</DOCNUMBER>'));
    expect(first.status, errorText(first)).toBe('success');
    const paymentNo = String(path(first, 'data', 'appymt', 'RECORDNO'));
    const partly = await readBill(sim, recordNo);
    expect([partly.STATE, partly.TOTALPAID, partly.TOTALDUE, partly.WHENPAID]).toEqual(['Partially Paid', '250.50', '749.50', '11/02/2026']);
    expect(partly.WHENMODIFIED).not.toBe(posted.WHENMODIFIED);
    // An incremental read on WHENMODIFIED sees the paid bill again.
    expect((await readAll(sim, 'APBILL', 'RECORDNO,STATE', `WHENMODIFIED > '${String(posted.WHENMODIFIED)}'`)).map((b) => [b.RECORDNO, b.STATE])).toContainEqual([recordNo, 'Partially Paid']);

    const second = await call1(sim, payment(ref.vendor, detail(recordNo, '749.50')).replace('11/02/2026', '11/20/2026'));
    expect(second.status, errorText(second)).toBe('success');
    const paid = await readBill(sim, recordNo);
    expect([paid.STATE, paid.TOTALPAID, paid.TOTALDUE, paid.WHENPAID]).toEqual(['Paid', '1000.00', '0.00', '11/20/2026']);

    const payments = await readAll(sim, 'APPYMT', 'RECORDNO,VENDORID,STATE,TOTALENTERED,PAYMENTDATE,DOCNUMBER', `RECORDNO = ${paymentNo}`);
    expect(payments).toEqual([{ RECORDNO: paymentNo, VENDORID: ref.vendor, STATE: 'Complete', TOTALENTERED: '250.50', PAYMENTDATE: '11/02/2026', DOCNUMBER: 'EFT-1' }]);
    expect((await readAll(sim, 'APPYMTDETAIL', 'PAYMENTKEY,TRX_PAYMENTAMOUNT', `RECORDKEY = ${recordNo}`)).map((d) => d.TRX_PAYMENTAMOUNT)).toEqual(['250.50', '749.50']);
  });

  it('2.6 refused: paying more than is due, a draft bill, another vendor\'s bill, an unknown bank account; a paid bill cannot be updated or deleted', async () => {
    const recordNo = await createBill(sim, billBody(ref.vendor, [{ account: ref.account, amount: '100.00' }]));
    expect(errorText(await call1(sim, payment(ref.vendor, detail(recordNo, '100.01'))))).toMatch(/exceeds its amount due 100\.00/);
    expect(errorText(await call1(sim, payment(ref.vendor2, detail(recordNo, '1.00'))))).toMatch(/belongs to vendor/);
    expect(errorText(await call1(sim, payment(ref.vendor, detail(recordNo, '1.00'), '', 'BNK-NOPE')))).toMatch(/Invalid Bank account 'BNK-NOPE'/);
    const draftResult = await call1(sim, `<create>${billBody(ref.vendor, [{ account: ref.account, amount: '5.00' }], '<ACTION>Draft</ACTION>')}</create>`);
    expect(errorText(await call1(sim, payment(ref.vendor, detail(String(path(draftResult, 'data', 'apbill', 'RECORDNO')), '1.00'))))).toMatch(/is a draft/);

    expect((await call1(sim, payment(ref.vendor, detail(recordNo, '40.00')))).status).toBe('success');
    const update = await call1(sim, `<update><APBILL><RECORDNO>${recordNo}</RECORDNO><DESCRIPTION>x</DESCRIPTION></APBILL></update>`);
    expect(errorText(update)).toMatch(/has payments applied/);
    expect(errorText(await call1(sim, `<delete><object>APBILL</object><keys>${recordNo}</keys></delete>`))).toMatch(/has payments applied/);
  });

  it('2.6 deleting a payment takes its amount off the bill again (back to Posted, WHENPAID cleared)', async () => {
    const recordNo = await createBill(sim, billBody(ref.vendor, [{ account: ref.account, amount: '80.00' }]));
    const paymentNo = String(path(await call1(sim, payment(ref.vendor, detail(recordNo, '80.00'))), 'data', 'appymt', 'RECORDNO'));
    expect((await readBill(sim, recordNo)).STATE).toBe('Paid');
    expect((await call1(sim, `<delete><object>APPYMT</object><keys>${paymentNo}</keys></delete>`)).status).toBe('success');
    const bill = await readBill(sim, recordNo);
    expect([bill.STATE, bill.TOTALPAID, bill.TOTALDUE, bill.WHENPAID]).toEqual(['Posted', '0.00', '80.00', '']);
  });

  it('XSD reverse_appayment: the payment stays, "Reversed"; what it paid comes off the bill (WHENPAID back to the payment left); twice, or without datereversed, is refused', async () => {
    const recordNo = await createBill(sim, billBody(ref.vendor, [{ account: ref.account, amount: '90.00' }]));
    await call1(sim, payment(ref.vendor, detail(recordNo, '30.00')));
    const later = String(path(await call1(sim, payment(ref.vendor, detail(recordNo, '60.00')).replace('11/02/2026', '11/20/2026')), 'data', 'appymt', 'RECORDNO'));
    expect((await readBill(sim, recordNo)).STATE).toBe('Paid');
    const reverse = (key: string, date = '<datereversed><year>2026</year><month>11</month><day>25</day></datereversed>'): string => `<reverse_appayment key="${key}">${date}<description>Bounced</description></reverse_appayment>`;
    const reversed = await call1(sim, reverse(later));
    expect(reversed.status, errorText(reversed)).toBe('success');
    const bill = await readBill(sim, recordNo);
    expect([bill.STATE, bill.TOTALPAID, bill.TOTALDUE, bill.WHENPAID]).toEqual(['Partially Paid', '30.00', '60.00', '11/02/2026']);
    expect((await readAll(sim, 'APPYMT', 'RECORDNO,STATE', `RECORDNO = ${later}`)).map((p) => p.STATE)).toEqual(['Reversed']);
    expect(errorText(await call1(sim, reverse(later)))).toMatch(/only a paid payment can be reversed/);
    expect(errorText(await call1(sim, reverse(later, ''), { brokenOnPurpose: true }))).toMatch(/datereversed/);
    expect(errorText(await call1(sim, reverse('999999')))).toMatch(/No APPYMT has RECORDNO 999999/);
  });
});

describe('Intacct §2.7 journal entries (GLBATCH)', () => {
  let sim: RunningSimulator;
  let ref: Ref;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  const entry = (trType: string, amount: string, dims = ''): string => `<GLENTRY><ACCOUNTNO>${ref.account}</ACCOUNTNO><TR_TYPE>${trType}</TR_TYPE><TRX_AMOUNT>${amount}</TRX_AMOUNT><DESCRIPTION>d</DESCRIPTION>${dims}</GLENTRY>`;
  const batch = (entries: string, extra = ''): string => `<GLBATCH><JOURNAL>JCJ</JOURNAL><BATCH_DATE>10/31/2026</BATCH_DATE><BATCH_TITLE>Commitment accrual</BATCH_TITLE>${extra}<ENTRIES>${entries}</ENTRIES></GLBATCH>`;

  it('2.7 a balanced entry with LOCATION / DEPARTMENT / PROJECTID / TASKID / COSTTYPEID dimensions is created, numbered per journal and read back with its ENTRIES', async () => {
    const dims = `<LOCATION>${ref.location}</LOCATION><DEPARTMENT>${ref.department}</DEPARTMENT><PROJECTID>${ref.project}</PROJECTID><TASKID>${ref.task}</TASKID><COSTTYPEID>${ref.costType}</COSTTYPEID>`;
    const result = await call1(sim, `<create>${batch(entry('1', '1500.10', dims) + entry('-1', '1000.00') + entry('-1', '500.10'), '<REFERENCENO>CO-7</REFERENCENO>')}</create>`);
    expect(result.status, errorText(result)).toBe('success');
    const recordNo = String(path(result, 'data', 'glbatch', 'RECORDNO'));
    const read = path(await call1(sim, `<read><object>GLBATCH</object><keys>${recordNo}</keys><fields>*</fields></read>`), 'data', 'glbatch') as Node;
    expect([read.JOURNAL, read.BATCHNO, read.STATE, read.REFERENCENO]).toEqual(['JCJ', '1', 'Posted', 'CO-7']);
    expect(asList(path(read, 'ENTRIES', 'glentry') as Node[]).map((e) => [e.TR_TYPE, e.TRX_AMOUNT, e.DEPARTMENT ?? ''])).toEqual([
      ['1', '1500.10', ref.department],
      ['-1', '1000.00', ''],
      ['-1', '500.10', ''],
    ]);
    const next = await call1(sim, `<create>${batch(entry('1', '1.00') + entry('-1', '1.00'), '<STATE>Draft</STATE>')}</create>`);
    const nextRead = await readAll(sim, 'GLBATCH', 'BATCHNO,STATE', `RECORDNO = ${String(path(next, 'data', 'glbatch', 'RECORDNO'))}`);
    expect(nextRead).toEqual([{ BATCHNO: '2', STATE: 'Draft' }]);
  });

  it('2.7 refused: unbalanced entries, TR_TYPE other than 1/-1, a negative amount, DEPARTMENTID instead of DEPARTMENT, an unknown journal', async () => {
    expect(errorText(await call1(sim, `<create>${batch(entry('1', '10.00') + entry('-1', '9.99'))}</create>`))).toMatch(/does not balance: debits 10\.00, credits 9\.99/);
    expect(errorText(await call1(sim, `<create>${batch(entry('2', '10.00') + entry('-1', '10.00'))}</create>`))).toMatch(/TR_TYPE must be 1 \(debit\) or -1 \(credit\)/);
    expect(errorText(await call1(sim, `<create>${batch(entry('1', '-10.00') + entry('-1', '-10.00'))}</create>`))).toMatch(/TRX_AMOUNT must be greater than 0/);
    expect(errorText(await call1(sim, `<create>${batch(entry('1', '1.00', `<DEPARTMENTID>${ref.department}</DEPARTMENTID>`) + entry('-1', '1.00'))}</create>`))).toMatch(/there is no field DEPARTMENTID/);
    expect(errorText(await call1(sim, `<create>${batch(entry('1', '1.00') + entry('-1', '1.00')).replace('JCJ', 'NOPE')}</create>`))).toMatch(/Invalid Journal 'NOPE'/);
  });

  it('2.7 update with ENTRIES replaces them all and must still balance', async () => {
    const recordNo = String(path(await call1(sim, `<create>${batch(entry('1', '5.00') + entry('-1', '5.00'))}</create>`), 'data', 'glbatch', 'RECORDNO'));
    const updated = await call1(sim, `<update><GLBATCH><RECORDNO>${recordNo}</RECORDNO><ENTRIES>${entry('1', '7.00') + entry('-1', '7.00')}</ENTRIES></GLBATCH></update>`);
    expect(updated.status, errorText(updated)).toBe('success');
    const read = path(await call1(sim, `<read><object>GLBATCH</object><keys>${recordNo}</keys><fields>*</fields></read>`), 'data', 'glbatch') as Node;
    expect(asList(path(read, 'ENTRIES', 'glentry') as Node[]).map((e) => e.TRX_AMOUNT)).toEqual(['7.00', '7.00']);
    const unbalanced = await call1(sim, `<update><GLBATCH><RECORDNO>${recordNo}</RECORDNO><ENTRIES>${entry('1', '7.00') + entry('-1', '6.00')}</ENTRIES></GLBATCH></update>`);
    expect(unbalanced.status).toBe('failure');
  });
});

describe('Intacct purchasing transactions (XSD create_potransaction / update_potransaction / delete_potransaction; read as PODOCUMENT)', () => {
  let sim: RunningSimulator;
  let ref: Ref;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  /** potransitem in XSD order: …, price, locationid, departmentid, memo, projectid, taskid, costtypeid, …. */
  const poItem = (quantity: string, price: string, dims: { locationDepartment?: string; project?: string } = {}): string =>
    `<potransitem><itemid>${ref.item}</itemid><quantity>${quantity}</quantity><price>${price}</price>${dims.locationDepartment ?? ''}<memo>scope</memo>${dims.project ?? ''}</potransitem>`;
  const createPo = (items: string, type = 'Subcontract', extra = ''): string =>
    `<create_potransaction><transactiontype>${type}</transactiontype><datecreated><year>2026</year><month>10</month><day>3</day></datecreated><vendorid>${ref.vendor}</vendorid><referenceno>procore-commitment-44</referenceno><termname>Net 30</termname><returnto><contactname>Site office</contactname></returnto><payto><contactname>Accounts</contactname></payto>${extra}<potransitems>${items}</potransitems></create_potransaction>`;

  it('create_potransaction → <key>Subcontract-SC0001</key>; PODOCUMENT reads it back by docparid and PONUMBER with totals to the cent', async () => {
    const dims = { locationDepartment: `<locationid>${ref.location}</locationid><departmentid>${ref.department}</departmentid>`, project: `<projectid>${ref.project}</projectid><taskid>${ref.task}</taskid><costtypeid>${ref.costType}</costtypeid>` };
    // Quantities and unit prices keep their decimals; each line total is rounded to the cent.
    const result = await call1(sim, createPo(poItem('3', '1000.005', dims) + poItem('0.333', '30.00'), 'Subcontract', '<customfields><customfield><customfieldname>PROCORE_ID</customfieldname><customfieldvalue>44</customfieldvalue></customfield></customfields>'));
    expect(result.status, errorText(result)).toBe('success');
    expect(result.key).toBe('Subcontract-SC0001');
    const docs = await call1(sim, `<readByQuery><object>PODOCUMENT</object><docparid>Subcontract</docparid><fields>DOCID,DOCNO,CUSTVENDID,PONUMBER,TOTAL,STATE,WHENDUE,PROCORE_ID</fields><query>PONUMBER = 'procore-commitment-44'</query></readByQuery>`);
    expect(path(docs, 'data', 'podocument')).toEqual({ DOCID: 'Subcontract-SC0001', DOCNO: 'SC0001', CUSTVENDID: ref.vendor, PONUMBER: 'procore-commitment-44', TOTAL: '3010.01', STATE: 'Pending', WHENDUE: '11/02/2026', PROCORE_ID: '44' });
    const otherType = await call1(sim, `<readByQuery><object>PODOCUMENT</object><docparid>Purchase Order</docparid><fields>DOCID</fields><query></query></readByQuery>`);
    expect(path(otherType, 'data', '@_count')).toBe('0');
  });

  it('update_potransaction amends a document (change order): a new potransitem appends, updatepotransitem line_num changes a line; totals follow', async () => {
    const key = String((await call1(sim, createPo(poItem('1', '100.00'), 'Purchase Order'))).key);
    const update = `<update_potransaction key="${key}"><changelognumber>CO-1</changelognumber><updatepotransitems><updatepotransitem line_num="1"><quantity>2</quantity></updatepotransitem><potransitem><itemid>${ref.item}</itemid><quantity>1</quantity><price>50.25</price></potransitem></updatepotransitems></update_potransaction>`;
    const result = await call1(sim, update);
    expect(result.status, errorText(result)).toBe('success');
    expect(result.key).toBe(key);
    const doc = path(await call1(sim, `<read><object>PODOCUMENT</object><keys>${key}</keys><fields>*</fields><docparid>Purchase Order</docparid></read>`), 'data', 'podocument') as Node;
    expect([doc.TOTAL, doc.CHANGELOGNUMBER]).toEqual(['250.25', 'CO-1']);
    expect(asList(path(doc, 'PODOCUMENTENTRIES', 'podocumententry') as Node[]).map((l) => [l.LINE_NO, l.QUANTITY, l.TOTAL])).toEqual([
      ['1', '2', '200.00'],
      ['2', '1', '50.25'],
    ]);
    const badLine = await call1(sim, `<update_potransaction key="${key}"><updatepotransitems><updatepotransitem line_num="9"><quantity>1</quantity></updatepotransitem></updatepotransitems></update_potransaction>`);
    expect(errorText(badLine)).toMatch(/line_num="9"/);
  });

  it('refused: an unknown item, transaction type, vendor or task; a missing <returnto> (which the XSD also refuses)', async () => {
    expect(errorText(await call1(sim, createPo(poItem('1', '1.00').replace(ref.item, 'I-NOPE'))))).toMatch(/Invalid Item 'I-NOPE'/);
    expect(errorText(await call1(sim, createPo(poItem('1', '1.00'), 'Sales Order')))).toMatch(/Invalid transaction type 'Sales Order'/);
    expect(errorText(await call1(sim, createPo(poItem('1', '1.00')).replace(`<vendorid>${ref.vendor}</vendorid>`, '<vendorid>V-NOPE</vendorid>')))).toMatch(/Invalid Vendor 'V-NOPE'/);
    expect(errorText(await call1(sim, createPo(poItem('1', '1.00', { project: `<projectid>${ref.project}</projectid><taskid>99-999</taskid>` }))))).toMatch(/Invalid Task '99-999'/);
    const noReturnTo = createPo(poItem('1', '1.00')).replace('<returnto><contactname>Site office</contactname></returnto>', '');
    expect(await validateIntacctRequests([{ name: 'no returnto', xml: xmlRequest(sim, { auth: loginAuth(sim), functions: [fn('f', noReturnTo)] }) }])).not.toEqual([]);
    expect(errorText(await call1(sim, noReturnTo, { brokenOnPurpose: true }))).toMatch(/needs <returnto>/);
  });

  it('delete_potransaction removes the document; its key no longer resolves', async () => {
    const key = String((await call1(sim, createPo(poItem('1', '1.00'), 'Purchase Order'))).key);
    expect((await call1(sim, `<delete_potransaction key="${key}"/>`)).status).toBe('success');
    expect(errorText(await call1(sim, `<update_potransaction key="${key}"><message>x</message></update_potransaction>`))).toMatch(/No purchasing transaction has key/);
  });
});

describe('Intacct §2.8 vendors', () => {
  let sim: RunningSimulator;
  let ref: Ref;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  it('2.8 VENDOR create needs NAME and DISPLAYCONTACT/PRINTAS; VENDORID must be unique; update by VENDORID', async () => {
    expect(errorText(await call1(sim, '<create><VENDOR><VENDORID>V-NEW</VENDORID><NAME>New Co</NAME></VENDOR></create>'))).toMatch(/PRINTAS/);
    const created = await call1(sim, '<create><VENDOR><VENDORID>V-NEW</VENDORID><NAME>New Co</NAME><DISPLAYCONTACT><PRINTAS>New Co</PRINTAS><EMAIL1>ap@new.example</EMAIL1></DISPLAYCONTACT></VENDOR></create>');
    expect(path(created, 'data', 'vendor', 'VENDORID')).toBe('V-NEW');
    expect((await call1(sim, '<create><VENDOR><VENDORID>V-NEW</VENDORID><NAME>Again</NAME><DISPLAYCONTACT><PRINTAS>Again</PRINTAS></DISPLAYCONTACT></VENDOR></create>')).status).toBe('failure');
    expect((await call1(sim, '<update><VENDOR><VENDORID>V-NEW</VENDORID><NAME>New Co Ltd</NAME></VENDOR></update>')).status).toBe('success');
    const read = await readAll(sim, 'VENDOR', 'NAME,DISPLAYCONTACT.EMAIL1', "VENDORID = 'V-NEW'");
    expect(read).toEqual([{ NAME: 'New Co Ltd', DISPLAYCONTACT: { EMAIL1: 'ap@new.example' } }]);
  });

  it('2.8 the plain VENDOR fields VendorCreate writes (COMMENTS, ONETIME, PAYMENTPRIORITY, RETAINAGEPERCENTAGE, ACH…, CONTACTINFO, MAILADDRESS) and the PROCORE_VENDOR_ID custom field are accepted and read back', async () => {
    const body = `<create><VENDOR><VENDORID>V-PLAIN</VENDORID><NAME>Plain B.V.</NAME><DISPLAYCONTACT><PRINTAS>Plain B.V.</PRINTAS><PHONE1>+31 20 555 0100</PHONE1><MAILADDRESS><ADDRESS1>Kade 1</ADDRESS1><CITY>Utrecht</CITY><COUNTRYCODE>NL</COUNTRYCODE></MAILADDRESS></DISPLAYCONTACT><ONETIME>false</ONETIME><STATUS>active</STATUS><COMMENTS>Synced from Procore</COMMENTS><PAYMENTPRIORITY>high</PAYMENTPRIORITY><TERMNAME>Net 30</TERMNAME><RETAINAGEPERCENTAGE>5</RETAINAGEPERCENTAGE><ACHENABLED>true</ACHENABLED><ACHACCOUNTTYPE>Checking Account</ACHACCOUNTTYPE><ACHREMITTANCETYPE>CCD</ACHREMITTANCETYPE><CONTACTINFO><CONTACTNAME>Plain B.V.(VV-PLAIN)</CONTACTNAME></CONTACTINFO><PROCORE_VENDOR_ID>562949953421999</PROCORE_VENDOR_ID></VENDOR></create>`;
    const created = await call1(sim, body);
    expect(created.status, errorText(created)).toBe('success');
    const [vendor] = await readAll(sim, 'VENDOR', 'COMMENTS,ONETIME,PAYMENTPRIORITY,RETAINAGEPERCENTAGE,ACHENABLED,DISPLAYCONTACT.MAILADDRESS.CITY,CONTACTINFO.CONTACTNAME,PROCORE_VENDOR_ID', "VENDORID = 'V-PLAIN'");
    expect(vendor).toEqual({
      COMMENTS: 'Synced from Procore',
      ONETIME: 'false',
      PAYMENTPRIORITY: 'high',
      RETAINAGEPERCENTAGE: '5',
      ACHENABLED: 'true',
      DISPLAYCONTACT: { MAILADDRESS: { CITY: 'Utrecht' } },
      CONTACTINFO: { CONTACTNAME: 'Plain B.V.(VV-PLAIN)' },
      PROCORE_VENDOR_ID: '562949953421999',
    });
  });

  it('2.8 refused: a value outside a field\'s list, an unknown field, an unknown DISPLAYCONTACT field, an unknown APACCOUNT', async () => {
    const vendor = (inner: string): string => `<create><VENDOR><NAME>X</NAME><DISPLAYCONTACT><PRINTAS>X</PRINTAS></DISPLAYCONTACT>${inner}</VENDOR></create>`;
    expect(errorText(await call1(sim, vendor('<PAYMENTPRIORITY>asap</PAYMENTPRIORITY>')))).toMatch(/PAYMENTPRIORITY must be one of 'urgent', 'high', 'normal', 'low'/);
    expect(errorText(await call1(sim, vendor('<STATUS>closed</STATUS>')))).toMatch(/STATUS must be one of 'active', 'inactive'/);
    expect(errorText(await call1(sim, vendor('<NICKNAME>x</NICKNAME>')))).toMatch(/VENDOR has no field NICKNAME/);
    expect(errorText(await call1(sim, vendor('<DISPLAYCONTACT><EMIAL1>x</EMIAL1></DISPLAYCONTACT>').replace('<DISPLAYCONTACT><PRINTAS>X</PRINTAS></DISPLAYCONTACT>', '')))).toMatch(/no field DISPLAYCONTACT\.EMIAL1/);
    expect(errorText(await call1(sim, vendor('<APACCOUNT>0000</APACCOUNT>')))).toMatch(/APACCOUNT: Invalid GL account '0000'/);
  });

  it('2.8 an inactive vendor takes no new bills; a vendor with bills cannot be deleted, one without can', async () => {
    const recordNo = String(path(await call1(sim, '<create><VENDOR><VENDORID>V-GONE</VENDORID><NAME>Gone</NAME><DISPLAYCONTACT><PRINTAS>Gone</PRINTAS></DISPLAYCONTACT></VENDOR></create>'), 'data', 'vendor', 'RECORDNO'));
    expect((await call1(sim, '<update><VENDOR><VENDORID>V-GONE</VENDORID><STATUS>inactive</STATUS></VENDOR></update>')).status).toBe('success');
    expect(errorText(await call1(sim, billXml('V-GONE', ref.account, ['1.00'])))).toMatch(/Vendor 'V-GONE' is inactive/);
    expect((await call1(sim, `<delete><object>VENDOR</object><keys>${recordNo}</keys></delete>`)).status).toBe('success');
    const [withBills] = await readAll(sim, 'VENDOR', 'RECORDNO', `VENDORID = '${ref.vendor}'`);
    await createBill(sim, billBody(ref.vendor, [{ account: ref.account, amount: '1.00' }]));
    expect(errorText(await call1(sim, `<delete><object>VENDOR</object><keys>${String(withBills?.RECORDNO)}</keys></delete>`))).toMatch(/has transactions/);
  });

  it('2.8 vendors exist only for suppliers with an Intacct id (deliberate gaps stay missing)', async () => {
    const state = await fetchJson<{ VENDOR: Node[] }>(`${sim.baseUrl}/_sandbox/state`);
    expect(state.VENDOR.every((v) => typeof v.VENDORID === 'string' && v.VENDORID !== '')).toBe(true);
  });
});

describe('Intacct §2.8/§2.9 GL accounts and dimensions the connector reads', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
  });
  afterAll(() => sim.close());

  it.each([
    ['GLACCOUNT', 'ACCOUNTNO'],
    ['DEPARTMENT', 'DEPARTMENTID'],
    ['LOCATION', 'LOCATIONID'],
    ['PROJECT', 'PROJECTID'],
    ['TASK', 'TASKID'],
    ['COSTTYPE', 'COSTTYPEID'],
    ['CLASS', 'CLASSID'],
    ['VENDOR', 'VENDORID'],
  ])('2.9 readByQuery on %s returns its id, STATUS and WHENMODIFIED', async (object, idField) => {
    const records = await readAll(sim, object, `RECORDNO,${idField},STATUS,WHENMODIFIED`);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r[idField]).not.toBe('');
      expect(['active', 'inactive']).toContain(r.STATUS);
      expect(r.WHENMODIFIED).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    }
  });

  it('2.8 the demo company has an inactive GL account, an inactive department and an inactive class; STATUS filters them', async () => {
    expect((await readAll(sim, 'GLACCOUNT', 'ACCOUNTNO', "STATUS = 'inactive'")).map((a) => a.ACCOUNTNO)).toEqual(['59990']);
    expect((await readAll(sim, 'DEPARTMENT', 'DEPARTMENTID', "STATUS = 'inactive'")).map((a) => a.DEPARTMENTID)).toEqual(['INT']);
    expect((await readAll(sim, 'CLASS', 'CLASSID', "STATUS = 'inactive'")).map((a) => a.CLASSID)).toEqual(['LEGACY']);
    const active = await readAll(sim, 'GLACCOUNT', 'ACCOUNTNO', "STATUS = 'active'");
    expect(active.map((a) => a.ACCOUNTNO)).not.toContain('59990');
  });

  it('2.8 Construction: every project has one TASK per cost code and every task one COSTTYPE per line item type', async () => {
    const [project] = await readAll(sim, 'PROJECT', 'PROJECTID');
    const tasks = await readAll(sim, 'TASK', 'TASKID,PROJECTID,NAME', `PROJECTID = '${String(project?.PROJECTID)}'`);
    expect(tasks.length).toBeGreaterThan(5);
    const costTypes = await readAll(sim, 'COSTTYPE', 'COSTTYPEID', `PROJECTID = '${String(project?.PROJECTID)}' AND TASKID = '${String(tasks[0]?.TASKID)}'`);
    expect(costTypes.map((c) => c.COSTTYPEID).sort()).toEqual(['E', 'L', 'M', 'O', 'S']);
  });

  it('2.9 query (the newer function) on TASK with a filter, paging by offset', async () => {
    const q = (offset: number): string =>
      `<query><object>TASK</object><select><field>TASKID</field><field>PROJECTID</field></select><filter><equalto><field>STATUS</field><value>active</value></equalto></filter><orderby><order><field>PROJECTID</field></order><order><field>TASKID</field></order></orderby><pagesize>50</pagesize><offset>${offset}</offset></query>`;
    const seen: string[] = [];
    for (let offset = 0; ; offset += 50) {
      const data = path(await call1(sim, q(offset)), 'data') as Node;
      seen.push(...asList(data.TASK as Node[] | undefined).map((t) => `${String(t.PROJECTID)} ${String(t.TASKID)}`));
      if (data['@_numremaining'] === '0') break;
    }
    const all = (await readAll(sim, 'TASK', 'PROJECTID,TASKID')).map((t) => `${String(t.PROJECTID)} ${String(t.TASKID)}`);
    expect(seen).toEqual([...all].sort());
  });

  it('2.9 WHENMODIFIED filters: only records changed after the checkpoint come back (readByQuery and query)', async () => {
    const [latest] = (await readAll(sim, 'VENDOR', 'WHENMODIFIED')).map((v) => String(v.WHENMODIFIED)).sort().reverse();
    await advance(sim, 60_000);
    const [vendor] = await readAll(sim, 'VENDOR', 'VENDORID');
    expect((await call1(sim, `<update><VENDOR><VENDORID>${String(vendor?.VENDORID)}</VENDORID><COMMENTS>changed</COMMENTS></VENDOR></update>`)).status).toBe('success');
    const changed = await readAll(sim, 'VENDOR', 'VENDORID', `WHENMODIFIED > '${String(latest)}'`);
    expect(changed.map((v) => v.VENDORID)).toEqual([vendor?.VENDORID]);
    const viaQuery = await call1(sim, `<query><object>VENDOR</object><select><field>VENDORID</field></select><filter><greaterthan><field>WHENMODIFIED</field><value>${String(latest)}</value></greaterthan></filter></query>`);
    expect(asList(path(viaQuery, 'data', 'VENDOR') as Node[]).map((v) => v.VENDORID)).toEqual([vendor?.VENDORID]);
  });

  it('2.2/2.8 lookup lists an object\'s fields with custom fields flagged; inspect lists names (detail="1" the flags); inspect * lists the objects; an unknown object fails', async () => {
    const lookup = await call1(sim, '<lookup><object>APBILL</object></lookup>');
    const fields = asList(path(lookup, 'data', 'Type', 'Fields', 'Field') as Node[]);
    expect(path(lookup, 'data', 'Type', '@_Name')).toBe('APBILL');
    expect(fields.find((f) => f.ID === 'PROCORE_ID')).toMatchObject({ ISCUSTOM: 'true', DATATYPE: 'TEXT' });
    expect(fields.find((f) => f.ID === 'TOTALDUE')).toMatchObject({ READONLY: 'true', DATATYPE: 'DECIMAL' });
    expect(fields.find((f) => f.ID === 'VENDORID')).toMatchObject({ REQUIRED: 'true' });
    const inspect = await call1(sim, '<inspect><object>VENDOR</object></inspect>');
    expect(asList(path(inspect, 'data', 'Type', 'Fields', 'Field') as string[])).toContain('PROCORE_VENDOR_ID');
    const detail = await call1(sim, '<inspect detail="1"><object>VENDOR</object></inspect>');
    expect(asList(path(detail, 'data', 'Type', 'Fields', 'Field') as Node[]).find((f) => f.Name === 'PROCORE_VENDOR_ID')).toMatchObject({ isCustom: 'true' });
    const all = await call1(sim, '<inspect><object>*</object></inspect>');
    expect(asList(path(all, 'data', 'Type') as Node[]).map((t) => t['@_typename'])).toEqual(expect.arrayContaining(['APBILL', 'APPYMT', 'TASK', 'CLASS', 'COSTTYPE', 'GLBATCH', 'PODOCUMENT']));
    expect((await call1(sim, '<lookup><object>NOPE</object></lookup>')).status).toBe('failure');
  });
});

describe('Intacct §2.3 uniqueid and §2.2 transaction blocks', () => {
  let sim: RunningSimulator;
  let ref: Ref;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  it('2.3 uniqueid=true + a function controlid that already completed → not executed again; the failure is not XL03000009 (that means "rolled back"), and the first bill can be looked up', async () => {
    const before = await billCount(sim);
    const first = (await call(sim, [fn('bill-P1-v1', billXml(ref.vendor, ref.account, ['99.00'], '<PROCORE_ID>req-P1-v1</PROCORE_ID>'))], { uniqueId: true })).results[0];
    expect(first?.status).toBe('success');
    const replay = await call(sim, [fn('bill-P1-v1', billXml(ref.vendor, ref.account, ['99.00'], '<PROCORE_ID>req-P1-v1</PROCORE_ID>'))], { uniqueId: true, controlId: 'retry-2' });
    expect(replay.results[0]?.status).toBe('failure');
    expect(errorNos(replay.results[0])).toEqual(['SANDBOX-DUPLICATE-CONTROLID']);
    expect(replay.text).not.toMatch(/XL03000009/);
    expect(await billCount(sim)).toBe(before + 1);
    expect((await readAll(sim, 'APBILL', 'RECORDNO', "PROCORE_ID = 'req-P1-v1'")).map((b) => b.RECORDNO)).toEqual([path(first, 'data', 'apbill', 'RECORDNO')]);
  });

  it('2.3 the duplicate-controlid error number is configurable (Intacct documents none)', () =>
    withSimulator(startIntacctSimulator({ dataDir: null, config: { duplicateControlIdErrorNo: 'BL34000061' } }), async (other) => {
      await call1(other, rbq('CLASS', 'CLASSID'), { uniqueId: true });
      expect(errorNos(await call1(other, rbq('CLASS', 'CLASSID'), { uniqueId: true }))).toEqual(['BL34000061']);
    }));

  it('2.3 uniqueid=false runs the same controlid again (a duplicate bill)', async () => {
    const before = await billCount(sim);
    await call1(sim, billXml(ref.vendor, ref.account, ['5.00']));
    await call1(sim, billXml(ref.vendor, ref.account, ['5.00']));
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

  it('2.2 transaction="true": the failing function is failure with its own error + XL03000009, every other one aborted with only XL03000009; nothing is kept', async () => {
    const before = await billCount(sim);
    const { results } = await call(sim, [fn('t1', billXml(ref.vendor, ref.account, ['1.00'])), fn('t2', billXml('V-NOPE', ref.account, ['1.00'])), fn('t3', billXml(ref.vendor, ref.account, ['2.00']))], { transaction: true });
    expect(results.map((r) => [r.controlid, r.status])).toEqual([
      ['t1', 'aborted'],
      ['t2', 'failure'],
      ['t3', 'aborted'],
    ]);
    expect(errorNos(results[0])).toEqual(['XL03000009']);
    expect(errorNos(results[2])).toEqual(['XL03000009']);
    const failing = errorNos(results[1]);
    expect(failing[failing.length - 1]).toBe('XL03000009');
    expect(failing.slice(0, -1).every((no) => no !== 'XL03000009' && no !== 'XL03000003')).toBe(true);
    expect(errorText(results[0])).toMatch(/The entire transaction in this operation has been rolled back due to an error\./);
    expect(await billCount(sim)).toBe(before);
    const ok = await call(sim, [fn('t4', billXml(ref.vendor, ref.account, ['1.00'])), fn('t5', billXml(ref.vendor, ref.account, ['2.00']))], { transaction: true });
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

  const vendors = (query: string, extra = ''): string => rbq('VENDOR', 'VENDORID,NAME,STATUS', query, extra);
  const ids = (result: Node | undefined): string[] => asList(path(result, 'data', 'vendor') as Node[] | undefined).map((v) => String(v.VENDORID));

  it('2.9 readByQuery + readMore(resultId) page to the end: every vendor once; count/totalcount/numremaining agree', async () => {
    const first = await call1(sim, vendors('', '<pagesize>7</pagesize>'));
    expect(path(first, 'data', '@_totalcount')).toBe(String(allVendorIds.length));
    const seen = ids(first);
    let remaining = Number(path(first, 'data', '@_numremaining'));
    let resultId = String(path(first, 'data', '@_resultId'));
    while (remaining > 0) {
      const next = await call1(sim, `<readMore><resultId>${resultId}</resultId></readMore>`);
      expect(Number(path(next, 'data', '@_count'))).toBe(ids(next).length);
      seen.push(...ids(next));
      remaining = Number(path(next, 'data', '@_numremaining'));
      resultId = String(path(next, 'data', '@_resultId') ?? '') || resultId;
    }
    expect(seen).toEqual(allVendorIds);
    expect((await call1(sim, `<readMore><resultId>${resultId}</resultId></readMore>`)).status).toBe('failure');
  });

  it('sandbox faults in Intacct’s shape: `dupes` sends each record twice inside <data> (count says so), `repeat` answers a readMore with its last page again', async () => {
    try {
      const first = await call1(sim, vendors('', '<pagesize>7</pagesize>'));
      const resultId = String(path(first, 'data', '@_resultId'));
      const remaining = String(path(first, 'data', '@_numremaining'));
      sim.faults.set({ repeatCursorRate: 1 });
      const again = await call1(sim, `<readMore><resultId>${resultId}</resultId></readMore>`);
      expect(ids(again)).toEqual(ids(first));
      expect([path(again, 'data', '@_resultId'), path(again, 'data', '@_numremaining'), path(again, 'data', '@_count')]).toEqual([resultId, remaining, '7']);
      sim.faults.set({ repeatCursorRate: 0, duplicateRate: 1 });
      const doubled = await call1(sim, `<readMore><resultId>${resultId}</resultId></readMore>`);
      const second = allVendorIds.slice(7, 14);
      expect(ids(doubled)).toEqual(second.flatMap((id) => [id, id]));
      expect(path(doubled, 'data', '@_count')).toBe('14');
      expect(path(doubled, 'data', '@_totalcount')).toBe(String(allVendorIds.length));
    } finally {
      sim.faults.clear();
    }
  });

  it('2.9 query operators: =, <>, IN, NOT IN, LIKE, IS NULL, AND, OR, parentheses; string compare is case-sensitive', async () => {
    const [a, b, c] = allVendorIds;
    const run = async (q: string): Promise<string[]> => ids(await call1(sim, vendors(q, '<pagesize>1000</pagesize>')));
    expect(await run(`VENDORID = '${a}'`)).toEqual([a]);
    expect((await run(`VENDORID &lt;&gt; '${a}'`)).length).toBe(allVendorIds.length - 1);
    expect(await run(`VENDORID IN ('${a}', '${c}')`)).toEqual([a, c]);
    expect((await run(`VENDORID NOT IN ('${a}', '${c}')`)).length).toBe(allVendorIds.length - 2);
    expect(await run(`VENDORID = '${a}' OR (VENDORID = '${b}' AND STATUS = 'active')`)).toEqual([a, b]);
    expect((await run(`VENDORID LIKE '${String(a).slice(0, 2)}%'`)).length).toBe(allVendorIds.filter((id) => id.startsWith(String(a).slice(0, 2))).length);
    expect(await run("PARENTID IS NULL AND STATUS = 'active'")).toEqual(allVendorIds);
    expect(await run(`VENDORID = '${String(a).toLowerCase()}'`)).toEqual(String(a).toLowerCase() === a ? [a] : []);
  });

  it('2.9 malformed queries fail with a clear message: no spaces around an operator, unknown field, pagesize > 1000', async () => {
    const noSpaces = await call1(sim, vendors("VENDORID='X'"));
    expect(noSpaces.status).toBe('failure');
    expect(errorText(noSpaces)).toMatch(/spaces around the operator/);
    expect((await call1(sim, vendors("NOPE = 'X'"))).status).toBe('failure');
    expect((await call1(sim, vendors('', '<pagesize>1001</pagesize>'))).status).toBe('failure');
  });

  it('2.9 query: select + filter + orderby + offset paging to the end; no resultId; numremaining reaches 0', async () => {
    const page = (offset: number): string =>
      `<query><object>VENDOR</object><select><field>VENDORID</field><field>NAME</field></select><filter><equalto><field>STATUS</field><value>active</value></equalto></filter><orderby><order><field>VENDORID</field><descending/></order></orderby><pagesize>6</pagesize><offset>${offset}</offset></query>`;
    const seen: string[] = [];
    for (let offset = 0; ; offset += 6) {
      const data = path(await call1(sim, page(offset)), 'data') as Node;
      expect(data['@_resultId']).toBeUndefined();
      expect(data['@_offset']).toBe(String(offset));
      seen.push(...asList(data.VENDOR as Node[] | undefined).map((v) => String(v.VENDORID)));
      if (data['@_numremaining'] === '0') break;
    }
    expect(seen).toEqual([...allVendorIds].sort().reverse());
  });

  it('2.9 query filter operators and/or/in/like/isnull; caseinsensitive option; select * and aggregates refused; pagesize ≤ 2000', async () => {
    const [a, b] = allVendorIds;
    const q = (filter: string, options = '', select = '<field>VENDORID</field>', pagesize = '100'): string =>
      `<query><object>VENDOR</object><select>${select}</select><filter>${filter}</filter>${options}<pagesize>${pagesize}</pagesize></query>`;
    const found = async (xml: string): Promise<string[]> => asList(path(await call1(sim, xml), 'data', 'VENDOR') as Node[] | undefined).map((v) => String(v.VENDORID));
    expect(await found(q(`<or><equalto><field>VENDORID</field><value>${a}</value></equalto><in><field>VENDORID</field><value>${b}</value><value>zzz</value></in></or>`))).toEqual([a, b]);
    expect(await found(q(`<and><like><field>VENDORID</field><value>${String(a)}%</value></like><isnull><field>PARENTID</field></isnull></and>`))).toContain(a);
    expect(await found(q(`<equalto><field>VENDORID</field><value>${String(a).toLowerCase()}</value></equalto>`, '<options><caseinsensitive>true</caseinsensitive></options>'))).toEqual([a]);
    expect((await call1(sim, q('<isnotnull><field>VENDORID</field></isnotnull>', '', '<field>*</field>'))).status).toBe('failure');
    expect(errorText(await call1(sim, q('<isnotnull><field>VENDORID</field></isnotnull>', '', '<count>VENDORID</count>')))).toMatch(/aggregate <count> is not served/);
    expect((await call1(sim, q('<isnotnull><field>VENDORID</field></isnotnull>', '', undefined, '2000'))).status).toBe('success');
    // <in> takes 1 to 1000 values (XSD maxOccurs 1000): 1001 are sent on purpose.
    const values = (n: number): string => Array.from({ length: n }, (_, i) => `<value>V-${i}</value>`).join('');
    expect((await call1(sim, q(`<in><field>VENDORID</field>${values(1000)}</in>`))).status).toBe('success');
    expect(errorText(await call1(sim, q(`<in><field>VENDORID</field>${values(1001)}</in>`), { brokenOnPurpose: true }))).toMatch(/1 to 1000 <value> elements, got 1001/);
    // pagesize 2001 breaks the XSD's own limit (maxInclusive 2000): sent on purpose.
    expect((await call1(sim, q('<isnotnull><field>VENDORID</field></isnotnull>', '', undefined, '2001'), { brokenOnPurpose: true })).status).toBe('failure');
  });
});

describe('Intacct §2.10 XML 1.0 character rules', () => {
  let sim: RunningSimulator;
  let ref: Ref;
  beforeAll(async () => {
    sim = await startIntacctSimulator({ dataDir: null });
    ref = await refData(sim);
  });
  afterAll(() => sim.close());

  it('2.10 a raw U+0007 in a value → XML parse error XL03000003 at control level; nothing is created (no server-side stripping)', async () => {
    const before = await billCount(sim);
    const body = xmlRequest(sim, { auth: loginAuth(sim), functions: [fn('bell', billXml(ref.vendor, ref.account, ['1.00'], '<DESCRIPTION>ring\u0007bell</DESCRIPTION>'))] });
    const { status, response } = await post(sim, body, { brokenOnPurpose: true });
    expect(status).toBe(200);
    expect(path(response, 'control', 'status')).toBe('failure');
    expect(errorNos(response)).toEqual(['XL03000003']);
    expect(JSON.stringify(response)).toMatch(/U\+0007/);
    expect(await billCount(sim)).toBe(before);
  });

  it('2.10 illegal numeric character references (&#7; / &#x1F;) and U+FFFE are refused too', async () => {
    for (const bad of ['&#7;', '&#x1F;', '\uFFFE']) {
      const body = xmlRequest(sim, { auth: loginAuth(sim), functions: [fn('bell', billXml(ref.vendor, ref.account, ['1.00'], `<DESCRIPTION>x${bad}y</DESCRIPTION>`))] });
      expect(errorNos((await post(sim, body, { brokenOnPurpose: true })).response)).toEqual(['XL03000003']);
    }
  });

  it('2.10 tab, line feed, legal non-ASCII text (incl. astral characters) and escaped & < > " \' round-trip exactly', async () => {
    const description = 'Bouwbedrijf Ærø &amp; Söhne &lt;fase 2&gt; – 10% &quot;A&quot; &apos;B&apos;\tregel 2 🏗';
    const created = await call1(sim, billXml(ref.vendor, ref.account, ['1.00'], `<DESCRIPTION>${description}</DESCRIPTION>`));
    const recordNo = String(path(created, 'data', 'apbill', 'RECORDNO'));
    const read = await call1(sim, `<read><object>APBILL</object><keys>${recordNo}</keys><fields>DESCRIPTION</fields></read>`);
    expect(path(read, 'data', 'apbill', 'DESCRIPTION')).toBe('Bouwbedrijf Ærø & Söhne <fase 2> – 10% "A" \'B\'\tregel 2 🏗');
  });
});

describe('Intacct §2.1/§2.11 rate limits, faults (429 / GW-0010, 5xx, 524) and persistence', () => {
  const read = [fn('r', rbq('LOCATION', 'LOCATIONID'))];

  it('2.11 past requestsPerMinute → HTTP 429 with GW-0010 and a control block holding only status, the text in description; the window frees up', () =>
    withSimulator(startIntacctSimulator({ dataDir: null, config: { requestsPerMinute: 2 } }), async (sim) => {
      expect((await call(sim, read)).status).toBe(200);
      expect((await call(sim, read)).status).toBe(200);
      const limited = await call(sim, read);
      expect(limited.status).toBe(429);
      expect(Object.keys(limited.response.control as Node)).toEqual(['status']);
      expect(errorNos(limited.response)).toEqual(['GW-0010']);
      expect(String(path(errors(limited.response)[0], 'description'))).toMatch(/API rate limit exceeded/);
      await advance(sim, 60_000);
      expect((await call(sim, read)).status).toBe(200);
    }));

  it('2.11 more concurrent requests than maxConcurrentRequests → GW-0010', () =>
    withSimulator(startIntacctSimulator({ dataDir: null, config: { maxConcurrentRequests: 1, processingDelayMs: 150 } }), async (sim) => {
      const [x, y] = await Promise.all([call(sim, read), call(sim, read)]);
      expect([x.status, y.status].sort()).toEqual([200, 429]);
    }));

  it('2.11 fault injector 429 and storm answer HTTP 429 GW-0010; rateLimitHttpStatus 200 says it in a 200 body', async () => {
    await withSimulator(startIntacctSimulator({ dataDir: null, faults: 'intacct:429=1' }), async (sim) => {
      const limited = await call(sim, read);
      expect([limited.status, errorNos(limited.response)]).toEqual([429, ['GW-0010']]);
      sim.faults.clear();
      await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'intacct:storm=60000' }) });
      expect((await call(sim, read)).status).toBe(429);
    });
    await withSimulator(startIntacctSimulator({ dataDir: null, faults: 'intacct:429=1', config: { rateLimitHttpStatus: 200 } }), async (sim) => {
      const limited = await call(sim, read);
      expect(limited.status).toBe(200);
      expect(limited.text).toMatch(/API rate limit exceeded/);
    });
  });

  it('fault 5xx answers with an Intacct gateway failure body (control holding only status, GW errorno, text in description)', () =>
    withSimulator(startIntacctSimulator({ dataDir: null }), async (sim) => {
      sim.faults.set({ serverErrorRate: 1 });
      const res = await call(sim, [fn('r', '<getAPISession/>')]);
      expect([500, 502, 503]).toContain(res.status);
      expect(Object.keys(res.response.control as Node)).toEqual(['status']);
      expect(errors(res.response)[0]).toMatchObject({ errorno: 'GW-0500', description: expect.stringMatching(/temporarily unavailable/) });
    }));

  it('2.1 cdnTimeoutRate: HTTP 524 (not XML) although the bill was committed; a uniqueid replay does not create a second one', () =>
    withSimulator(startIntacctSimulator({ dataDir: null, config: { cdnTimeoutRate: 1 } }), async (sim) => {
      // Every gateway answer is a 524 here, so the reference data comes from the inspection endpoint.
      const before = await fetchJson<{ VENDOR: Node[]; GLACCOUNT: Node[] }>(`${sim.baseUrl}/_sandbox/state`);
      const bill = billXml(String(before.VENDOR[0]?.VENDORID), String(before.GLACCOUNT[0]?.ACCOUNTNO), ['7.00'], '<PROCORE_ID>req-524</PROCORE_ID>');
      const first = await post(sim, xmlRequest(sim, { auth: loginAuth(sim), uniqueId: true, functions: [fn('bill-524', bill)] }));
      expect(first.status).toBe(524);
      expect(first.text).toMatch(/524: A timeout occurred/);
      const state = await fetchJson<{ APBILL: Node[] }>(`${sim.baseUrl}/_sandbox/state`);
      expect(state.APBILL.map((b) => b.PROCORE_ID)).toEqual(['req-524']);
      await post(sim, xmlRequest(sim, { auth: loginAuth(sim), uniqueId: true, functions: [fn('bill-524', bill)] }));
      expect((await fetchJson<{ APBILL: Node[] }>(`${sim.baseUrl}/_sandbox/state`)).APBILL).toHaveLength(1);
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
    const counts = (state: Record<string, unknown[]>): Record<string, number> => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v.length]));
    const before = counts(await fetchJson(`${first.baseUrl}/_sandbox/state`));
    await first.close();

    await withSimulator(startIntacctSimulator({ dataDir: dir }), async (second) => {
      const read = await call(second, [fn('r', `<read><object>APBILL</object><keys>${recordNo}</keys><fields>TOTALENTERED</fields></read>`)], { auth: sessionAuth(session) });
      expect(path(read.response, 'operation', 'authentication', 'status')).toBe('success');
      expect(path(read.results[0], 'data', 'apbill', 'TOTALENTERED')).toBe('12.34');
      expect(counts(await fetchJson(`${second.baseUrl}/_sandbox/state`))).toEqual(before);
      const replay = await call(second, [fn('keep-1', billXml(ref.vendor, ref.account, ['12.34']))], { uniqueId: true });
      expect(replay.results[0]?.status).toBe('failure');
      const next = await call(second, [fn('keep-2', billXml(ref.vendor, ref.account, ['1.00']))]);
      expect(Number(path(next.results[0], 'data', 'apbill', 'RECORDNO'))).toBe(Number(recordNo) + 1);
    });
  });

  it('persistence: a store seeded before TASK, CLASS, … existed gets them on its next start, without duplicating its vendors', async () => {
    const dir = tempDir();
    const first = await startIntacctSimulator({ dataDir: dir });
    const vendors = (await fetchJson<{ VENDOR: unknown[] }>(`${first.baseUrl}/_sandbox/state`)).VENDOR.length;
    // Make it look like the first version's store: no projection record, no TASK or CLASS rows.
    first.store.transaction(() => {
      for (const object of ['TASK', 'CLASS']) {
        const rows = first.store.collection<{ fields: { RECORDNO: string } }>(object);
        for (const row of rows.all()) rows.delete(row.fields.RECORDNO);
      }
      first.store.setMeta('worldProjectionSteps', ['VENDOR', 'GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'GLACCOUNT:inactive', 'DEPARTMENT:inactive', 'COSTTYPE', 'CUSTOMER', 'EMPLOYEE', 'ITEM', 'WAREHOUSE', 'GLJOURNAL', 'CHECKINGACCOUNT']);
    });
    await first.close();
    await withSimulator(startIntacctSimulator({ dataDir: dir }), async (second) => {
      const state = await fetchJson<Record<string, unknown[]>>(`${second.baseUrl}/_sandbox/state`);
      expect(state.VENDOR?.length).toBe(vendors);
      expect(state.TASK?.length).toBeGreaterThan(0);
      expect(state.CLASS?.length).toBe(4);
    });
  });
});

describe("Intacct's XSD (shared/vendor-specs/sage-intacct/api.xsd) and the suite's request documents", () => {
  it('the XSD check refuses a document that breaks it (so the check below can fail)', async () => {
    const broken = '<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>s</senderid><controlid>c</controlid></control><operation><authentication><sessionid>x</sessionid></authentication><content><function controlid="f"><readByQuery><object>VENDOR</object></readByQuery></function></content></operation></request>';
    const problems = await validateIntacctRequests([{ name: 'broken readByQuery', xml: broken }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.name).toBe('broken readByQuery');
    expect(problems[0]?.errors.join(' ')).toMatch(/readByQuery.*Missing child element/);
  });

  it('every request document this suite sent (except the ones broken on purpose) is valid against api.xsd', async () => {
    expect(sent.size).toBeGreaterThan(150);
    expect(await sent.problems()).toEqual([]);
  });
});
