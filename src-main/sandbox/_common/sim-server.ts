import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimClock } from './clock';
import { parseFaultSpec, FaultSpecError, type FaultController, type FaultDecision, type ResponseFault } from './faults';

export interface SimRequest {
  method: string;
  url: URL;
  /** Path without query string, percent-decoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  /** Parses the body as JSON; throws SimBadJson with a readable message when it is not. */
  json(): unknown;
  /**
   * The response fault drawn for this request, if any. A system whose pages are not a plain
   * JSON list (XML, GraphQL cursors, offsets) applies 'duplicates' / 'repeat-cursor' itself, in
   * its own shape, and says so with SimResponse.spoiled, or clears this field when the answer
   * has no page to spoil; otherwise the server spoils the answer.
   */
  responseFault?: ResponseFault;
}

export class SimBadJson extends Error {}

export interface SimResponse {
  status: number;
  headers?: Record<string, string | number | readonly string[]>;
  /** string/Buffer are sent as is; anything else is sent as JSON. undefined = empty body. */
  body?: unknown;
  /** The handler applied SimRequest.responseFault itself (the server leaves the answer alone). */
  spoiled?: boolean;
}

/** What a system plugs into the shared server. */
export interface SimSystem {
  readonly name: string;
  handle(req: SimRequest): Promise<SimResponse> | SimResponse;
  /**
   * Whether the request changes the system (what the `drop` fault applies to). Default: any
   * method but GET and HEAD; APIs that read with POST (Intacct's XML gateway, monday's GraphQL)
   * say which of their calls write.
   */
  isWrite?(req: SimRequest): boolean;
  /** The system's own 429 answer (used by the 429 fault and rate-limit storms). */
  rateLimitedResponse(): SimResponse;
  /** The system's own 5xx answer (used by the 5xx fault and unexpected handler errors). */
  serverErrorResponse(status: 500 | 502 | 503): SimResponse;
  /** Invalidates every access token issued so far (fault `expire`). */
  expireTokens(): void;
  /** Records as the API returns them, per collection (GET /_sandbox/state, `sandbox dump`). */
  inspect(): Record<string, unknown[]>;
}

export interface RequestLogEntry {
  seq: number;
  at: string;
  method: string;
  /** Path and query with secret-bearing parameters redacted. */
  path: string;
  status: number;
  durationMs: number;
  fault: FaultDecision | ResponseFault;
  error?: string;
}

const SECRET_PARAMS =
  /([?&](?:code|code_verifier|refresh_token|access_token|id_token|client_secret|password|token|api_key|apikey|secret|session|sessionid)=)[^&]*/gi;

export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];
  private seq = 0;
  total = 0;
  readonly byStatus: Record<string, number> = {};
  readonly byMethod: Record<string, number> = {};

  constructor(private readonly keep = 5_000) {}

  add(entry: Omit<RequestLogEntry, 'seq'>): void {
    this.seq += 1;
    this.total += 1;
    this.byStatus[entry.status] = (this.byStatus[entry.status] ?? 0) + 1;
    this.byMethod[entry.method] = (this.byMethod[entry.method] ?? 0) + 1;
    this.entries.push({ seq: this.seq, ...entry });
    // Trim in batches: dropping one entry per request would shift the whole array every time.
    if (this.entries.length > this.keep + Math.ceil(this.keep / 4))
      this.entries.splice(0, this.entries.length - this.keep);
  }

  recent(limit = 500): RequestLogEntry[] {
    return this.entries.slice(-Math.min(limit, this.keep));
  }

  summary(): { total: number; byStatus: Record<string, number>; byMethod: Record<string, number> } {
    return { total: this.total, byStatus: { ...this.byStatus }, byMethod: { ...this.byMethod } };
  }

  reset(): void {
    this.entries.length = 0;
    this.total = 0;
    for (const k of Object.keys(this.byStatus)) delete this.byStatus[k];
    for (const k of Object.keys(this.byMethod)) delete this.byMethod[k];
  }
}

export interface SimServerOptions {
  port?: number;
  /** Fixed latency added to every API request (ms). */
  latencyMs?: number;
  faults: FaultController;
  clock: SimClock;
  /** Requests with a larger body get 413 (default 64 MiB). */
  maxBodyBytes?: number;
}

export interface SimServerHandle {
  baseUrl: string;
  port: number;
  requests: RequestLog;
  close(): Promise<void>;
}

/**
 * Starts a simulator on 127.0.0.1 (port 0 = any free port). Around the system's handler it
 * adds what every simulator needs: latency, fault injection, a request log with counters,
 * and the inspection endpoints under /_sandbox/ (never faulted, never counted):
 *   GET /_sandbox/state       records per collection
 *   GET /_sandbox/requests    counters and recent requests; DELETE resets them
 *   GET|PUT /_sandbox/faults  current fault settings; PUT {"spec":"5xx=0.1"} or {"clear":true}
 *   GET|POST /_sandbox/clock  {"advanceMs": N} moves simulator time forward
 */
export async function startSimServer(system: SimSystem, opts: SimServerOptions): Promise<SimServerHandle> {
  const requests = new RequestLog();
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  opts.faults.onExpireTokens = () => system.expireTokens();

  const server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      // Last resort: never leave a socket hanging.
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end(String(err));
      } else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch {
      send(res, { status: 413, body: { error: 'payload too large', limitBytes: maxBody } });
      return;
    }
    if (url.pathname.startsWith('/_sandbox/')) {
      send(res, inspection(method, url.pathname, body));
      return;
    }
    const simReq: SimRequest = {
      method,
      url,
      path: safeDecode(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body,
      text: () => body.toString('utf8'),
      json: () => {
        try {
          return JSON.parse(body.toString('utf8')) as unknown;
        } catch (err) {
          throw new SimBadJson(`request body is not valid JSON: ${(err as Error).message}`);
        }
      },
    };
    const latency = (opts.latencyMs ?? 0) + opts.faults.current().latencyMs;
    if (latency > 0) await sleep(latency);

    const isWrite = system.isWrite?.(simReq) ?? (method !== 'GET' && method !== 'HEAD');
    const decision = opts.faults.decide(isWrite);
    const log = (status: number, error?: string, spoiled?: ResponseFault): void =>
      requests.add({
        at: new Date(opts.clock.now()).toISOString(),
        method,
        path: (url.pathname + url.search).replace(SECRET_PARAMS, '$1***'),
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        fault: spoiled ?? decision,
        ...(error ? { error } : {}),
      });

    if (decision === 'reset') {
      log(0);
      req.socket.destroy();
      return;
    }
    if (decision === 'rate-limit') {
      const r = system.rateLimitedResponse();
      log(r.status);
      send(res, r);
      return;
    }
    if (decision === 'server-error') {
      const r = system.serverErrorResponse(([500, 502, 503] as const)[requests.total % 3] ?? 500);
      log(r.status);
      send(res, r);
      return;
    }
    // Drawn before the handler (same draw order as before: none when the answer is dropped), so
    // a system can spoil its own pages in its own shape.
    const spoil = decision === 'drop-after-commit' ? null : opts.faults.decideResponse();
    if (spoil) simReq.responseFault = spoil;
    let response: SimResponse;
    let error: string | undefined;
    try {
      response = await system.handle(simReq);
    } catch (err) {
      error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      response = system.serverErrorResponse(500);
    }
    if (decision === 'drop-after-commit') {
      // The handler ran (and committed); the client never hears about it.
      log(0, error);
      req.socket.destroy();
      return;
    }
    // The handler may have applied the fault itself (spoiled) or declined it (field cleared).
    let spoiled = simReq.responseFault;
    if (spoiled && !response.spoiled) {
      const applied = spoiledResponse(spoiled, response, system, method, `http://${req.headers.host ?? '127.0.0.1'}${url.pathname}${url.search}`);
      if (applied) response = applied;
      else spoiled = undefined;
    }
    log(response.status, error, spoiled);
    send(res, response);
  }

  function inspection(method: string, path: string, body: Buffer): SimResponse {
    try {
      if (path === '/_sandbox/state' && method === 'GET') return { status: 200, body: system.inspect() };
      if (path === '/_sandbox/requests' && method === 'GET')
        return { status: 200, body: { ...requests.summary(), recent: requests.recent() } };
      if (path === '/_sandbox/requests' && method === 'DELETE') {
        requests.reset();
        return { status: 204 };
      }
      if (path === '/_sandbox/faults' && method === 'GET')
        return { status: 200, body: opts.faults.current() };
      if (path === '/_sandbox/faults' && (method === 'PUT' || method === 'POST')) {
        const payload = (body.length ? JSON.parse(body.toString('utf8')) : {}) as {
          spec?: unknown;
          clear?: unknown;
        };
        if (payload.spec !== undefined && typeof payload.spec !== 'string')
          return {
            status: 400,
            body: { error: 'faults: "spec" must be a string like "5xx=0.1,procore:drop=0.2"' },
          };
        // Parse before clearing, so a bad spec leaves the current settings untouched.
        const parsed = payload.spec === undefined ? undefined : parseFaultSpec(payload.spec);
        if (payload.clear === true) opts.faults.clear();
        if (parsed) opts.faults.apply(parsed);
        return { status: 200, body: opts.faults.current() };
      }
      if (path === '/_sandbox/clock' && method === 'GET')
        return { status: 200, body: { now: opts.clock.now(), offsetMs: opts.clock.offsetMs() } };
      if (path === '/_sandbox/clock' && method === 'POST') {
        const payload = JSON.parse(body.toString('utf8') || '{}') as { advanceMs?: unknown };
        const advanceMs = payload.advanceMs ?? 0;
        if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0)
          return {
            status: 400,
            body: { error: `clock: "advanceMs" must be a number >= 0, got ${JSON.stringify(advanceMs)}` },
          };
        opts.clock.advance(advanceMs);
        return { status: 200, body: { now: opts.clock.now(), offsetMs: opts.clock.offsetMs() } };
      }
      return { status: 404, body: { error: `no sandbox inspection endpoint ${method} ${path}` } };
    } catch (err) {
      const status = err instanceof FaultSpecError || err instanceof SyntaxError ? 400 : 500;
      return { status, body: { error: (err as Error).message } };
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the sandbox must never be reachable from another machine.
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The kit's default response limit (connectors/_kit/http.ts), which `oversize` exceeds. */
const KIT_RESPONSE_LIMIT_BYTES = 32 * 1024 * 1024;

function bodyText(body: unknown): string {
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return JSON.stringify(body);
}

/**
 * The records of a JSON list page: the answer itself (Procore's lists) or OData's d.results
 * (Exact). A single record's answer (its nested lines) or a write's answer is no page: a
 * vendor sends a page's rows twice, not a document's lines.
 */
function pageRecordList(body: unknown): unknown[] | null {
  const d = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { d?: unknown }).d : undefined;
  const list = Array.isArray(body) ? body : d !== null && typeof d === 'object' ? ((d as { results?: unknown }).results ?? null) : null;
  return Array.isArray(list) && list.length > 0 && list.every((r) => r !== null && typeof r === 'object') ? list : null;
}

/** The answer of a handled request, spoiled as a response fault asks (faults.ts). */
/** null: the answer has nothing the fault acts on (declined, and not logged as applied). */
function spoiledResponse(fault: ResponseFault, response: SimResponse, system: SimSystem, method: string, selfUrl: string): SimResponse | null {
  const text = bodyText(response.body);
  const headers = { ...(response.headers ?? {}) };
  delete headers['content-length'];
  switch (fault) {
    case 'truncate':
      return { ...response, headers, body: text.slice(0, Math.floor(text.length / 2)) };
    case 'html':
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The server is temporarily unable to service your request.</p></body></html>' };
    case 'content-type':
      return { ...response, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }, body: text };
    case 'empty':
      return { status: 200, headers: {}, body: '' };
    case 'duplicates': {
      if (method !== 'GET' || response.body === null || typeof response.body !== 'object' || Buffer.isBuffer(response.body)) return null;
      const copy = JSON.parse(text) as unknown;
      const list = pageRecordList(copy);
      if (!list) return null;
      list.splice(0, list.length, ...list.flatMap((r) => [r, r]));
      return { ...response, headers, body: copy };
    }
    case 'repeat-cursor': {
      const link = Object.keys(headers).find((k) => k.toLowerCase() === 'link');
      if (link) headers[link] = String(headers[link]).replace(/<[^>]*>(\s*;\s*rel="next")/, `<${selfUrl}>$1`);
      if (response.body !== null && typeof response.body === 'object' && !Buffer.isBuffer(response.body)) {
        const copy = JSON.parse(text) as { d?: { __next?: unknown } };
        if (copy.d && typeof copy.d === 'object' && typeof copy.d.__next === 'string') copy.d.__next = selfUrl;
        return { ...response, headers, body: copy };
      }
      return { ...response, headers };
    }
    case 'envelope': {
      const failure = system.serverErrorResponse(500);
      return { ...failure, status: 200 };
    }
    case 'oversize':
      // Valid JSON (leading white space) a client without a limit would parse.
      return { ...response, headers, body: Buffer.concat([Buffer.alloc(KIT_RESPONSE_LIMIT_BYTES + 1, 0x20), Buffer.from(text || '{}')]) };
  }
}

function send(res: ServerResponse, r: SimResponse): void {
  res.statusCode = r.status;
  for (const [k, v] of Object.entries(r.headers ?? {}))
    res.setHeader(k, v as string | number | readonly string[]);
  if (r.body === undefined || r.status === 204 || r.status === 304) {
    res.end();
    return;
  }
  if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) {
    res.end(r.body);
    return;
  }
  if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(r.body));
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error('too large'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
