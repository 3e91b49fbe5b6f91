import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * PKCE (RFC 7636, S256) and `state` for the authorization-code flow. Kept to node:crypto: the
 * well-kept OAuth client libraries reject Exact's token responses (see
 * docs/decisions/0004-oauth-without-a-client-library.md), and these three functions are all we
 * would take from them.
 */
export interface PkcePair {
  verifier: string;
  challenge: string;
  method: 'S256';
}

export function createPkcePair(): PkcePair {
  // 32 random bytes -> 43 base64url chars, inside RFC 7636's 43..128 range.
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier), method: 'S256' };
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function createState(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison for state values and tokens. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
