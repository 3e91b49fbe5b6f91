import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimClock } from '../_common/clock';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import type { SimStore } from '../_common/sim-store';
import { FunctionError, fail, type IntacctError, type IntacctFunctions } from './functions';
import { XmlParseError, asArray, asObject, el, parseXml, textOf, type XmlObject } from './xml';

/**
 * The XML gateway `POST /ia/xml/xmlgw.phtml` (fact sheet 2.1–2.5, 2.10, 2.11) with its three
 * levels of status:
 *   control        sender credentials, envelope, XML parse errors → `<response><control>failure`
 *                  + `<errormessage>` directly under `<response>`; nothing runs.
 *   authentication `<login>` or `<sessionid>` → `<operation><authentication>failure` +
 *                  `<errormessage>` inside `<operation>`; no function runs.
 *   result         one `<result>` per `<function>`, success or failure on its own (or all rolled
 *                  back together with `<operation transaction="true">`).
 * `uniqueid=true` refuses to run again a function whose controlid already completed (2.3).
 */
export const GATEWAY_PATH = '/ia/xml/xmlgw.phtml';

export interface GatewaySettings {
  senderId: string;
  senderPassword: string;
  companyId: string;
  userId: string;
  userPassword: string;
  sessionTimeoutMs: number;
  /** uniqueid when the control block omits it: the docs say true, the SDKs always send it (2.3). */
  uniqueIdDefault: boolean;
  /** Exact duplicate-controlid error is unconfirmed (2.3): its errorno is configurable. */
  duplicateControlIdErrorNo: string;
  /** Status given to the other functions of a rolled-back transaction block (unconfirmed, 2.5). */
  abortedStatus: string;
  requestsPerMinute: number | null;
  maxConcurrentRequests: number | null;
  /** 429 by default; Intacct may also answer 200 with "API rate limit exceeded" (2.5). */
  rateLimitHttpStatus: number;
  /** Real time each request spends in the gateway (lets tests observe concurrency limits). */
  processingDelayMs: number;
}

interface ApiSession {
  sessionid: string;
  userid: string;
  companyid: string;
  expiresAt: number;
}

interface ExecutedFunction {
  key: string;
  function: string;
  completedAt: number;
}

interface Caller {
  userid: string;
  companyid: string;
  /** The session the request used or, for getAPISession under <login>, none yet. */
  session: ApiSession | null;
}

const XML_HEADERS = { 'content-type': 'text/xml; charset=UTF-8' };
const isoOffset = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

function errorMessage(errors: IntacctError[]): string {
  return el(
    'errormessage',
    errors.map((e) => el('error', [el('errorno', e.errorno), el('description', e.description), el('description2', e.description2), el('correction', e.correction)])),
  );
}

function xmlResponse(inner: string[], status = 200): SimResponse {
  return { status, headers: XML_HEADERS, body: `<?xml version="1.0" encoding="UTF-8"?>\n${el('response', inner)}` };
}

/** Gateway-level failure: a control block with only `status` (2.5, pitfall 2.12). */
export function gatewayFailure(status: number, errorno: string, description: string, description2: string): SimResponse {
  return xmlResponse([el('control', [el('status', 'failure')]), errorMessage([{ errorno, description, description2, correction: '' }])], status);
}

export class IntacctGateway {
  private readonly sessions;
  private readonly executed;
  private readonly recentRequests: number[] = [];
  private inFlight = 0;

  constructor(
    private readonly store: SimStore,
    private readonly clock: SimClock,
    private readonly functions: IntacctFunctions,
    private readonly settings: GatewaySettings,
  ) {
    this.sessions = store.collection<ApiSession>('api_sessions');
    this.executed = store.collection<ExecutedFunction>('executed_functions');
  }

  rateLimited(): SimResponse {
    return gatewayFailure(this.settings.rateLimitHttpStatus, 'GW-0010', 'Rate limit exceeded', 'API rate limit exceeded. Slow down and retry with backoff.');
  }

  expireSessions(): void {
    for (const s of this.sessions.all()) this.sessions.delete(s.sessionid);
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    if (req.path !== GATEWAY_PATH) return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>404 Not Found</body></html>' };
    if (req.method !== 'POST') return { status: 405, headers: { allow: 'POST', 'content-type': 'text/html' }, body: '<html><body>405 Method Not Allowed</body></html>' };
    if (this.overLimit()) return this.rateLimited();
    this.inFlight += 1;
    try {
      if (this.settings.processingDelayMs > 0) await sleep(this.settings.processingDelayMs);
      return this.process(req);
    } finally {
      this.inFlight -= 1;
    }
  }

  private overLimit(): boolean {
    const { requestsPerMinute, maxConcurrentRequests } = this.settings;
    if (maxConcurrentRequests !== null && this.inFlight >= maxConcurrentRequests) return true;
    if (requestsPerMinute === null) return false;
    const now = this.clock.now();
    while (this.recentRequests.length > 0 && (this.recentRequests[0] ?? 0) <= now - 60_000) this.recentRequests.shift();
    if (this.recentRequests.length >= requestsPerMinute) return true;
    this.recentRequests.push(now);
    return false;
  }

  private process(req: SimRequest): SimResponse {
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!/(application\/xml|text\/xml|x-intacct-xml-request)/.test(contentType)) {
      return gatewayFailure(200, 'GW-0011', 'Invalid request', `Content-Type must be application/xml (or x-intacct-xml-request), got '${contentType || 'none'}'.`);
    }
    let doc: XmlObject;
    try {
      doc = parseXml(req.text());
    } catch (err) {
      if (err instanceof XmlParseError) return gatewayFailure(200, 'XL03000003', 'XML Parse error', err.message);
      throw err;
    }
    const request = asObject(doc.request);
    const control = asObject(request?.control);
    if (!request || !control) return gatewayFailure(200, 'XL03000003', 'XML Parse error', 'The document must be <request> with a <control> block then an <operation>.');

    const senderid = textOf(control.senderid) ?? '';
    const controlid = textOf(control.controlid) ?? '';
    const uniqueid = (textOf(control.uniqueid) ?? String(this.settings.uniqueIdDefault)).toLowerCase();
    const dtdversion = textOf(control.dtdversion) ?? '';
    const controlBlock = (status: string): string =>
      el('control', [el('status', status), el('senderid', senderid), el('controlid', controlid), el('uniqueid', uniqueid), el('dtdversion', dtdversion)]);
    const controlFailure = (errorno: string, description: string, description2: string): SimResponse =>
      xmlResponse([controlBlock('failure'), errorMessage([{ errorno, description, description2, correction: '' }])]);

    if (!senderid || control.password === undefined) return controlFailure('XL03000003', 'XML Parse error', 'The control block needs <senderid> and <password>.');
    if (controlid.length < 1 || controlid.length > 256) return controlFailure('XL03000003', 'XML Parse error', 'The control block needs a <controlid> of 1 to 256 characters.');
    if (dtdversion !== '3.0') return controlFailure('XL03000003', 'XML Parse error', `<dtdversion> must be 3.0, got '${dtdversion}'.`);
    if (uniqueid !== 'true' && uniqueid !== 'false') return controlFailure('XL03000003', 'XML Parse error', `<uniqueid> must be true or false, got '${uniqueid}'.`);
    if (senderid !== this.settings.senderId || textOf(control.password) !== this.settings.senderPassword) {
      return controlFailure('XL03000006', 'Invalid Web Services Authorization', 'Incorrect Intacct XML Partner ID or password.');
    }

    const operation = asObject(request.operation);
    if (!operation) return controlFailure('XL03000003', 'XML Parse error', 'The request has no <operation> block.');
    const auth = this.authenticate(asObject(operation.authentication));
    if ('errors' in auth) {
      const authBlock = el('authentication', [el('status', 'failure'), el('userid', auth.userid), el('companyid', auth.companyid), el('locationid', ''), el('sessiontimestamp', isoOffset(this.clock.now()))]);
      return xmlResponse([controlBlock('success'), el('operation', [authBlock, errorMessage(auth.errors)])]);
    }

    const content = asObject(operation.content);
    const functions = asArray(content?.function);
    if (functions.length === 0) return controlFailure('XL03000003', 'XML Parse error', 'The operation needs <content> with at least one <function>.');
    const asTransaction = textOf(operation['@_transaction']) === 'true';
    const results = this.runFunctions(functions.map((f) => asObject(f) ?? {}), auth, uniqueid === 'true', asTransaction, req);

    const now = this.clock.now();
    const session = auth.session;
    const authBlock = el('authentication', [
      el('status', 'success'),
      el('userid', auth.userid),
      el('companyid', auth.companyid),
      el('locationid', ''),
      el('sessiontimestamp', isoOffset(now)),
      el('sessiontimeout', isoOffset(session ? session.expiresAt : now + this.settings.sessionTimeoutMs)),
    ]);
    return xmlResponse([controlBlock('success'), el('operation', [authBlock, ...results])]);
  }

  /** `<login>` (user, company, password) or `<sessionid>` (sliding expiry, 2.4). */
  private authenticate(auth: XmlObject | undefined): Caller | { errors: IntacctError[]; userid: string; companyid: string } {
    const authFailure = (errorno: string, description2: string, userid = '', companyid = ''): { errors: IntacctError[]; userid: string; companyid: string } => ({
      errors: [{ errorno, description: 'Authentication failed', description2, correction: '' }],
      userid,
      companyid,
    });
    const now = this.clock.now();
    const login = asObject(auth?.login);
    if (login) {
      const userid = textOf(login.userid) ?? '';
      const companyid = textOf(login.companyid) ?? '';
      const s = this.settings;
      if (userid !== s.userId || companyid.toLowerCase() !== s.companyId.toLowerCase() || textOf(login.password) !== s.userPassword) {
        return authFailure('XMLGW_JPP0002', 'Sign-in information is incorrect. Please check your request.', userid, companyid);
      }
      return { userid: s.userId, companyid: s.companyId, session: null };
    }
    const sessionid = textOf(auth?.sessionid);
    if (sessionid !== undefined) {
      const session = this.sessions.get(sessionid);
      if (!session || session.expiresAt <= now) {
        if (session) this.sessions.delete(sessionid);
        return authFailure('XL03000006', 'Invalid session. The session has expired or was never issued; sign in again with getAPISession.');
      }
      const slid = { ...session, expiresAt: now + this.settings.sessionTimeoutMs };
      this.sessions.put(sessionid, slid);
      return { userid: session.userid, companyid: session.companyid, session: slid };
    }
    return authFailure('XL03000006', 'The <authentication> block needs <login> or <sessionid>.');
  }

  private runFunctions(functions: XmlObject[], caller: Caller, uniqueid: boolean, asTransaction: boolean, req: SimRequest): string[] {
    const owner = `${caller.userid}@${caller.companyid}`;
    const runOne = (fn: XmlObject): { ok: true; name: string; controlid: string; data: string } | { ok: false; name: string; controlid: string; errors: IntacctError[] } => {
      const controlid = textOf(fn['@_controlid']) ?? '';
      const names = Object.keys(fn).filter((k) => !k.startsWith('@_') && k !== '#text');
      const name = names[0] ?? '';
      try {
        if (controlid.length < 1 || controlid.length > 256) throw fail('XL03000003', 'Invalid function', 'Every <function> needs a controlid attribute of 1 to 256 characters.');
        if (names.length !== 1) throw fail('XL03000003', 'Invalid function', `A <function> holds exactly one operation, found ${names.length} (${names.join(', ') || 'none'}).`);
        const key = `${caller.companyid}|${controlid}`;
        if (uniqueid && this.executed.has(key)) {
          throw fail(
            this.settings.duplicateControlIdErrorNo,
            'Duplicate control id',
            `A function with controlid '${controlid}' was already executed and completed; with uniqueid=true it is not run again.`,
            'Use a new controlid for a new transaction, or read the record the first call created.',
          );
        }
        const data = name === 'getAPISession' ? this.apiSession(caller, req) : this.functions.run(name, fn[name] ?? '', owner);
        this.executed.put(key, { key, function: name, completedAt: this.clock.now() });
        return { ok: true, name, controlid, data };
      } catch (err) {
        if (err instanceof FunctionError) return { ok: false, name, controlid, errors: err.errors };
        throw err;
      }
    };
    const resultXml = (status: string, name: string, controlid: string, payload: string[]): string =>
      el('result', [el('status', status), el('function', name), el('controlid', controlid), ...payload]);

    if (!asTransaction) {
      return functions.map((fn) => {
        // Each function stands alone: its own writes land together or not at all.
        let outcome!: ReturnType<typeof runOne>;
        try {
          this.store.transaction(() => {
            outcome = runOne(fn);
            if (!outcome.ok) throw new RollBack();
          });
        } catch (err) {
          if (!(err instanceof RollBack)) throw err;
        }
        return outcome.ok ? resultXml('success', outcome.name, outcome.controlid, [outcome.data]) : resultXml('failure', outcome.name, outcome.controlid, [errorMessage(outcome.errors)]);
      });
    }

    // transaction="true": all functions succeed or all roll back (2.2).
    const outcomes: ReturnType<typeof runOne>[] = [];
    try {
      this.store.transaction(() => {
        for (const fn of functions) {
          const outcome = runOne(fn);
          outcomes.push(outcome);
          if (!outcome.ok) throw new RollBack();
        }
      });
    } catch (err) {
      if (!(err instanceof RollBack)) throw err;
    }
    const failed = outcomes.some((o) => !o.ok);
    return functions.map((fn, i) => {
      const outcome = outcomes[i];
      if (outcome && !outcome.ok) return resultXml('failure', outcome.name, outcome.controlid, [errorMessage(outcome.errors)]);
      if (outcome && !failed) return resultXml('success', outcome.name, outcome.controlid, [outcome.data]);
      const name = Object.keys(fn).find((k) => !k.startsWith('@_')) ?? '';
      return resultXml(this.settings.abortedStatus, name, textOf(fn['@_controlid']) ?? '', [
        errorMessage([{ errorno: 'XL03000003', description: 'Transaction rolled back', description2: 'Another function of this transaction failed, so this one was rolled back.', correction: '' }]),
      ]);
    });
  }

  /** getAPISession: a new session under <login>, the same one under <sessionid> (2.4). */
  private apiSession(caller: Caller, req: SimRequest): string {
    let session = caller.session;
    if (!session) {
      session = { sessionid: `${randomBytes(18).toString('base64url')}..`, userid: caller.userid, companyid: caller.companyid, expiresAt: this.clock.now() + this.settings.sessionTimeoutMs };
      this.sessions.put(session.sessionid, session);
      caller.session = session;
    }
    const endpoint = `http://${req.headers.host ?? '127.0.0.1'}${GATEWAY_PATH}`;
    return el('data', [el('api', [el('sessionid', session.sessionid), el('endpoint', endpoint), el('locationid', '')])]);
  }
}

class RollBack extends Error {}
