import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_HOST_TOKEN_HEADER, type IpcEventPayload } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';
import { dispatch } from '../../src-main/host/handlers';
import { RENDERER_CSP } from '../../src-main/host/security-policy';
import { createHttpBridge } from '../../src-renderer/ipc/client';

let dataDir: string;
let rendererDir: string;
let ctx: ReturnType<typeof createAppContext>;
let host: BrowserHost;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-host-'));
  rendererDir = join(dataDir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><script type="module" src="./assets/app.js"></script>',
  );
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
  writeFileSync(join(dataDir, 'outside.txt'), 'not for the browser');
  ctx = createAppContext({
    dataDir,
    credentials: new InMemoryCredentialStore(),
    appVersion: '0.0.1-test',
    log: silentLogger,
  });
  host = await startBrowserHost({
    call: (method, request) => dispatch(method, request, ctx),
    events: ctx.events,
    rendererDir,
  });
});

afterAll(async () => {
  await host.close();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Raw HTTP (fetch cannot send a foreign Host header or an un-normalised path). */
function raw(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: host.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const post = (
  method: string,
  body: unknown,
  headers: Record<string, string> = { [BROWSER_HOST_TOKEN_HEADER]: host.token },
) =>
  fetch(`${host.origin}/ipc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('browser host: binding and token', () => {
  it('listens on 127.0.0.1 with a fresh 32-byte base64url token in the printed URL', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(host.url).toBe(`${host.origin}/?token=${host.token}`);
  });

  it.each(['0.0.0.0', '::', 'localhost', '192.168.1.10', '::1'])('refuses to bind %s', async (address) => {
    await expect(
      startBrowserHost({ call: async () => ({ ok: true, value: null }), events: ctx.events, host: address }),
    ).rejects.toThrow(/only listens on 127\.0\.0\.1/);
  });

  it('each launch gets its own token', async () => {
    const other = await startBrowserHost({
      call: async () => ({ ok: true, value: null }),
      events: ctx.events,
      rendererDir,
    });
    try {
      expect(other.token).not.toBe(host.token);
      const withOldToken = await fetch(`${other.origin}/ipc/app.status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [BROWSER_HOST_TOKEN_HEADER]: host.token },
        body: '{}',
      });
      expect(withOldToken.status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('answers 401 without a token and with a wrong one, 200 with the right one', async () => {
    const missing = await post('app.status', {}, {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      ok: false,
      error: { code: 'unauthorized', message: expect.any(String) },
    });
    const wrongSameLength = host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A');
    expect((await post('app.status', {}, { [BROWSER_HOST_TOKEN_HEADER]: wrongSameLength })).status).toBe(401);
    expect((await post('app.status', {}, { [BROWSER_HOST_TOKEN_HEADER]: 'short' })).status).toBe(401);
    const good = await post('app.status', {});
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ ok: true, value: { appVersion: '0.0.1-test', dataDir } });
  });

  it('refuses a foreign Host header (DNS rebinding) even with the right token', async () => {
    const headers = { 'content-type': 'application/json', [BROWSER_HOST_TOKEN_HEADER]: host.token };
    const rebound = await raw('/ipc/app.status', {
      method: 'POST',
      headers: { ...headers, host: `evil.example:${host.port}` },
      body: '{}',
    });
    expect(rebound.status).toBe(403);
    const otherPort = await raw('/ipc/app.status', {
      method: 'POST',
      headers: { ...headers, host: `127.0.0.1:${host.port + 1}` },
      body: '{}',
    });
    expect(otherPort.status).toBe(403);
    const localhost = await raw('/ipc/app.status', {
      method: 'POST',
      headers: { ...headers, host: `localhost:${host.port}` },
      body: '{}',
    });
    expect(localhost.status).toBe(200);
  });

  it('the token on the page URL opens the index (with the strict CSP); the bundle itself is public', async () => {
    expect((await fetch(`${host.origin}/`)).status).toBe(401);
    expect((await fetch(`${host.origin}/?token=nope`)).status).toBe(401);
    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('./assets/app.js');
    const asset = await fetch(`${host.origin}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
  });

  it('never serves files outside the renderer folder', async () => {
    expect((await raw('/..%2foutside.txt')).status).toBe(404);
    expect((await raw('/../outside.txt')).status).toBe(404);
    expect((await raw('/assets/../../outside.txt')).status).toBe(404);
    expect((await raw('/assets/missing.js')).status).toBe(404);
  });
});

describe('browser host: the IPC contract over HTTP', () => {
  it('refuses non-JSON bodies (no simple cross-site form posts), bad JSON, unknown methods and GET', async () => {
    const headers = { [BROWSER_HOST_TOKEN_HEADER]: host.token };
    const textPlain = await fetch(`${host.origin}/ipc/app.status`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(textPlain.status).toBe(415);
    const badJson = await fetch(`${host.origin}/ipc/app.status`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const unknown = await post('connections.dropAll', {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect((await fetch(`${host.origin}/ipc/app.status`, { headers })).status).toBe(405);
  });

  it('carries invalid-request envelopes from dispatch unchanged', async () => {
    const response = await post('connections.save', { system: 'nope' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('round-trips through the renderer client, and delivers connection.changed over SSE after connections.save', async () => {
    const bridge = createHttpBridge({ baseUrl: host.origin, token: host.token, reconnectDelayMs: 50 });
    const status = await bridge['app.status']();
    expect(status).toMatchObject({ ok: true, value: { appVersion: '0.0.1-test' } });

    const changes: IpcEventPayload<'connection.changed'>[] = [];
    let progressSeen = false;
    const offChanged = bridge.on('connection.changed', (payload) => changes.push(payload));
    const offProgress = bridge.on('run.progress', () => {
      progressSeen = true;
    });
    try {
      // Wait until the stream is live: emit probe events until one arrives.
      await waitFor(() => {
        ctx.events.emit('run.progress', {
          runId: 'probe',
          flow: 'F1',
          phase: 'reading',
          processed: 0,
          total: null,
          counts: { created: 0, updated: 0, unchanged: 0, parked: 0, failed: 0 },
        });
        return progressSeen;
      });
      const saved = await bridge['connections.save']({
        system: 'coupa',
        label: 'Coupa EU',
        mode: 'sandbox',
        secrets: { clientSecret: 'coupa-s3cret' },
      });
      expect(saved.ok).toBe(true);
      if (!saved.ok) return;
      expect(saved.value.connection.secrets).toEqual({ clientSecret: true, accessToken: false });
      expect(JSON.stringify(saved)).not.toContain('coupa-s3cret');
      await waitFor(() => changes.length > 0);
      expect(changes).toEqual([{ id: saved.value.connection.id, change: 'saved' }]);
    } finally {
      offChanged();
      offProgress();
    }
  });

  it('requires the token on /events too (header or query)', async () => {
    expect((await fetch(`${host.origin}/events`)).status).toBe(401);
    const controller = new AbortController();
    const stream = await fetch(`${host.origin}/events?token=${host.token}`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const first = await stream.body!.getReader().read();
    expect(new TextDecoder().decode(first.value)).toContain(': connected');
    controller.abort();
  });

  it('the client reports an unreachable app as unavailable instead of throwing', async () => {
    const closed = await startBrowserHost({
      call: async () => ({ ok: true, value: null }),
      events: ctx.events,
    });
    await closed.close();
    const bridge = createHttpBridge({ baseUrl: closed.origin, token: closed.token });
    expect(await bridge['app.status']()).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});

describe('browser host without a built renderer', () => {
  it('serves a page that says how to build it', async () => {
    const bare = await startBrowserHost({
      call: async () => ({ ok: true, value: null }),
      events: ctx.events,
      rendererDir: join(dataDir, 'no-such-dir'),
    });
    try {
      const page = await fetch(bare.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('npm run build:renderer');
    } finally {
      await bare.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
