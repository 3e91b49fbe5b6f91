import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import {
  BROWSER_HOST_EVENTS_PATH,
  BROWSER_HOST_IPC_PREFIX,
  BROWSER_HOST_TOKEN_HEADER,
  BROWSER_HOST_TOKEN_PARAM,
  fail,
  isIpcMethodName,
  type IpcMethodName,
  type IpcResult,
} from '../../src-shared/ipc';
import type { AnyIpcEvent, EventBus } from './event-bus';
import { attachmentHeader, DOWNLOADS_PATH_PREFIX, type DownloadOffers } from './exports';
import { isAllowedHostHeader, LOOPBACK_HOST, RENDERER_CSP, tokensMatch } from './security-policy';

/**
 * The browser host: the app's IPC contract carried over HTTP + server-sent events on
 * 127.0.0.1, for e2e tests in real Chromium and for machines without Electron.
 * See docs/decisions/0003-ipc-over-http-for-browser-host.md for the threat model.
 *
 *   GET  /?token=T        the renderer's index.html (strict CSP); the page keeps T from its URL
 *   GET  /assets/...      the built bundle (no data in it; see the ADR for why no token)
 *   POST /ipc/<method>    JSON request -> JSON envelope; header `x-ml-connector-token: T`
 *   GET  /events          server-sent events; token in the header or `?token=T`
 *   GET  /downloads/<t>   an export as a file download (CSV, streamed); the ticket <t> was handed
 *                         out by an export call that carried the token, and works once, for a minute
 */

const MAX_BODY_BYTES = 1024 * 1024;
const SSE_KEEPALIVE_MS = 25_000;

export interface BrowserHostOptions {
  /** Runs one validated call; normally `(m, r) => dispatch(m, r, ctx)`. Must not throw. */
  call(method: IpcMethodName, rawRequest: unknown): Promise<IpcResult<unknown>>;
  events: EventBus;
  /** Must be 127.0.0.1 (the default); anything else is refused before listening. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The built renderer (vite build output). Default: dist/renderer under the working directory. */
  rendererDir?: string;
  /**
   * The export downloads this host serves: give the same object to the AppContext as its
   * `exports`, so an export in the page becomes a browser download (host/exports.ts).
   */
  downloads?: DownloadOffers;
}

export interface BrowserHost {
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  token: string;
  /** The URL to open: origin + `/?token=…`. */
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  // The index URL carries the token: never send it on as a Referer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ml-connector</title></head>
<body><h1>ml-connector</h1>
<p>The user interface has not been built yet. Run <code>npm run build:renderer</code>, then reload this page.</p>
<p>The API on this address works already.</p></body></html>`;

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const host = options.host ?? LOOPBACK_HOST;
  if (host !== LOOPBACK_HOST) {
    throw new Error(`The browser host only listens on ${LOOPBACK_HOST}; refusing to bind "${host}".`);
  }
  const rendererDir = resolve(options.rendererDir ?? join(process.cwd(), 'dist', 'renderer'));
  const token = randomBytes(32).toString('base64url');
  const sseClients = new Set<ServerResponse>();
  let port = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // handle() answers every request itself; this only guards against a socket error mid-write.
      if (!res.headersSent) sendJson(res, 500, fail('internal', 'The request could not be completed.'));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAllowedHostHeader(req.headers.host, port)) {
      sendText(res, 403, 'Forbidden: unexpected Host header.');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}:${port}`);

    if (url.pathname.startsWith(BROWSER_HOST_IPC_PREFIX)) {
      if (req.method !== 'POST')
        return sendJson(res, 405, fail('invalid-request', 'Use POST for /ipc/<method>.'), { allow: 'POST' });
      if (!tokensMatch(headerValue(req, BROWSER_HOST_TOKEN_HEADER), token)) return sendUnauthorized(res);
      return handleIpc(req, res, url.pathname.slice(BROWSER_HOST_IPC_PREFIX.length));
    }
    if (url.pathname === BROWSER_HOST_EVENTS_PATH) {
      if (req.method !== 'GET')
        return sendJson(res, 405, fail('invalid-request', 'Use GET for /events.'), { allow: 'GET' });
      if (
        !tokensMatch(
          headerValue(req, BROWSER_HOST_TOKEN_HEADER) ?? url.searchParams.get(BROWSER_HOST_TOKEN_PARAM),
          token,
        )
      )
        return sendUnauthorized(res);
      return openEventStream(req, res);
    }
    if (url.pathname.startsWith(DOWNLOADS_PATH_PREFIX)) {
      // GET only: a HEAD (a link checker, a prefetch) must not use up the one-time ticket.
      if (req.method !== 'GET') return sendText(res, 405, 'Method not allowed.', { allow: 'GET' });
      return serveDownload(res, url.pathname.slice(DOWNLOADS_PATH_PREFIX.length));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed.', { allow: 'GET, HEAD' });
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!tokensMatch(url.searchParams.get(BROWSER_HOST_TOKEN_PARAM), token)) {
        return sendText(
          res,
          401,
          'Unauthorized: open the URL that `ml-connector serve` printed (it carries the token).',
        );
      }
      return serveIndex(res);
    }
    return serveAsset(res, url.pathname);
  }

  async function handleIpc(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (!isIpcMethodName(method))
      return sendJson(res, 404, fail('unknown-method', `There is no method "${method.slice(0, 80)}".`));
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.toLowerCase().startsWith('application/json')) {
      return sendJson(res, 415, fail('invalid-request', 'Send the request as application/json.'));
    }
    let body: string;
    try {
      body = await readBody(req);
    } catch (error) {
      const message = error instanceof Error ? error.message : 'The request body could not be read.';
      return sendJson(res, 413, fail('invalid-request', message), { connection: 'close' });
    }
    let request: unknown;
    try {
      request = body.trim() === '' ? undefined : JSON.parse(body);
    } catch {
      return sendJson(res, 400, fail('invalid-request', 'The request body is not valid JSON.'));
    }
    const result = await options.call(method, request);
    // 200 for every envelope: the envelope carries success or failure, like Electron's invoke.
    sendJson(res, 200, result);
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    sseClients.add(res);
    const forward = (message: AnyIpcEvent) => {
      res.write(`event: ${message.event}\ndata: ${JSON.stringify(message.payload)}\n\n`);
    };
    const unsubscribe = options.events.subscribe(forward);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    keepAlive.unref();
    const cleanup = () => {
      clearInterval(keepAlive);
      unsubscribe();
      sseClients.delete(res);
    };
    req.on('close', cleanup);
    res.on('close', cleanup);
  }

  /** Streams one export as a download; the ticket is used up whether or not the transfer completes. */
  async function serveDownload(res: ServerResponse, ticket: string): Promise<void> {
    const job = options.downloads?.take(ticket) ?? null;
    if (!job) return sendText(res, 404, 'This download has expired or was already used. Export again from the app.');
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': attachmentHeader(job.fileName),
    });
    try {
      await job.write(res);
    } catch {
      // Cut the connection: the browser marks the download failed instead of keeping a partial file.
      res.destroy();
    }
  }

  function serveIndex(res: ServerResponse): void {
    const indexPath = join(rendererDir, 'index.html');
    if (!existsSync(indexPath)) {
      return sendText(res, 200, NOT_BUILT_PAGE, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': RENDERER_CSP,
      });
    }
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': CONTENT_TYPES['.html'],
      'content-security-policy': RENDERER_CSP,
    });
    res.end(readFileSync(indexPath));
  }

  function serveAsset(res: ServerResponse, pathname: string): void {
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      return sendText(res, 400, 'Bad path.');
    }
    const filePath = resolve(rendererDir, `.${relative}`);
    // Path traversal: the resolved file must stay inside the renderer folder.
    if (!filePath.startsWith(rendererDir + sep) || !existsSync(filePath) || !statSync(filePath).isFile()) {
      return sendText(res, 404, 'Not found.');
    }
    const contentType = CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { ...BASE_HEADERS, 'content-type': contentType });
    res.end(readFileSync(filePath));
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, LOOPBACK_HOST, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${LOOPBACK_HOST}:${port}`;

  return {
    origin,
    port,
    token,
    url: `${origin}/?${BROWSER_HOST_TOKEN_PARAM}=${token}`,
    close: async () => {
      for (const client of sseClients) client.end();
      sseClients.clear();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
    },
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop buffering but keep the socket so the 413 answer still reaches the client.
        req.removeAllListeners('data');
        req.resume();
        rejectBody(new Error(`The request body is larger than ${MAX_BODY_BYTES} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', rejectBody);
  });
}

function sendUnauthorized(res: ServerResponse): void {
  sendJson(res, 401, fail('unauthorized', 'Missing or wrong browser-host token.'));
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...BASE_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    ...extraHeaders,
  });
  res.end(JSON.stringify(body));
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  extraHeaders: Record<string, string> = {},
): void {
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...extraHeaders });
  res.end(text);
}
