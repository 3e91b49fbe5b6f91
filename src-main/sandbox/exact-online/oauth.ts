import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimClock } from '../_common/clock';
import type { SimCollection, SimStore } from '../_common/sim-store';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import type { ExactConfig } from './config';

/**
 * Exact's OAuth 2.0 authorization-code flow (fact sheet §1.2, Part 3 items 1–2):
 *   GET  /api/oauth2/auth   approves at once (302 to redirect_uri?code&state) or serves a
 *                           consent page (config.consentPage) whose form POSTs back here;
 *                           every redirect also carries `iss` (RFC 9207, config.issParameter).
 *   POST /api/oauth2/token  authorization_code and refresh_token grants, body credentials,
 *                           `expires_in` as a string, strict refresh-token rotation, the
 *                           too-early rule, 30-day refresh-token expiry, N token calls per day.
 * Only SHA-256 hashes of codes and tokens are stored, never the secrets themselves.
 */
export interface ExactIdentity {
  clientId: string;
  clientSecret: string;
  userId: string;
  division: number;
}

/** Who an access token speaks for. */
export interface AccessGrant {
  clientId: string;
  userId: string;
  division: number;
}

interface StoredCode {
  clientId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
  codeChallenge: string | null;
}

interface StoredAccessToken {
  clientId: string;
  userId: string;
  expiresAt: number;
  /** Tokens of an older generation were killed by expireTokens(). */
  generation: number;
}

interface StoredRefreshToken {
  clientId: string;
  userId: string;
  expiresAt: number;
  status: 'active' | 'used';
  /** The access token issued together with this refresh token (drives the too-early rule). */
  accessExpiresAt: number;
  accessGeneration: number;
}

const CODES = 'oauth_codes';
const ACCESS = 'oauth_access_tokens';
const REFRESH = 'oauth_refresh_tokens';
const GENERATION = 'oauth:generation';

export const OAUTH_COLLECTIONS = [CODES, ACCESS, REFRESH] as const;

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'Cache-Control': 'no-store', ...headers }, body: { error, error_description: description } };
}

function htmlPage(status: number, title: string, bodyHtml: string): SimResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class ExactOAuth {
  private readonly codes: SimCollection<StoredCode>;
  private readonly access: SimCollection<StoredAccessToken>;
  private readonly refresh: SimCollection<StoredRefreshToken>;

  constructor(
    private readonly store: SimStore,
    private readonly clock: SimClock,
    private readonly config: ExactConfig,
    private readonly identity: ExactIdentity,
  ) {
    this.codes = store.collection<StoredCode>(CODES);
    this.access = store.collection<StoredAccessToken>(ACCESS);
    this.refresh = store.collection<StoredRefreshToken>(REFRESH);
    if (config.initialRefreshToken && !this.refresh.has(hash(config.initialRefreshToken))) {
      this.refresh.put(hash(config.initialRefreshToken), {
        clientId: identity.clientId,
        userId: identity.userId,
        expiresAt: clock.now() + config.refreshTokenTtlMs,
        status: 'active',
        accessExpiresAt: 0,
        accessGeneration: 0,
      });
    }
  }

  private generation(): number {
    return this.store.getMeta<number>(GENERATION) ?? 0;
  }

  /** Fault `expire`: every access token issued so far stops working now. */
  expireAccessTokens(): void {
    this.store.setMeta(GENERATION, this.generation() + 1);
  }

  /** The grant behind a Bearer token, or null when it is unknown, expired or killed. */
  authenticate(authorization: string | undefined): AccessGrant | null {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return null;
    const token = this.access.get(hash(match[1] as string));
    if (!token || token.generation < this.generation() || token.expiresAt <= this.clock.now()) return null;
    return { clientId: token.clientId, userId: token.userId, division: this.identity.division };
  }

  /** The issuer identifier: configured, or the origin this request reached (the simulator's base URL). */
  issuer(req: SimRequest): string {
    if (this.config.issuer) return this.config.issuer;
    try {
      return new URL(`http://${String(req.headers.host ?? '127.0.0.1')}`).origin;
    } catch {
      return 'http://127.0.0.1';
    }
  }

  private redirectUriAccepted(uri: string): boolean {
    if (uri === this.config.redirectUri) return true;
    if (!this.config.allowAnyLoopbackPort) return false;
    try {
      const given = new URL(uri);
      const registered = new URL(this.config.redirectUri);
      return (
        given.hostname === '127.0.0.1' &&
        given.protocol === registered.protocol &&
        given.pathname === registered.pathname &&
        given.search === '' &&
        given.hash === '' &&
        given.username === '' &&
        given.password === ''
      );
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // /api/oauth2/auth

  handleAuthorize(req: SimRequest): SimResponse {
    const params = req.method === 'POST' ? new URLSearchParams(req.text()) : req.query;
    const get = (name: string): string => params.get(name) ?? '';
    const clientId = get('client_id');
    const redirectUri = get('redirect_uri');
    if (clientId !== this.identity.clientId) {
      return htmlPage(400, 'Invalid client', `<p>The client_id "${escapeHtml(clientId)}" is not a registered app.</p>`);
    }
    if (!this.redirectUriAccepted(redirectUri)) {
      return htmlPage(400, 'Invalid redirect URI', `<p>Callback URI "${escapeHtml(redirectUri)}" is not valid: it must equal the URI registered for this app.</p>`);
    }
    const state = params.get('state');
    const redirectWith = (values: Record<string, string>): SimResponse => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(values)) target.searchParams.set(k, v);
      if (state !== null) target.searchParams.set('state', state);
      if (this.config.issParameter) target.searchParams.set('iss', this.issuer(req));
      return { status: 302, headers: { Location: target.toString(), 'Cache-Control': 'no-store' } };
    };
    if (get('response_type') !== 'code') {
      return redirectWith({ error: 'unsupported_response_type', error_description: 'response_type must be "code".' });
    }
    const forceLogin = params.get('force_login');
    if (forceLogin !== null && forceLogin !== '0' && forceLogin !== '1') {
      return redirectWith({ error: 'invalid_request', error_description: 'force_login must be 0 or 1.' });
    }
    const challenge = params.get('code_challenge');
    const method = params.get('code_challenge_method');
    if (this.config.pkce === 'required' && !challenge) {
      return redirectWith({ error: 'invalid_request', error_description: 'code_challenge is required (PKCE).' });
    }
    if (challenge && this.config.pkce !== 'ignored' && method !== 'S256') {
      return redirectWith({ error: 'invalid_request', error_description: 'code_challenge_method must be S256.' });
    }

    if (this.config.consentPage && req.method !== 'POST') {
      const hidden = ['client_id', 'redirect_uri', 'response_type', 'state', 'code_challenge', 'code_challenge_method', 'force_login']
        .filter((name) => params.get(name) !== null)
        .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name) ?? '')}">`)
        .join('');
      return htmlPage(
        200,
        'Exact Online (sandbox): allow access?',
        `<p>The app wants to read and write the administration ${this.identity.division}.</p>` +
          `<form method="post" action="/api/oauth2/auth">${hidden}` +
          `<button type="submit" name="decision" value="approve">Approve</button> ` +
          `<button type="submit" name="decision" value="deny">Deny</button></form>`,
      );
    }
    if (req.method === 'POST' && get('decision') !== 'approve') {
      return redirectWith({ error: 'access_denied', error_description: 'The user denied access.' });
    }

    const code = newSecret();
    this.codes.put(hash(code), {
      clientId,
      redirectUri,
      expiresAt: this.clock.now() + this.config.codeTtlMs,
      used: false,
      codeChallenge: challenge && this.config.pkce !== 'ignored' ? challenge : null,
    });
    return redirectWith({ code });
  }

  // ---------------------------------------------------------------------------------------
  // /api/oauth2/token

  handleToken(req: SimRequest): SimResponse {
    if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'Use POST for the token endpoint.');
    const contentType = String(req.headers['content-type'] ?? '');
    if (!contentType.startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'The token request body must be application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(req.text());
    const clientId = form.get('client_id') ?? '';
    const clientSecret = form.get('client_secret') ?? '';
    if (clientId !== this.identity.clientId || !sameText(clientSecret, this.identity.clientSecret)) {
      return oauthError(401, 'invalid_client', 'Unknown client_id or wrong client_secret.');
    }
    const quota = this.spendTokenCall(clientId);
    if (quota) return quota;
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') return this.exchangeCode(form, clientId);
    if (grantType === 'refresh_token') return this.refreshGrant(form, clientId);
    return oauthError(400, 'unsupported_grant_type', `grant_type "${grantType ?? ''}" is not supported; use authorization_code or refresh_token.`);
  }

  /** Every token-endpoint call of an app counts, failures included (Part 3 item 2). */
  private spendTokenCall(clientId: string): SimResponse | null {
    const key = `oauth:tokencalls:${clientId}`;
    const day = Math.floor(this.clock.now() / 86_400_000);
    const stored = this.store.getMeta<{ day: number; count: number }>(key);
    const count = stored && stored.day === day ? stored.count : 0;
    if (count >= this.config.tokenCallsPerDay) {
      // Status and wording of this answer are unconfirmed upstream.
      return oauthError(429, 'access_denied', `Rate limit exceeded: the maximum of ${this.config.tokenCallsPerDay} token requests per day was reached.`);
    }
    this.store.setMeta(key, { day, count: count + 1 });
    return null;
  }

  private exchangeCode(form: URLSearchParams, clientId: string): SimResponse {
    const code = form.get('code') ?? '';
    const codeKey = hash(code);
    const stored = this.codes.get(codeKey);
    if (!stored || stored.clientId !== clientId) return oauthError(400, 'invalid_grant', 'The authorization code is invalid.');
    if (stored.used) return oauthError(400, 'invalid_grant', 'The authorization code has already been used.');
    // A code is spent by its first exchange attempt, successful or not.
    this.codes.put(codeKey, { ...stored, used: true });
    if (stored.expiresAt <= this.clock.now()) return oauthError(400, 'invalid_grant', 'The authorization code has expired.');
    if (form.get('redirect_uri') !== stored.redirectUri) {
      return oauthError(400, 'invalid_grant', 'redirect_uri does not match the one used in the authorization request.');
    }
    if (stored.codeChallenge !== null) {
      const verifier = form.get('code_verifier');
      if (!verifier) return oauthError(400, 'invalid_grant', 'code_verifier is required for this authorization code.');
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (!sameText(computed, stored.codeChallenge)) return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge.');
    }
    return this.issueTokens(clientId, this.identity.userId);
  }

  private refreshGrant(form: URLSearchParams, clientId: string): SimResponse {
    const presented = form.get('refresh_token') ?? '';
    const key = hash(presented);
    const stored = this.refresh.get(key);
    const now = this.clock.now();
    if (!stored || stored.clientId !== clientId) return oauthError(400, 'invalid_grant', 'The refresh token is invalid.');
    if (stored.status === 'used') return oauthError(401, 'unauthorized_client', 'Old refresh token used.');
    if (stored.expiresAt <= now) {
      return oauthError(
        400,
        'invalid_request',
        `The refresh token expired at ${new Date(stored.expiresAt).toISOString()} and it is now ${new Date(now).toISOString()}.`,
      );
    }
    const accessStillAlive = stored.accessGeneration >= this.generation() && stored.accessExpiresAt > now;
    if (accessStillAlive && now < stored.accessExpiresAt - this.config.refreshWindowMs) {
      return oauthError(400, 'access_denied', 'Rate limit exceeded: access_token not expired', { Reason: 'TooEarlyToRefreshTokens' });
    }
    this.refresh.put(key, { ...stored, status: 'used' });
    return this.issueTokens(clientId, stored.userId);
  }

  private issueTokens(clientId: string, userId: string): SimResponse {
    const now = this.clock.now();
    const accessToken = newSecret();
    const refreshToken = newSecret();
    const accessExpiresAt = now + this.config.accessTokenTtlMs;
    const generation = this.generation();
    this.store.transaction(() => {
      this.access.put(hash(accessToken), { clientId, userId, expiresAt: accessExpiresAt, generation });
      this.refresh.put(hash(refreshToken), {
        clientId,
        userId,
        expiresAt: now + this.config.refreshTokenTtlMs,
        status: 'active',
        accessExpiresAt,
        accessGeneration: generation,
      });
    });
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      body: {
        access_token: accessToken,
        token_type: 'bearer',
        // Exact sends expires_in as a JSON string (§1.2).
        expires_in: String(Math.round(this.config.accessTokenTtlMs / 1000)),
        refresh_token: refreshToken,
      },
    };
  }
}
