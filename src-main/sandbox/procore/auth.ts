import { createHash, randomBytes } from 'node:crypto';
import type { SimCollection, SimStore } from '../_common/sim-store';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import { isPlainObject, json } from './http';

/**
 * §2.2 OAuth for a Developer Managed Service Account: `POST /oauth/token` with
 * grant_type=client_credentials → a bearer token for `tokenLifetimeSeconds` (5400), no refresh
 * token. Issued tokens are kept in the store by SHA-256 digest only (never the token itself),
 * so a restarted simulator still accepts them and no secret lands in SQLite.
 */
export interface ProcoreCredentials {
  clientId: string;
  clientSecret: string;
}

interface IssuedToken {
  digest: string;
  created_at_ms: number;
  expires_at_ms: number;
}

export type BearerCheck = { ok: true } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

const OAUTH_ERRORS = {
  invalid_request:
    'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.',
  invalid_client:
    'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
  invalid_token: 'The access token is invalid',
} as const;

function oauthError(status: number, error: keyof typeof OAUTH_ERRORS): SimResponse {
  return json(status, { error, error_description: OAUTH_ERRORS[error] });
}

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');
const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** Reads the token request's form fields: urlencoded, multipart (`curl -F`) or JSON. */
function formFields(req: SimRequest): Map<string, string> {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const out = new Map<string, string>();
  if (type.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = req.body.length ? req.json() : {};
    } catch {
      return out;
    }
    if (isPlainObject(parsed))
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out.set(k, v);
    return out;
  }
  const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/.exec(type)?.[1];
  if (boundary) {
    for (const part of req.text().split(`--${boundary}`)) {
      const m = /name="([^"]+)"\r?\n(?:[^\r\n]*\r?\n)*?\r?\n([\s\S]*?)\r?\n?$/.exec(
        part.replace(/^\r?\n/, ''),
      );
      if (m) out.set(m[1] as string, (m[2] as string).replace(/\r?\n$/, ''));
    }
    return out;
  }
  for (const [k, v] of new URLSearchParams(req.text())) out.set(k, v);
  return out;
}

export function bearerToken(req: SimRequest): string | null {
  const header = req.headers['authorization'];
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m ? (m[1] as string) : null;
}

export class ProcoreAuth {
  private readonly tokens: SimCollection<IssuedToken>;

  constructor(
    store: SimStore,
    private readonly credentials: ProcoreCredentials,
    private readonly lifetimeSeconds: number,
    private readonly now: () => number,
  ) {
    this.tokens = store.collection<IssuedToken>('oauth_tokens');
  }

  /** POST /oauth/token */
  token(req: SimRequest): SimResponse {
    const fields = formFields(req);
    const basic = /^Basic\s+(\S+)$/i.exec(String(req.headers['authorization'] ?? ''))?.[1];
    let clientId = fields.get('client_id');
    let clientSecret = fields.get('client_secret');
    if (basic && !clientId) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
    const grant = fields.get('grant_type');
    if (!grant) return oauthError(400, 'invalid_request');
    if (clientId !== this.credentials.clientId || clientSecret !== this.credentials.clientSecret)
      return oauthError(401, 'invalid_client');
    // Only the DMSA grant is simulated: the connector uses client credentials (Part 3 #7).
    if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
    const now = this.now();
    const accessToken = [
      base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })),
      base64url(
        JSON.stringify({
          iat: Math.floor(now / 1000),
          exp: Math.floor(now / 1000) + this.lifetimeSeconds,
          jti: randomBytes(8).toString('hex'),
        }),
      ),
      base64url(randomBytes(32)),
    ].join('.');
    const key = digest(accessToken);
    this.tokens.put(key, {
      digest: key,
      created_at_ms: now,
      expires_at_ms: now + this.lifetimeSeconds * 1000,
    });
    return json(200, {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: this.lifetimeSeconds,
      created_at: Math.floor(now / 1000),
    });
  }

  check(req: SimRequest): BearerCheck {
    const token = bearerToken(req);
    if (!token) return { ok: false, reason: 'missing' };
    const issued = this.tokens.get(digest(token));
    if (!issued) return { ok: false, reason: 'invalid' };
    if (issued.expires_at_ms <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true };
  }

  /** GET /oauth/token/info (Doorkeeper shape). */
  info(req: SimRequest): SimResponse {
    const token = bearerToken(req);
    const issued = token ? this.tokens.get(digest(token)) : undefined;
    const now = this.now();
    if (!issued || issued.expires_at_ms <= now) return oauthError(401, 'invalid_token');
    return json(200, {
      resource_owner_id: null,
      scope: [],
      expires_in: Math.max(0, Math.floor((issued.expires_at_ms - now) / 1000)),
      application: { uid: this.credentials.clientId },
      created_at: Math.floor(issued.created_at_ms / 1000),
    });
  }

  /** POST /oauth/revoke: always 200 (§2.2). */
  revoke(req: SimRequest): SimResponse {
    const token = formFields(req).get('token');
    if (token) this.tokens.delete(digest(token));
    return json(200, {});
  }

  /** Fault `expire` / tests: every token issued so far stops working. */
  expireAll(): void {
    for (const token of this.tokens.all()) this.tokens.delete(token.digest);
  }
}
