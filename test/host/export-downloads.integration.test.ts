import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_HOST_TOKEN_HEADER, type ExportedFile } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';
import { DownloadOffers } from '../../src-main/host/exports';
import { dispatch } from '../../src-main/host/handlers';
import { seedDemo } from '../e2e/support/seed';

/**
 * Exports in the browser host land as browser downloads: the export call (with the page's token)
 * answers with a one-time address, and GET on it streams the CSV as an attachment, once.
 */
let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;
let host: BrowserHost;
let downloads: DownloadOffers;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-downloads-'));
  ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), appVersion: '0.0.1-test', log: silentLogger });
  seedDemo(ctx.store); // 300 audit entries, 30 of them failed; a cost mapping table
  downloads = new DownloadOffers();
  ctx.exports = downloads;
  host = await startBrowserHost({ call: (method, request) => dispatch(method, request, ctx), events: ctx.events, downloads });
});

afterAll(async () => {
  await host.close();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function ipc(method: string, body: unknown, token: string | null = host.token) {
  const response = await fetch(`${host.origin}/ipc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { [BROWSER_HOST_TOKEN_HEADER]: token } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { ok: boolean; value?: ExportedFile } };
}

/** Raw GET/HEAD (to see the headers exactly as sent, and send a foreign Host header). */
function raw(path: string, method = 'GET', headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; chunks: number }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), chunks: chunks.length }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Export CSV in the browser host', () => {
  it('answers with a one-time download; the download streams the Excel-safe CSV as an attachment, once', async () => {
    const { body } = await ipc('audit.exportCsv', { filter: { status: 'failed' } });
    expect(body.ok).toBe(true);
    const exported = body.value!;
    expect(exported).toMatchObject({ delivery: 'download', path: null, rows: 30, fileName: expect.stringMatching(/^audit-\d{4}-\d\d-\d\dT[\d-]+Z\.csv$/) });
    expect(exported.downloadUrl).toMatch(/^\/downloads\/[A-Za-z0-9_-]{43}$/);

    // HEAD (a prefetch, a link checker) does not use the ticket up.
    expect((await raw(exported.downloadUrl!, 'HEAD')).status).toBe(405);

    const file = await raw(exported.downloadUrl!);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="${exported.fileName}"; filename*=UTF-8''${exported.fileName}`);
    expect(file.headers['cache-control']).toBe('no-store');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    // Streamed as it is read from the data folder: no length known up front.
    expect(file.headers['transfer-encoding']).toBe('chunked');
    expect(file.headers['content-length']).toBeUndefined();
    const text = file.body.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(31); // header + 30 failed entries
    expect(lines.slice(1).every((line) => line.includes(',failed,'))).toBe(true);

    // Once only: the same address again finds nothing, in words.
    const again = await raw(exported.downloadUrl!);
    expect(again.status).toBe(404);
    expect(again.body.toString()).toBe('This download has expired or was already used. Export again from the app.');
    expect(downloads.pending).toBe(0);
    // Nothing was written into the data folder.
    expect(existsSync(join(dataDir, 'exports'))).toBe(false);
  });

  it('gives no download without the page token, and none for a made-up or foreign-host address', async () => {
    const refused = await ipc('audit.exportCsv', {}, null);
    expect(refused.status).toBe(401);
    expect(downloads.pending).toBe(0);

    expect((await raw(`/downloads/${'A'.repeat(43)}`)).status).toBe(404);
    const { body } = await ipc('audit.exportCsv', {});
    const url = body.value!.downloadUrl!;
    expect((await raw(url, 'GET', { host: 'evil.example:80' })).status).toBe(403);
    expect((await raw(url)).status).toBe(200); // the refused request did not use it up
  });

  it('a reconciliation exports the report on screen, and says what to do when there is none yet', async () => {
    const response = await fetch(`${host.origin}/ipc/reconcile.exportCsv`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [BROWSER_HOST_TOKEN_HEADER]: host.token },
      body: JSON.stringify({ flow: 'exact-procore' }),
    });
    expect(await response.json()).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no reconciliation of this flow yet: press “Reconcile now”, then export it.' },
    });
    expect(downloads.pending).toBe(0);
  });

  it('a mapping table downloads the same way', async () => {
    const { body } = await ipc('mappings.exportCsv', { flow: 'exact-procore', set: 'costs' });
    expect(body.value).toMatchObject({ delivery: 'download', rows: 1, fileName: expect.stringMatching(/^mappings-exact-procore-costs-v1-.*\.csv$/) });
    const file = await raw(body.value!.downloadUrl!);
    expect(file.status).toBe(200);
    expect(file.body.toString('utf8')).toBe('\ufeffglAccountCode,costCenterCode,costUnitCode,costCode,lineItemTypeCode\r\n4000,KST-10,,01-100,M\r\n');
  });
});
