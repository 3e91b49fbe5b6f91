import { describe, expect, it } from 'vitest';
import { mintJwt, verifyJwt } from './token';

describe('coupa sandbox JWT access tokens (§3.2)', () => {
  const claims = { iss: 'coupa-sandbox', sub: 'client', aud: 'coupa-api', scope: 'core.invoice.read', iat: 1_000, exp: 87_399 };

  it('a minted token verifies with its secret and carries the claims plus a unique jti', () => {
    const a = mintJwt('secret', claims);
    const b = mintJwt('secret', claims);
    expect(verifyJwt('secret', a)).toMatchObject(claims);
    expect(verifyJwt('secret', a)?.jti).not.toBe(verifyJwt('secret', b)?.jti);
  });

  it('another secret, a changed payload or a malformed token does not verify', () => {
    const token = mintJwt('secret', claims);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: 'core.invoice.write' })).toString('base64url')}.${signature}`;
    expect(verifyJwt('other', token)).toBeNull();
    expect(verifyJwt('secret', forged)).toBeNull();
    expect(verifyJwt('secret', 'not-a-jwt')).toBeNull();
    expect(verifyJwt('secret', `${token}.extra`)).toBeNull();
  });
});
