/**
 * Reading a successful answer of Exact's token endpoint (§1.2) per RFC 6749 §5.1 and §6:
 *  - `access_token` is required; `token_type` is required and must be Bearer (any case: Exact
 *    sends "bearer"), anything else is refused before the set is stored (we can only send
 *    `Authorization: Bearer`);
 *  - `expires_in` is only RECOMMENDED: when it is absent (or null) the connection's configured
 *    default lifetime applies (Exact: 600 s) instead of failing the sign-in after the code was
 *    spent; when present it must be a positive number, as a JSON number or Exact's string "600";
 *  - a refresh answer without `refresh_token` keeps the refresh token just used (§6: the server
 *    MAY issue a new one); a sign-in answer must carry one (without it the connection would stop
 *    at the first expiry, 10 minutes later).
 * Pure: the connector passes the time and what it knows; errors say what to do next.
 */
import { UnusableTokenResponseError, type TokenSet } from '../../../src-shared/domain/auth';
import type { WireTokenResponse } from './wire';

/** Exact's access-token lifetime (§1.2), the default of `accessTokenLifetimeSeconds`. */
export const EXACT_ACCESS_TOKEN_LIFETIME_SECONDS = 600;

export interface TokenResponseContext {
  kind: 'sign-in' | 'refresh';
  now: number;
  /** The connection's lifetime for an answer without `expires_in`, in seconds. */
  defaultLifetimeSeconds: number;
  /** On a refresh: the refresh token just used, kept when the answer brings no new one. */
  usedRefreshToken?: string;
}

export function parseTokenResponse(body: unknown, ctx: TokenResponseContext): TokenSet {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new UnusableTokenResponseError(
      `Exact Online answered the ${ctx.kind === 'sign-in' ? 'sign-in' : 'token renewal'} with something that is not a token answer; nothing was stored. ${nextStep(ctx)}`,
    );
  const wire = body as WireTokenResponse & Record<string, unknown>;
  if (typeof wire.access_token !== 'string' || wire.access_token === '')
    throw new UnusableTokenResponseError(
      `Exact Online answered the ${ctx.kind === 'sign-in' ? 'sign-in' : 'token renewal'} without an access token; nothing was stored. ${nextStep(ctx)}`,
    );
  const tokenType = typeof wire.token_type === 'string' ? wire.token_type.trim() : null;
  if (tokenType === null || tokenType.toLowerCase() !== 'bearer')
    throw new UnusableTokenResponseError(
      `Exact Online answered the ${ctx.kind === 'sign-in' ? 'sign-in' : 'token renewal'} with a token of type ${tokenType === null ? '(none given)' : JSON.stringify(tokenType.slice(0, 40))}; this app can only use Bearer tokens, so nothing was stored. ${nextStep(ctx)}`,
    );
  const lifetimeSeconds = expiresInSeconds(wire.expires_in, ctx);
  const newRefreshToken = typeof wire.refresh_token === 'string' && wire.refresh_token !== '' ? wire.refresh_token : null;
  if (newRefreshToken === null && (ctx.kind === 'sign-in' || !ctx.usedRefreshToken))
    throw new UnusableTokenResponseError(
      'Exact Online answered the sign-in without a refresh token, so the connection would stop working when the access token expires; nothing was stored. Sign in to Exact Online again; if this repeats, check the app registration in the Exact App Center.',
    );
  return {
    accessToken: wire.access_token,
    accessTokenExpiresAt: ctx.now + lifetimeSeconds * 1000,
    refreshToken: newRefreshToken ?? ctx.usedRefreshToken ?? null,
    // A new refresh token is new; a kept one was just used, which restarts its idle lifetime.
    refreshTokenIssuedAt: ctx.now,
  };
}

function expiresInSeconds(value: unknown, ctx: TokenResponseContext): number {
  if (value === undefined || value === null) return ctx.defaultLifetimeSeconds;
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UnusableTokenResponseError(
      `Exact Online answered the ${ctx.kind === 'sign-in' ? 'sign-in' : 'token renewal'} with an unreadable token lifetime (expires_in ${JSON.stringify(value).slice(0, 40)}); nothing was stored. ${nextStep(ctx)}`,
    );
  return seconds;
}

function nextStep(ctx: TokenResponseContext): string {
  return ctx.kind === 'sign-in'
    ? 'Sign in to Exact Online again; if this repeats, Exact Online is answering unlike its documentation (tell your administrator).'
    : 'Sign in to Exact Online again under Connections; if this repeats, Exact Online is answering unlike its documentation (tell your administrator).';
}
