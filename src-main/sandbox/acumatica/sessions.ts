import { randomBytes } from 'node:crypto';
import type { SimClock } from '../_common/clock';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import type { SimStore } from '../_common/sim-store';
import { acumaticaError, notSignedIn } from './errors';

/**
 * Sign-in for the contract-based API: cookie sessions from `/entity/auth/login` (fact sheet
 * 1.4) and bearer tokens from `/identity/connect/token` (1.3). Both hold one licensed
 * "web services API user" slot while alive; past `maxApiUsers` sign-in fails with
 * "API Login Limit" (1.4). Sessions and tokens live in the store so a restarted simulator
 * still knows them.
 */
export interface AuthSettings {
  username: string;
  password: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  maxApiUsers: number;
  /** The tenant's branches (the first is the default); a login may name one. */
  branches: string[];
  sessionIdleMs: number;
  tokenLifetimeMs: number;
  sessionCookieName: string;
  authCookieName: string;
  /** Client-credentials grant is unconfirmed (1.3): off unless configured. */
  allowClientCredentials: boolean;
  /** Whether a refresh token stays valid after use (unconfirmed; default one-time use). */
  refreshTokenReuse: boolean;
  /** HTTP status of the "API Login Limit" answer (the official client re-labels it 429). */
  loginLimitStatus: number;
}

interface ApiSession {
  key: string;
  kind: 'cookie' | 'bearer';
  /** Cookie sessions: value of the auth cookie, which must be replayed with the session cookie. */
  authCookie?: string;
  user: string;
  tenant: string;
  branch: string | null;
  lastSeenAt: number;
  /** Bearer sessions end with their token. */
  expiresAt: number | null;
}

interface IssuedToken {
  token: string;
  kind: 'access' | 'refresh';
  user: string;
  scope: string;
  expiresAt: number | null;
}

/** `key` identifies the server session (long operations belong to the session that started them). */
export type AuthOutcome =
  | { ok: true; session: { user: string; tenant: string; key: string; branch: string | null } }
  | { ok: false; response: SimResponse };

const secret = (): string => randomBytes(24).toString('base64url');

export class AcumaticaAuth {
  private readonly sessions;
  private readonly tokens;

  constructor(
    store: SimStore,
    private readonly clock: SimClock,
    private readonly settings: AuthSettings,
  ) {
    this.sessions = store.collection<ApiSession>('api_sessions');
    this.tokens = store.collection<IssuedToken>('oauth_tokens');
  }

  /** POST /entity/auth/login {name, password, tenant | company, branch?, locale?} → 204 + cookies. */
  login(req: SimRequest): SimResponse {
    const body = readLoginBody(req);
    if ('error' in body) return acumaticaError(400, body.error);
    if (body.tenant !== undefined && body.company !== undefined) {
      return acumaticaError(400, "Send either 'tenant' or 'company', not both.");
    }
    const tenant = body.tenant ?? body.company ?? '';
    const s = this.settings;
    if (
      body.name !== s.username ||
      body.password !== s.password ||
      tenant.toLowerCase() !== s.tenant.toLowerCase()
    ) {
      return acumaticaError(500, 'Invalid credentials. Please try again.', 'PX.Data.PXException');
    }
    // The branch signed in with becomes the session's current branch (sandbox wording when unknown).
    const branch =
      body.branch === undefined
        ? null
        : s.branches.find((b) => b.toLowerCase() === body.branch?.toLowerCase());
    if (branch === undefined)
      return acumaticaError(500, `Branch '${String(body.branch)}' cannot be found in the system.`);
    const full = this.licenceFull();
    if (full) return full;
    const sessionId = secret();
    const authCookie = secret();
    this.sessions.put(sessionId, {
      key: sessionId,
      kind: 'cookie',
      authCookie,
      user: s.username,
      tenant: s.tenant,
      branch,
      lastSeenAt: this.clock.now(),
      expiresAt: null,
    });
    const cookies = [
      `${s.sessionCookieName}=${sessionId}; path=/; HttpOnly; SameSite=Lax`,
      `${s.authCookieName}=${authCookie}; path=/; HttpOnly`,
      `UserBranch=${encodeURIComponent(branch ?? s.branches[0] ?? 'HEADOFFICE')}; path=/`,
      `Locale=${encodeURIComponent(body.locale ?? 'en-US')}; path=/`,
    ];
    return { status: 204, headers: { 'set-cookie': cookies } };
  }

  /** POST /entity/auth/logout → 204 and the API-user slot is free again. */
  logout(req: SimRequest): SimResponse {
    const cookies = parseCookies(req.headers.cookie);
    const sessionId = cookies.get(this.settings.sessionCookieName);
    if (sessionId) this.sessions.delete(sessionId);
    const bearer = bearerToken(req);
    if (bearer) this.sessions.delete(`bearer:${bearer}`);
    return {
      status: 204,
      headers: {
        'set-cookie': [
          `${this.settings.sessionCookieName}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT`,
          `${this.settings.authCookieName}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT`,
        ],
      },
    };
  }

  /** Every entity call: a live cookie session (all its cookies replayed) or a valid bearer token. */
  authenticate(req: SimRequest): AuthOutcome {
    const now = this.clock.now();
    const bearer = bearerToken(req);
    if (bearer) {
      const token = this.tokens.get(bearer);
      if (!token || token.kind !== 'access' || (token.expiresAt !== null && token.expiresAt <= now))
        return { ok: false, response: notSignedIn() };
      const key = `bearer:${bearer}`;
      if (!this.sessions.has(key)) {
        // With plain `api` scope one token = one server session, opened on first use (1.3).
        const full = this.licenceFull();
        if (full) return { ok: false, response: full };
        this.sessions.put(key, {
          key,
          kind: 'bearer',
          user: token.user,
          tenant: this.settings.tenant,
          branch: null,
          lastSeenAt: now,
          expiresAt: token.expiresAt,
        });
      }
      return { ok: true, session: { user: token.user, tenant: this.settings.tenant, key, branch: null } };
    }
    const cookies = parseCookies(req.headers.cookie);
    const sessionId = cookies.get(this.settings.sessionCookieName);
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    if (
      !session ||
      session.kind !== 'cookie' ||
      cookies.get(this.settings.authCookieName) !== session.authCookie
    ) {
      return { ok: false, response: notSignedIn() };
    }
    if (this.isExpired(session, now)) {
      this.sessions.delete(session.key);
      return { ok: false, response: notSignedIn() };
    }
    this.sessions.put(session.key, { ...session, lastSeenAt: now });
    return {
      ok: true,
      session: { user: session.user, tenant: session.tenant, key: session.key, branch: session.branch },
    };
  }

  /** POST /identity/connect/token (form-urlencoded). */
  token(req: SimRequest): SimResponse {
    const form = new URLSearchParams(req.text());
    const s = this.settings;
    const oauthError = (error: string, description: string, status = 400): SimResponse => ({
      status,
      body: { error, error_description: description },
    });
    if (form.get('client_id') !== s.clientId || form.get('client_secret') !== s.clientSecret) {
      return oauthError(
        'invalid_client',
        'The client id or secret is not valid (the client id carries the tenant suffix: <GUID>@<Tenant>).',
      );
    }
    const grant = form.get('grant_type');
    let user: string;
    let scope: string;
    if (grant === 'password') {
      if (form.get('username') !== s.username || form.get('password') !== s.password) {
        return oauthError('invalid_grant', 'invalid_username_or_password');
      }
      user = s.username;
      scope = form.get('scope') ?? 'api';
    } else if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const refresh = this.tokens.get(presented);
      if (!refresh || refresh.kind !== 'refresh')
        return oauthError('invalid_grant', 'The refresh token is not valid.');
      if (!s.refreshTokenReuse) this.tokens.delete(presented);
      user = refresh.user;
      scope = refresh.scope;
    } else if (grant === 'client_credentials' && s.allowClientCredentials) {
      user = s.username;
      scope = form.get('scope') ?? 'api';
    } else {
      return oauthError('unsupported_grant_type', `grant_type '${grant ?? ''}' is not supported.`);
    }
    const scopes = scope.split(/\s+/).filter(Boolean);
    if (!scopes.includes('api'))
      return oauthError('invalid_scope', "The 'api' scope is required for API access.");
    const accessToken = secret();
    const expiresAt = this.clock.now() + s.tokenLifetimeMs;
    this.tokens.put(accessToken, { token: accessToken, kind: 'access', user, scope, expiresAt });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: Math.round(s.tokenLifetimeMs / 1000),
      token_type: 'Bearer',
      scope: scopes.join(' '),
    };
    if (scopes.includes('offline_access')) {
      const refreshToken = secret();
      this.tokens.put(refreshToken, { token: refreshToken, kind: 'refresh', user, scope, expiresAt: null });
      body.refresh_token = refreshToken;
    }
    return { status: 200, headers: { 'cache-control': 'no-store' }, body };
  }

  /** Fault `expire`: every access token and session ends now (refresh tokens survive). */
  expireAll(): void {
    for (const session of this.sessions.all()) this.sessions.delete(session.key);
    for (const token of this.tokens.all()) if (token.kind === 'access') this.tokens.delete(token.token);
  }

  private isExpired(session: ApiSession, now: number): boolean {
    if (session.kind === 'bearer') return session.expiresAt !== null && session.expiresAt <= now;
    return session.lastSeenAt + this.settings.sessionIdleMs <= now;
  }

  /** The "API Login Limit" answer when every licensed API-user slot is taken, else null. */
  private licenceFull(): SimResponse | null {
    const now = this.clock.now();
    for (const session of this.sessions.all())
      if (this.isExpired(session, now)) this.sessions.delete(session.key);
    if (this.sessions.size < this.settings.maxApiUsers) return null;
    return acumaticaError(
      this.settings.loginLimitStatus,
      `API Login Limit: all ${this.settings.maxApiUsers} web services API user slots of the licence are in use. Sign out unused sessions or wait until they expire.`,
    );
  }
}

function readLoginBody(
  req: SimRequest,
):
  | { name?: string; password?: string; tenant?: string; company?: string; branch?: string; locale?: string }
  | { error: string } {
  const type = String(req.headers['content-type'] ?? '');
  let raw: Record<string, unknown>;
  if (type.includes('application/x-www-form-urlencoded'))
    raw = Object.fromEntries(new URLSearchParams(req.text()));
  else {
    try {
      const parsed = req.json();
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        return { error: 'The login body must be a JSON object.' };
      raw = parsed as Record<string, unknown>;
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
  const out: Record<string, string> = {};
  for (const key of ['name', 'password', 'tenant', 'company', 'branch', 'locale']) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return { error: `Login field '${key}' must be a string.` };
    out[key] = value;
  }
  return out;
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function bearerToken(req: SimRequest): string | null {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}
