import { createHmac, randomUUID } from 'node:crypto';

/**
 * Coupa access tokens are JWTs (fact sheet §3.2: "access_token (JWT, can be very long)"). The
 * sandbox signs its own with HS256 and a per-instance secret; clients must treat the token as
 * opaque, but one that decodes it (e.g. to read `exp`) sees the usual claims.
 */
export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export function mintJwt(secret: string, claims: Omit<TokenClaims, 'jti'>): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ ...claims, jti: randomUUID() }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The claims of a JWT this sandbox signed, or null when the signature (or shape) is wrong. */
export function verifyJwt(secret: string, token: string): TokenClaims | null {
  const [header, payload, signature, ...rest] = token.split('.');
  if (!header || !payload || !signature || rest.length) return null;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  if (expected !== signature) return null;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return null;
  }
}
