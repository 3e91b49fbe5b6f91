import { describe, expect, it } from 'vitest';
import { NeedsReauthError, UnusableTokenResponseError } from '../../../src-shared/domain/auth';
import { parseTokenResponse, type TokenResponseContext } from './token-response';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const signIn: TokenResponseContext = { kind: 'sign-in', now: NOW, defaultLifetimeSeconds: 600 };
const refresh: TokenResponseContext = { kind: 'refresh', now: NOW, defaultLifetimeSeconds: 600, usedRefreshToken: 'rt-used' };

describe('Exact token answers (RFC 6749 §5.1, §6)', () => {
  it('reads Exact\u2019s own answer: expires_in as a string, token_type "bearer"', () => {
    expect(parseTokenResponse({ access_token: 'at', token_type: 'bearer', expires_in: '600', refresh_token: 'rt' }, signIn)).toEqual({
      accessToken: 'at',
      accessTokenExpiresAt: NOW + 600_000,
      refreshToken: 'rt',
      refreshTokenIssuedAt: NOW,
    });
    expect(parseTokenResponse({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt' }, signIn).accessTokenExpiresAt).toBe(NOW + 3_600_000);
  });

  it('without expires_in uses the connection\u2019s configured lifetime instead of failing after the code was spent', () => {
    expect(parseTokenResponse({ access_token: 'at', token_type: 'BEARER', refresh_token: 'rt' }, signIn).accessTokenExpiresAt).toBe(NOW + 600_000);
    expect(parseTokenResponse({ access_token: 'at', token_type: 'bearer', expires_in: null, refresh_token: 'rt' }, { ...signIn, defaultLifetimeSeconds: 900 }).accessTokenExpiresAt).toBe(NOW + 900_000);
  });

  it('a refresh answer without a new refresh token keeps the one just used, and the new access token', () => {
    expect(parseTokenResponse({ access_token: 'at-2', token_type: 'bearer', expires_in: '600' }, refresh)).toEqual({
      accessToken: 'at-2',
      accessTokenExpiresAt: NOW + 600_000,
      refreshToken: 'rt-used',
      refreshTokenIssuedAt: NOW,
    });
    expect(parseTokenResponse({ access_token: 'at-2', token_type: 'bearer', refresh_token: '' }, refresh).refreshToken).toBe('rt-used');
    expect(parseTokenResponse({ access_token: 'at-2', token_type: 'bearer', refresh_token: 'rt-new' }, refresh).refreshToken).toBe('rt-new');
  });

  it('a sign-in answer without a refresh token is refused (the connection would stop 10 minutes later)', () => {
    expect(() => parseTokenResponse({ access_token: 'at', token_type: 'bearer', expires_in: '600' }, signIn)).toThrow(
      /without a refresh token, so the connection would stop working when the access token expires; nothing was stored/,
    );
  });

  it('requires token_type Bearer in any case and says clearly what it got', () => {
    for (const tokenType of ['mac', 'DPoP', 'N_A', ''])
      expect(() => parseTokenResponse({ access_token: 'at', token_type: tokenType, refresh_token: 'rt' }, signIn)).toThrow(
        `Exact Online answered the sign-in with a token of type ${JSON.stringify(tokenType)}; this app can only use Bearer tokens, so nothing was stored.`,
      );
    const missing = (() => {
      try {
        parseTokenResponse({ access_token: 'at', refresh_token: 'rt' }, refresh);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(missing).toBeInstanceOf(UnusableTokenResponseError);
    // A NeedsReauthError: custody stops instead of repeating a refresh that cannot help.
    expect(missing).toBeInstanceOf(NeedsReauthError);
    expect((missing as Error).message).toContain('token renewal with a token of type (none given)');
  });

  it('refuses answers it cannot use, in words, never echoing a token', () => {
    expect(() => parseTokenResponse(null, signIn)).toThrow(/not a token answer/);
    expect(() => parseTokenResponse(['at'], signIn)).toThrow(/not a token answer/);
    expect(() => parseTokenResponse({ token_type: 'bearer', refresh_token: 'rt-secret' }, signIn)).toThrow(/without an access token/);
    for (const expiresIn of ['soon', '', -5, 0, '1e999'])
      expect(() => parseTokenResponse({ access_token: 'at-secret', token_type: 'bearer', expires_in: expiresIn, refresh_token: 'rt' }, signIn)).toThrow(
        /unreadable token lifetime/,
      );
    try {
      parseTokenResponse({ access_token: 'at-secret', token_type: 'mac', refresh_token: 'rt-secret' }, signIn);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/at-secret|rt-secret/);
    }
  });
});
