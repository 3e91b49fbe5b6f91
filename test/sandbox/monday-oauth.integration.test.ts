import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';

/**
 * The monday simulator's OAuth 2.1 (src-main/sandbox/monday/oauth.ts) over real HTTP, as monday
 * documents it: authorize with an S256 challenge and state, a single-use code exchanged with the
 * verifier at /oauth_ms/oauth/token, a JWT access token the API accepts until its `exp`, rotating
 * refresh tokens, invalid_client for a wrong secret.
 */
const REDIRECT = 'http://127.0.0.1:53682/monday/callback';
let dir: string;
let sandbox: Sandbox;
let base: string;
let client: { id: string; secret: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-monday-oauth-'));
  sandbox = await startSandbox({ dataDir: dir, systems: ['monday'], config: { monday: { oauthRedirectUris: [REDIRECT] } } });
  base = sandbox.systems.monday!.baseUrl;
  const c = sandbox.systems.monday!.credentials;
  client = { id: String(c['oauthClientId']), secret: String(c['oauthClientSecret']) };
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function authorize(params: Record<string, string>): Promise<Response> {
  const url = new URL('/oauth2/authorize', base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return fetch(url, { redirect: 'manual' });
}

async function codeFor(challenge: string, state = 'st-1'): Promise<string> {
  const answer = await authorize({ client_id: client.id, redirect_uri: REDIRECT, state, scope: 'me:read boards:read boards:write', code_challenge: challenge, code_challenge_method: 'S256' });
  expect(answer.status).toBe(302);
  const to = new URL(answer.headers.get('location')!);
  expect(to.origin + to.pathname).toBe(REDIRECT);
  expect(to.searchParams.get('state')).toBe(state);
  return to.searchParams.get('code')!;
}

const token = (body: Record<string, string>) =>
  fetch(new URL('/oauth_ms/oauth/token', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));

const me = (accessToken: string) =>
  fetch(new URL('/v2', base), { method: 'POST', headers: { 'content-type': 'application/json', authorization: accessToken, 'api-version': '2026-10' }, body: JSON.stringify({ query: '{ me { id } }' }) }).then((r) => r.status);

describe('monday simulator: OAuth 2.1', () => {
  it('code + verifier → a JWT access token the API takes and a refresh token; the code works once', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(challenge, 'state-echoed');
    const first = await token({ client_id: client.id, client_secret: client.secret, code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'Bearer', scope: 'me:read boards:read boards:write' });
    expect(first.body).not.toHaveProperty('expires_in');
    const payload = JSON.parse(Buffer.from(first.body['access_token']!.split('.')[1]!, 'base64url').toString()) as { exp: number };
    expect(payload.exp * 1000).toBeGreaterThan(Date.now() + 3_000_000);
    expect(await me(first.body['access_token']!)).toBe(200);
    const again = await token({ client_id: client.id, client_secret: client.secret, code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses a wrong secret (invalid_client), a wrong verifier and an unregistered redirect URI', async () => {
    const { verifier, challenge } = pkce();
    expect(await token({ client_id: client.id, client_secret: 'wrong', code: await codeFor(challenge), code_verifier: verifier })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await token({ client_id: client.id, client_secret: client.secret, code: await codeFor(challenge), code_verifier: pkce().verifier })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await authorize({ client_id: client.id, redirect_uri: 'http://127.0.0.1:1/elsewhere', state: 's' })).status).toBe(400);
  });

  it('refresh rotates: a new pair; the old refresh token is refused; an expired access token is not accepted', async () => {
    const { verifier, challenge } = pkce();
    const first = await token({ client_id: client.id, client_secret: client.secret, code: await codeFor(challenge), code_verifier: verifier });
    const refreshed = await token({ client_id: client.id, client_secret: client.secret, grant_type: 'refresh_token', refresh_token: first.body['refresh_token']! });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body['refresh_token']).not.toBe(first.body['refresh_token']);
    expect(await me(refreshed.body['access_token']!)).toBe(200);
    const reused = await token({ client_id: client.id, client_secret: client.secret, grant_type: 'refresh_token', refresh_token: first.body['refresh_token']! });
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // An hour later (the simulator's clock) the access token is refused; a refresh is the way on.
    sandbox.systems.monday!.clock.advance(3_601_000);
    expect(await me(refreshed.body['access_token']!)).toBe(401);
  });
});
