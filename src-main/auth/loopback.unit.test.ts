import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { request } from 'node:http';
import * as oauth from 'oauth4webapi';
import {
  startAuthorization,
  AuthorizationError,
  issuerExpectationFromMetadata,
  listenFailure,
  validateAuthorizationResponse,
  type IssuerExpectation,
  type PendingAuthorization,
} from './loopback';
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
      { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname + u.search, method: 'GET', headers: host ? { host } : {} },
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

const EXACT: IssuerExpectation = { issuer: 'https://start.exactonline.nl', required: false };

async function begin(redirectUri: string, timeoutMs = 5_000, issuer: IssuerExpectation = EXACT): Promise<{ pending: PendingAuthorization; opened: URL }> {
  let opened: URL | null = null;
  pending = await startAuthorization({
    authorizeEndpoint: 'https://start.exactonline.nl/api/oauth2/auth',
    clientId: 'client-1',
    redirectUri,
    issuer,
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

  it('RFC 9207: accepts the expected iss, and ends the attempt on a callback from another issuer without using its code', async () => {
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/cb`;
    const ok = await begin(redirectUri);
    const okState = ok.opened.searchParams.get('state')!;
    expect((await get(`${redirectUri}?code=real&state=${okState}&iss=${encodeURIComponent('https://start.exactonline.nl')}`)).status).toBe(200);
    expect((await ok.pending.result).code).toBe('real');

    const otherRedirectUri = `http://127.0.0.1:${await freePort()}/cb`;
    const mixUp = await begin(otherRedirectUri);
    const state = mixUp.opened.searchParams.get('state')!;
    // The right state (a mix-up sends the user's own attempt through another server), the wrong sender.
    expect((await get(`${otherRedirectUri}?code=evil-code&state=${state}&iss=${encodeURIComponent('https://evil.example')}`)).status).toBe(400);
    const refused = await mixUp.pending.result.catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthorizationError);
    expect(refused).toMatchObject({ reason: 'issuer-mismatch' });
    expect((refused as Error).message).toContain('came from "https://evil.example", not from https://start.exactonline.nl');
    expect((refused as Error).message).not.toContain('evil-code');
  });

  it('RFC 9207: when the server says it sends iss, a callback without it is refused (paste path too)', async () => {
    const required = { issuer: 'https://as.example', required: true };
    const { pending: p, opened } = await begin('https://localhost:8443/exact/callback', 5_000, required);
    const state = opened.searchParams.get('state')!;
    expect(() => p.completeFromPastedUrl(`https://localhost:8443/exact/callback?code=x&state=${state}`)).toThrow(/does not say which server sent it/);
    expect(p.completeFromPastedUrl(`https://localhost:8443/exact/callback?code=x&state=${state}&iss=https%3A%2F%2Fas.example`).code).toBe('x');
  });

  it('refuses a callback that carries code, state or iss twice', () => {
    const expected = { state: 's1', issuer: EXACT };
    expect(validateAuthorizationResponse(new URLSearchParams('code=a&code=b&state=s1'), expected)).toMatchObject({ reason: 'bad-redirect' });
    expect(validateAuthorizationResponse(new URLSearchParams('code=a&state=s1&state=s1'), expected)).toMatchObject({ reason: 'state-mismatch' });
    expect(validateAuthorizationResponse(new URLSearchParams('code=a&state=s1&iss=https%3A%2F%2Fstart.exactonline.nl&iss=x'), expected)).toMatchObject({ reason: 'bad-redirect' });
    expect(validateAuthorizationResponse(new URLSearchParams('code=a&state=s1'), expected)).toEqual({ code: 'a' });
  });

  it('reads the issuer expectation from the server metadata (RFC 8414 / discovery)', () => {
    expect(issuerExpectationFromMetadata({ issuer: 'https://as.example', authorization_response_iss_parameter_supported: true })).toEqual({ issuer: 'https://as.example', required: true });
    expect(issuerExpectationFromMetadata({ issuer: 'https://as.example' })).toEqual({ issuer: 'https://as.example', required: false });
    expect(() => issuerExpectationFromMetadata({})).toThrow(/names no issuer/);
  });

  it('[::1]: listens on the IPv6 loopback the redirect names (RFC 8252 §7.3), or refuses it before the browser opens', async () => {
    const port = await freePort();
    const redirectUri = `http://[::1]:${port}/cb`;
    if (await ipv6LoopbackAvailable()) {
      const { pending: p, opened } = await begin(redirectUri);
      expect(opened.searchParams.get('redirect_uri')).toBe(redirectUri);
      const state = opened.searchParams.get('state')!;
      // Not on 127.0.0.1: nothing listens there, so nothing there can take the callback.
      await expect(get(`http://127.0.0.1:${port}/cb?code=x&state=${state}`)).rejects.toThrow();
      expect((await get(`${redirectUri}?code=real&state=${state}`)).status).toBe(200);
      expect((await p.result).code).toBe('real');
    } else {
      let opened = false;
      const refused = await startAuthorization({ authorizeEndpoint: 'https://start.exactonline.nl/api/oauth2/auth', clientId: 'c', redirectUri, issuer: EXACT, openBrowser: () => void (opened = true) }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ reason: 'bad-redirect' });
      expect((refused as Error).message).toContain(`Register http://127.0.0.1:${port}/cb`);
      expect(opened).toBe(false);
    }
  });

  it('a [::1] redirect on a computer without IPv6 loopback is refused in words that name the IPv4 address to register', () => {
    const noIpv6 = Object.assign(new Error('listen EADDRNOTAVAIL: address not available ::1:47913'), { code: 'EADDRNOTAVAIL' });
    const refusal = listenFailure(noIpv6, new URL('http://[::1]:47913/callback'));
    expect(refusal.reason).toBe('bad-redirect');
    expect(refusal.message).toBe(
      'This computer has no IPv6 loopback address (::1), so the browser could not come back to http://[::1]:47913/callback. Register http://127.0.0.1:47913/callback as the redirect URI with the provider and use that one here.',
    );
    const busy = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    expect(listenFailure(busy, new URL('http://[::1]:47913/callback'))).toMatchObject({ reason: 'listen-failed', message: expect.stringContaining('Cannot listen on [::1]:47913') });
  });
});

async function ipv6LoopbackAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port: 0, host: '::1', ipv6Only: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * A second reading of RFC 6749 §4.1.2 and RFC 9207: oauth4webapi's validateAuthResponse (a
 * maintained library, decision 0026) must accept and refuse the same callbacks as ours.
 */
describe('authorization-response checks agree with oauth4webapi', () => {
  const as = (required: boolean): oauth.AuthorizationServer => ({ issuer: 'https://as.example', authorization_response_iss_parameter_supported: required });
  const client: oauth.Client = { client_id: 'c1' };
  const cases: [string, string, boolean][] = [
    ['code and state', 'code=c&state=s1', false],
    ['code, state and the right iss', 'code=c&state=s1&iss=https%3A%2F%2Fas.example', false],
    ['code, state and the right iss (required)', 'code=c&state=s1&iss=https%3A%2F%2Fas.example', true],
    ['no iss although required', 'code=c&state=s1', true],
    ['another issuer', 'code=c&state=s1&iss=https%3A%2F%2Fevil.example', false],
    ['another issuer (required)', 'code=c&state=s1&iss=https%3A%2F%2Fevil.example', true],
    ['an issuer differing in a trailing slash', 'code=c&state=s1&iss=https%3A%2F%2Fas.example%2F', false],
    ['an issuer differing in case', 'code=c&state=s1&iss=https%3A%2F%2FAS.example', false],
    ['the wrong state', 'code=c&state=s2', false],
    ['no state', 'code=c', false],
    ['state twice', 'code=c&state=s1&state=s1', false],
    ['iss twice', 'code=c&state=s1&iss=https%3A%2F%2Fas.example&iss=https%3A%2F%2Fas.example', false],
    ['an error', 'error=access_denied&state=s1', false],
    ['an error from another issuer', 'error=access_denied&state=s1&iss=https%3A%2F%2Fevil.example', false],
  ];
  for (const [name, query, required] of cases) {
    it(name, () => {
      const params = new URLSearchParams(query);
      let theirs: 'accepted' | 'refused';
      try {
        oauth.validateAuthResponse(as(required), client, params, 's1');
        theirs = 'accepted';
      } catch {
        theirs = 'refused';
      }
      const ours = validateAuthorizationResponse(params, { state: 's1', issuer: { issuer: 'https://as.example', required } });
      expect(ours instanceof AuthorizationError ? 'refused' : 'accepted').toBe(theirs);
    });
  }
});
