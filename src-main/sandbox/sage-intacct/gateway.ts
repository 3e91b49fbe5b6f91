import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimClock } from '../_common/clock';
import { createRng, type Rng } from '../_common/rng';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import type { SimStore } from '../_common/sim-store';
import type { Caller } from './company';
import { ERR, FunctionError, ROLLED_BACK_TEXT, errorMessageXml, fail, gatewayErrorXml, withSupportId, type IntacctError } from './errors';
import { GENERIC_WRITE_FUNCTIONS, type IntacctFunctions } from './functions';
import { XmlParseError, asObject, asArray, el, parseXml, textOf, type XmlObject } from './xml';

/**
 * The XML gateway `POST /ia/xml/xmlgw.phtml` (fact sheet 2.1–2.5, 2.10, 2.11) and its levels
 * of failure, as the vendor SDKs' own fixtures show them:
 *   gateway        HTTP 401 for a wrong user, company, password or session (XMLGW_JPP0002),
 *                  429 GW-0010 rate limit, 5xx: a control block holding only `<status>`,
 *                  the text in `description`.
 *   control        wrong sender credentials, XML parse errors → `<control>failure` with
 *                  `<errormessage>` directly under `<response>`; nothing runs.
 *   authentication a sender not authorised for the company → control success,
 *                  `<operation><authentication>failure` + XL03000006; no function runs.
 *   result         one `<result>` per `<function>`, each on its own, or all rolled back
 *                  together with `<operation transaction="true">`: the failing function is
 *                  `failure` with its errors + XL03000009, the others `aborted` with XL03000009.
 * `uniqueid=true` refuses to run again a function whose controlid already completed (2.3).
 * Intacct documents no error number for that refusal: it is configurable, and a client should
 * decide what happened by looking the document up, never by the number.
 */
export const GATEWAY_PATH = '/ia/xml/xmlgw.phtml';

export interface GatewaySettings {
  senderId: string;
  senderPassword: string;
  /** The company's Web Services authorizations (Company > Security): sender ids allowed in. */
  authorizedSenderIds: readonly string[];
  companyId: string;
  userId: string;
  userPassword: string;
  sessionTimeoutMs: number;
  /** uniqueid when the control block omits it: the docs say true, the SDKs always send it (2.3). */
  uniqueIdDefault: boolean;
  /** Intacct documents no error number for a repeated controlid under uniqueid=true (2.3). */
  duplicateControlIdErrorNo: string;
  requestsPerMinute: number | null;
  maxConcurrentRequests: number | null;
  /** 429 by default; Intacct may also answer 200 with "API rate limit exceeded" (2.5). */
  rateLimitHttpStatus: number;
  /**
   * Probability that the CDN in front of Intacct gives up (HTTP 524) after the request was
   * processed and committed (2.1: the SDKs never retry a 524, it may have run).
   */
  cdnTimeoutRate: number;
  seed: number;
  /** Real time each request spends in the gateway (lets tests observe concurrency limits). */
  processingDelayMs: number;
  /** LOCATIONIDs a login may name as its entity. */
  isEntity(locationId: string): boolean;
}

interface ApiSession {
  sessionid: string;
  userid: string;
  companyid: string;
  /** The entity the session is signed in to ('' = top level). */
  locationid?: string;
  expiresAt: number;
}

interface ExecutedFunction {
  key: string;
  function: string;
  completedAt: number;
}

interface Authenticated {
  userid: string;
  companyid: string;
  locationid: string;
  /** The session the request used or, for getAPISession under <login>, none yet. */
  session: ApiSession | null;
}

type Outcome = { ok: true; name: string; controlid: string; payload: string } | { ok: false; name: string; controlid: string; errors: IntacctError[] };

const XML_HEADERS = { 'content-type': 'text/xml; charset=UTF-8' };
const SIGN_IN_TEXT = 'Sign-in information is incorrect. Please check your request.';
const isoOffset = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

function xmlResponse(inner: string[], status = 200): SimResponse {
  return { status, headers: XML_HEADERS, body: `<?xml version="1.0" encoding="UTF-8"?>\n${el('response', inner)}` };
}

/** Gateway-level failure: a control block with only `status`, the text in `description`. */
export function gatewayFailure(status: number, errorno: string, description: string): SimResponse {
  return xmlResponse([el('control', [el('status', 'failure')]), gatewayErrorXml(errorno, description)], status);
}

/** What Cloudflare answers when Intacct takes longer than it waits (not XML). */
function cdnTimeout(): SimResponse {
  return {
    status: 524,
    headers: { 'content-type': 'text/html; charset=UTF-8' },
    body: '<!DOCTYPE html><html><head><title>api.intacct.com | 524: A timeout occurred</title></head><body><h1>A timeout occurred</h1><p>The origin web server timed out responding to this request.</p></body></html>',
  };
}

export class IntacctGateway {
  private readonly sessions;
  private readonly executed;
  private readonly recentRequests: number[] = [];
  private readonly cdnRng: Rng;
  private inFlight = 0;

  constructor(
    private readonly store: SimStore,
    private readonly clock: SimClock,
    private readonly functions: IntacctFunctions,
    private readonly settings: GatewaySettings,
  ) {
    this.sessions = store.collection<ApiSession>('api_sessions');
    this.executed = store.collection<ExecutedFunction>('executed_functions');
    this.cdnRng = createRng(settings.seed ^ 0x524);
  }

  rateLimited(): SimResponse {
    return gatewayFailure(this.settings.rateLimitHttpStatus, ERR.RATE_LIMIT, 'API rate limit exceeded. Slow down and retry with backoff.');
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
      const response = this.process(req);
      // The work is done and committed; the CDN may still give up on the answer.
      return this.settings.cdnTimeoutRate > 0 && this.cdnRng.chance(this.settings.cdnTimeoutRate) ? cdnTimeout() : response;
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
      return gatewayFailure(200, ERR.INVALID_REQUEST, `Invalid request: Content-Type must be application/xml (or x-intacct-xml-request), got '${contentType || 'none'}'.`);
    }
    let doc: XmlObject;
    try {
      doc = parseXml(req.text());
    } catch (err) {
      if (err instanceof XmlParseError) return this.controlFailureOnly(ERR.PARSE, 'XML Parse error', err.message);
      throw err;
    }
    const request = asObject(doc.request);
    const control = asObject(request?.control);
    if (!request || !control) return this.controlFailureOnly(ERR.PARSE, 'XML Parse error', 'The document must be <request> with a <control> block then an <operation>.');

    const senderid = textOf(control.senderid) ?? '';
    const controlid = textOf(control.controlid) ?? '';
    const uniqueid = (textOf(control.uniqueid) ?? String(this.settings.uniqueIdDefault)).toLowerCase();
    const dtdversion = textOf(control.dtdversion) ?? '';
    const controlBlock = (status: string): string =>
      el('control', [el('status', status), el('senderid', senderid), el('controlid', controlid), el('uniqueid', uniqueid), el('dtdversion', dtdversion)]);
    const controlFailure = (errorno: string, description: string, description2: string): SimResponse =>
      xmlResponse([controlBlock('failure'), errorMessageXml([{ errorno, description, description2, correction: '' }])]);

    if (!senderid || control.password === undefined) return controlFailure(ERR.PARSE, 'XML Parse error', 'The control block needs <senderid> and <password>.');
    if (controlid.length < 1 || controlid.length > 256) return controlFailure(ERR.PARSE, 'XML Parse error', 'The control block needs a <controlid> of 1 to 256 characters.');
    if (dtdversion !== '3.0') return controlFailure(ERR.PARSE, 'XML Parse error', `<dtdversion> must be 3.0, got '${dtdversion}'.`);
    if (uniqueid !== 'true' && uniqueid !== 'false') return controlFailure(ERR.PARSE, 'XML Parse error', `<uniqueid> must be true or false, got '${uniqueid}'.`);
    if (control.policyid !== undefined) return controlFailure(ERR.PARSE, 'XML Parse error', 'Asynchronous requests (<policyid>) are not served by this sandbox; send them synchronously.');
    if (senderid !== this.settings.senderId || textOf(control.password) !== this.settings.senderPassword) {
      return controlFailure(ERR.AUTHORIZATION, '', 'Incorrect Intacct XML Partner ID or password.');
    }

    if (Array.isArray(request.operation)) return controlFailure(ERR.PARSE, 'XML Parse error', 'This sandbox serves one <operation> per request.');
    const operation = asObject(request.operation);
    if (!operation) return controlFailure(ERR.PARSE, 'XML Parse error', 'The request has no <operation> block.');
    const auth = this.authenticate(asObject(operation.authentication));
    if (!auth) return gatewayFailure(401, ERR.SIGN_IN, SIGN_IN_TEXT);
    const authBlock = (status: string, withTimeout: boolean): string =>
      el('authentication', [
        el('status', status),
        el('userid', auth.userid),
        el('companyid', auth.companyid),
        el('locationid', auth.locationid),
        el('sessiontimestamp', isoOffset(this.clock.now())),
        ...(withTimeout ? [el('sessiontimeout', isoOffset(auth.session ? auth.session.expiresAt : this.clock.now() + this.settings.sessionTimeoutMs))] : []),
      ]);
    if (!this.settings.authorizedSenderIds.includes(senderid)) {
      const errors = withSupportId([
        {
          errorno: ERR.AUTHORIZATION,
          description: 'Invalid Web Services Authorization',
          description2: `The sender ID '${senderid}' is not authorized to make Web Services requests to company '${auth.companyid}'.`,
          correction: 'Add the sender ID under Company > Security > Web Services authorizations.',
        },
      ]);
      return xmlResponse([controlBlock('success'), el('operation', [authBlock('failure', false), errorMessageXml(errors)])]);
    }

    const content = asObject(operation.content);
    const functions = asArray(content?.function);
    if (functions.length === 0) return controlFailure(ERR.PARSE, 'XML Parse error', 'The operation needs <content> with at least one <function>.');
    const asTransaction = textOf(operation['@_transaction']) === 'true';
    // A page fault (sandbox `dupes` / `repeat`) is applied by the read functions, in Intacct's XML.
    this.functions.pageFault = req.responseFault === 'duplicates' || req.responseFault === 'repeat-cursor' ? req.responseFault : null;
    this.functions.pageFaultApplied = false;
    const results = this.runFunctions(functions.map((f) => asObject(f) ?? {}), auth, uniqueid === 'true', asTransaction, req);
    // A request whose functions read no page (writes, first pages for `repeat`) is not spoiled.
    if (this.functions.pageFault && !this.functions.pageFaultApplied) delete req.responseFault;
    return { ...xmlResponse([controlBlock('success'), el('operation', [authBlock('success', true), ...results])]), spoiled: this.functions.pageFaultApplied };
  }

  /** A parse error before the control block could be read: status only, text in description2. */
  private controlFailureOnly(errorno: string, description: string, description2: string): SimResponse {
    return xmlResponse([el('control', [el('status', 'failure')]), errorMessageXml([{ errorno, description, description2, correction: '' }])]);
  }

  /**
   * `<login>` (user, company, password, optional locationid = entity) or `<sessionid>` (sliding
   * expiry, 2.4). null = not signed in: the gateway answers HTTP 401 XMLGW_JPP0002.
   */
  private authenticate(auth: XmlObject | undefined): Authenticated | null {
    const now = this.clock.now();
    const login = asObject(auth?.login);
    if (login) {
      const s = this.settings;
      const userid = textOf(login.userid) ?? '';
      const companyid = textOf(login.companyid) ?? '';
      const locationid = textOf(login.locationid) ?? '';
      if (userid !== s.userId || companyid.toLowerCase() !== s.companyId.toLowerCase() || textOf(login.password) !== s.userPassword) return null;
      if (locationid && !s.isEntity(locationid)) return null;
      return { userid: s.userId, companyid: s.companyId, locationid, session: null };
    }
    const sessionid = textOf(auth?.sessionid);
    if (sessionid === undefined) return null;
    const session = this.sessions.get(sessionid);
    if (!session || session.expiresAt <= now) {
      if (session) this.sessions.delete(sessionid);
      return null;
    }
    const slid = { ...session, expiresAt: now + this.settings.sessionTimeoutMs };
    this.sessions.put(sessionid, slid);
    return { userid: session.userid, companyid: session.companyid, locationid: session.locationid ?? '', session: slid };
  }

  private runFunctions(functions: XmlObject[], auth: Authenticated, uniqueid: boolean, asTransaction: boolean, req: SimRequest): string[] {
    const caller: Caller = { owner: `${auth.userid}@${auth.companyid}`, entity: auth.locationid };
    const runOne = (fn: XmlObject): Outcome => {
      const controlid = textOf(fn['@_controlid']) ?? '';
      const names = Object.keys(fn).filter((k) => !k.startsWith('@_') && k !== '#text');
      const name = names[0] ?? '';
      try {
        if (controlid.length < 1 || controlid.length > 256) throw fail(ERR.PARSE, 'Invalid function', 'Every <function> needs a controlid attribute of 1 to 256 characters.');
        if (names.length !== 1) throw fail(ERR.PARSE, 'Invalid function', `A <function> holds exactly one operation, found ${names.length} (${names.join(', ') || 'none'}).`);
        const key = `${auth.companyid}|${controlid}`;
        if (uniqueid && this.executed.has(key)) {
          throw fail(
            this.settings.duplicateControlIdErrorNo,
            'Duplicate controlid',
            `A function with controlid '${controlid}' was already executed and completed; with uniqueid=true it is not run again.`,
            'Look up the record the first call created, or use a new controlid for a new transaction.',
          );
        }
        const payload = name === 'getAPISession' ? this.apiSession(auth, asObject(fn[name]), req) : this.functions.run(name, fn[name] ?? '', caller);
        this.executed.put(key, { key, function: name, completedAt: this.clock.now() });
        return { ok: true, name, controlid, payload };
      } catch (err) {
        if (err instanceof FunctionError) return { ok: false, name, controlid, errors: err.errors };
        throw err;
      }
    };
    const resultXml = (status: string, name: string, controlid: string, payload: string[]): string =>
      el('result', [el('status', status), el('function', name), el('controlid', controlid), ...payload]);
    const failureXml = (status: string, name: string, controlid: string, errors: IntacctError[]): string =>
      resultXml(status, name, controlid, [
        // A failed generic create/update/delete still carries its (empty) data list first.
        ...(GENERIC_WRITE_FUNCTIONS.has(name) ? [el('data', undefined, { listtype: 'objects', count: 0 })] : []),
        errorMessageXml(withSupportId(errors)),
      ]);
    const rolledBack: IntacctError = { errorno: ERR.ROLLED_BACK, description: '', description2: ROLLED_BACK_TEXT, correction: '' };

    if (!asTransaction) {
      return functions.map((fn) => {
        // Each function stands alone: its own writes land together or not at all.
        let outcome!: Outcome;
        try {
          this.store.transaction(() => {
            outcome = runOne(fn);
            if (!outcome.ok) throw new RollBack();
          });
        } catch (err) {
          if (!(err instanceof RollBack)) throw err;
        }
        return outcome.ok ? resultXml('success', outcome.name, outcome.controlid, [outcome.payload]) : failureXml('failure', outcome.name, outcome.controlid, outcome.errors);
      });
    }

    // transaction="true": all functions succeed or all roll back (2.2).
    const outcomes: Outcome[] = [];
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
    const failed = outcomes.find((o): o is Extract<Outcome, { ok: false }> => !o.ok);
    return functions.map((fn, i) => {
      const outcome = outcomes[i];
      if (!failed && outcome?.ok) return resultXml('success', outcome.name, outcome.controlid, [outcome.payload]);
      if (outcome && !outcome.ok) return failureXml('failure', outcome.name, outcome.controlid, [...outcome.errors, rolledBack]);
      const name = Object.keys(fn).find((k) => !k.startsWith('@_') && k !== '#text') ?? '';
      return failureXml('aborted', name, textOf(fn['@_controlid']) ?? '', [rolledBack]);
    });
  }

  /**
   * getAPISession: under <login> a new session for the login's entity, or for the entity its
   * own `<locationid>` names ('' = top level); under <sessionid> the same session (2.4).
   */
  private apiSession(auth: Authenticated, body: XmlObject | undefined, req: SimRequest): string {
    const requested = body && body.locationid !== undefined ? (textOf(body.locationid) ?? '') : undefined;
    let session = auth.session;
    if (session) {
      if (requested !== undefined && requested !== (session.locationid ?? '')) {
        throw fail(ERR.BUSINESS, 'Invalid entity', `This session is signed in to '${session.locationid ?? ''}'; sign in with <login> to open a session for entity '${requested}'.`);
      }
    } else {
      const locationid = requested ?? auth.locationid;
      if (locationid && !this.settings.isEntity(locationid)) throw fail(ERR.BUSINESS, 'Invalid entity', `There is no entity (location) '${locationid}' in company ${auth.companyid}.`);
      session = { sessionid: `${randomBytes(18).toString('base64url')}..`, userid: auth.userid, companyid: auth.companyid, locationid, expiresAt: this.clock.now() + this.settings.sessionTimeoutMs };
      this.sessions.put(session.sessionid, session);
      auth.session = session;
    }
    const endpoint = `http://${req.headers.host ?? '127.0.0.1'}${GATEWAY_PATH}`;
    return el('data', [el('api', [el('sessionid', session.sessionid), el('endpoint', endpoint), el('locationid', session.locationid ?? '')])]);
  }
}

class RollBack extends Error {}
