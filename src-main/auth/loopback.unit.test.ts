import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { startAuthorization, AuthorizationError, type PendingAuthorization } from './loopback';
import { s256 } from './pkce';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** GET with an explicit Host header (fetch does not allow overriding it). */
function get(url: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET', headers: host ? { host } : {} },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let pending: PendingAuthorization | null = null;
afterEach(() => pending?.cancel());

async function begin(redirectUri: string, timeoutMs = 5_000): Promise<{ pending: PendingAuthorization; opened: URL }> {
  let opened: URL | null = null;
  pending = await startAuthorization({
    authorizeEndpoint: 'https://start.exactonline.nl/api/oauth2/auth',
    clientId: 'client-1',
    redirectUri,
    timeoutMs,
    openBrowser: (url) => {
      opened = new URL(url);
    },
  });
  return { pending, opened: opened! };
}

describe('OAuth loopback (RFC 8252)', () => {
  it('sends state and a PKCE S256 challenge, and accepts the matching callback once', async () => {
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const { pending: p, opened } = await begin(redirectUri);
    expect(opened.searchParams.get('redirect_uri')).toBe(redirectUri);
    expect(opened.searchParams.get('code_challenge_method')).toBe('S256');
    const state = opened.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(32);

    const first = await get(`${redirectUri}?code=the-code&state=${encodeURIComponent(state)}`);
    expect(first.status).toBe(200);
    const result = await p.result;
    expect(result.code).toBe('the-code');
    expect(opened.searchParams.get('code_challenge')).toBe(s256(result.pkce.verifier));
    // One callback only: the listener is gone afterwards.
    await expect(get(`${redirectUri}?code=again&state=${encodeURIComponent(state)}`)).rejects.toThrow();
  });

  it('refuses a forged state, a foreign Host header and other paths, and keeps waiting for the real callback', async () => {
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/cb`;
    const { pending: p, opened } = await begin(redirectUri);
    const state = opened.searchParams.get('state')!;

    expect((await get(`${redirectUri}?code=evil&state=forged`)).status).toBe(400);
    expect((await get(`${redirectUri}?code=evil&state=${state}`, 'attacker.example:80')).status).toBe(400);
    expect((await get(`http://127.0.0.1:${port}/other?code=x&state=${state}`)).status).toBe(404);

    expect((await get(`${redirectUri}?code=real&state=${state}`)).status).toBe(200);
    expect((await p.result).code).toBe('real');
  });

  it('reports a provider refusal in plain words', async () => {
    const port = await freePort();
    const redirectUri = `http://localhost:${port}/callback`;
    const { pending: p, opened } = await begin(redirectUri);
    const state = opened.searchParams.get('state')!;
    await get(`http://127.0.0.1:${port}/callback?error=access_denied&error_description=User+said+no&state=${state}`, `localhost:${port}`);
    await expect(p.result).rejects.toThrow(/refused the sign-in: access_denied \(User said no\)/);
  });

  it('times out', async () => {
    const port = await freePort();
    const { pending: p } = await begin(`http://127.0.0.1:${port}/callback`, 50);
    await expect(p.result).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('with an https redirect URI, does not listen and completes from the pasted URL', async () => {
    const { pending: p, opened } = await begin('https://localhost:8443/exact/callback');
    expect(p.listening).toBe(false);
    const state = opened.searchParams.get('state')!;
    expect(() => p.completeFromPastedUrl('https://evil.example/exact/callback?code=x&state=' + state)).toThrow(
      /registered redirect URI/,
    );
    expect(() => p.completeFromPastedUrl('https://localhost:8443/exact/callback?code=x&state=nope')).toThrow(
      AuthorizationError,
    );
    const r = p.completeFromPastedUrl(`  https://localhost:8443/exact/callback?code=pasted&state=${state}  `);
    expect(r.code).toBe('pasted');
    await expect(p.result).resolves.toMatchObject({ code: 'pasted' });
  });

  it('rejects redirect URIs that do not point at this computer, and a busy port', async () => {
    await expect(begin('http://example.com:8080/callback')).rejects.toMatchObject({ reason: 'bad-redirect' });
    await expect(begin('http://127.0.0.1/callback')).rejects.toThrow(/explicit port/);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    await expect(begin(`http://127.0.0.1:${port}/callback`)).rejects.toMatchObject({ reason: 'listen-failed' });
    blocker.close();
  });
});
