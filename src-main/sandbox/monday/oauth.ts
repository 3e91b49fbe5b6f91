import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimRequest, SimResponse } from '../_common/sim-server';

/**
 * monday.com's OAuth 2.1 for apps, as monday documents it (developer.monday.com "OAuth 2.1" and
 * "Migrating to the new OAuth 2.1 flow"; monday's own migration skill, repository
 * mondaycom/agentic-monday): every app created since OAuth 2.1 became the default uses it.
 *   GET  /oauth2/authorize        client_id, redirect_uri, state, scope, code_challenge (S256);
 *                                 approves at once (the sandbox has no consent page): 302 to
 *                                 redirect_uri?code&state, state echoed.
 *   POST /oauth_ms/oauth/token    JSON body. Code exchange: client_id, client_secret, code,
 *                                 redirect_uri, code_verifier → access_token (a JWT whose `exp`
 *                                 says when it expires; no expires_in), refresh_token,
 *                                 token_type "Bearer", scope. The code is single use.
 *                                 grant_type "refresh_token": a new access token AND a new refresh
 *                                 token; the old refresh token stops working (rotation).
 * A wrong client secret is `invalid_client` (401); a used, unknown or mismatched code or refresh
 * token is `invalid_grant` (400). Not confirmed from monday's pages (so configurable): the access
 * token's lifetime (a third party reports 3600 s), the code's lifetime, the exact error bodies.
 * Grants live in memory: a restarted simulator forgets them (the user signs in again).
 * The legacy flow (POST /oauth2/token, tokens that never expire) is not simulated: monday stopped
 * accepting its tokens (third-party migration guides: 2026-10-01; monday: from API 2027-04).
 */
export interface MondayOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Redirect URIs registered for the app; a request naming another is refused. */
  redirectUris: readonly string[];
  accessTokenTtlSeconds: number;
  codeTtlSeconds: number;
  now: () => number;
}

interface Code {
  redirectUri: string;
  challenge: string | null;
  scope: string;
  expiresAt: number;
}

export interface OAuthAccess {
  scope: string;
  expiresAt: number;
}

const hash = (secret: string): string => createHash('sha256').update(secret).digest('hex');
const newSecret = (): string => randomBytes(32).toString('base64url');
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function oauthError(status: number, error: string, description: string): SimResponse {
  return { status, headers: { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' }, body: { error, error_description: description } };
}

export class MondayOAuth {
  readonly #codes = new Map<string, Code>();
  readonly #access = new Map<string, OAuthAccess>();
  /** Refresh tokens by hash: the scope they carry, or 'used' once rotated. */
  readonly #refresh = new Map<string, { scope: string } | 'used'>();

  constructor(private readonly config: MondayOAuthConfig) {}

  handles(req: SimRequest): boolean {
    return req.path === '/oauth2/authorize' || req.path === '/oauth_ms/oauth/token';
  }

  handle(req: SimRequest): SimResponse {
    if (req.path === '/oauth2/authorize') return req.method === 'GET' ? this.#authorize(req) : oauthError(405, 'invalid_request', 'Use GET.');
    return req.method === 'POST' ? this.#token(req) : oauthError(405, 'invalid_request', 'Use POST.');
  }

  /** Who an access token speaks for, while it has not expired; null otherwise. */
  accessFor(token: string): OAuthAccess | null {
    const access = this.#access.get(hash(token));
    return access && access.expiresAt > this.config.now() ? access : null;
  }

  /** Every issued access token expires now (tests: the refresh path). */
  expireAccessTokens(): void {
    for (const access of this.#access.values()) access.expiresAt = 0;
  }

  #authorize(req: SimRequest): SimResponse {
    const q = req.query;
    const page = (text: string): SimResponse => ({ status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text });
    if (q.get('client_id') !== this.config.clientId) return page('This app is not known to monday.com (client_id).');
    const redirectUri = q.get('redirect_uri') ?? this.config.redirectUris[0] ?? '';
    if (!this.config.redirectUris.includes(redirectUri)) return page('The redirect URI is not one of the app\u2019s redirect URLs.');
    const method = q.get('code_challenge_method');
    const challenge = q.get('code_challenge');
    if (challenge && method !== 'S256') return page('Only the S256 code challenge method is supported.');
    const code = newSecret();
    this.#codes.set(hash(code), { redirectUri, challenge, scope: q.get('scope') ?? 'me:read boards:read', expiresAt: this.config.now() + this.config.codeTtlSeconds * 1000 });
    const to = new URL(redirectUri);
    to.searchParams.set('code', code);
    const state = q.get('state');
    if (state !== null) to.searchParams.set('state', state);
    return { status: 302, headers: { location: to.toString(), 'cache-control': 'no-store' } };
  }

  #token(req: SimRequest): SimResponse {
    let body: Record<string, unknown>;
    try {
      const contentType = String(req.headers['content-type'] ?? '');
      body = contentType.includes('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(req.text()))
        : ((req.json() ?? {}) as Record<string, unknown>);
    } catch {
      return oauthError(400, 'invalid_request', 'The body is not JSON.');
    }
    const text = (name: string): string => (typeof body[name] === 'string' ? (body[name] as string) : '');
    if (text('client_id') !== this.config.clientId || !same(text('client_secret'), this.config.clientSecret))
      return oauthError(401, 'invalid_client', 'Client authentication failed.');
    const grant = text('grant_type') || 'authorization_code';
    if (grant === 'refresh_token') {
      const key = hash(text('refresh_token'));
      const stored = this.#refresh.get(key);
      if (!stored || stored === 'used') return oauthError(400, 'invalid_grant', 'The refresh token is invalid, revoked or already used.');
      this.#refresh.set(key, 'used');
      return this.#issue(stored.scope);
    }
    if (grant !== 'authorization_code') return oauthError(400, 'unsupported_grant_type', `Grant type "${grant}" is not supported.`);
    const key = hash(text('code'));
    const code = this.#codes.get(key);
    // Single use: whatever happens next, this code is spent.
    this.#codes.delete(key);
    if (!code || code.expiresAt <= this.config.now()) return oauthError(400, 'invalid_grant', 'The authorization code is invalid, expired or already used.');
    if (text('redirect_uri') && text('redirect_uri') !== code.redirectUri) return oauthError(400, 'invalid_grant', 'The redirect URI does not match the authorization request.');
    if (code.challenge !== null) {
      const verifier = text('code_verifier');
      if (!verifier || createHash('sha256').update(verifier).digest('base64url') !== code.challenge)
        return oauthError(400, 'invalid_grant', 'The code verifier does not match the code challenge.');
    }
    return this.#issue(code.scope);
  }

  #issue(scope: string): SimResponse {
    const now = this.config.now();
    const expiresAt = now + this.config.accessTokenTtlSeconds * 1000;
    // JWT-shaped (clients read `exp`); the signature is random: nobody but this server checks it.
    const accessToken = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp: Math.floor(expiresAt / 1000), iat: Math.floor(now / 1000), scope })}.${newSecret()}`;
    const refreshToken = newSecret();
    this.#access.set(hash(accessToken), { scope, expiresAt });
    this.#refresh.set(hash(refreshToken), { scope });
    return {
      status: 200,
      headers: { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' },
      body: { access_token: accessToken, refresh_token: refreshToken, token_type: 'Bearer', scope },
    };
  }
}
