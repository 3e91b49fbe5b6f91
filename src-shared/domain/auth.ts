/**
 * Token sets and the errors a connector's token calls raise, understood by token custody
 * (src-main/auth). They live in src-shared because connectors (which may not import
 * src-main/auth) create them.
 */

export interface TokenSet {
  accessToken: string;
  /** Epoch ms. */
  accessTokenExpiresAt: number;
  refreshToken: string | null;
  /** Epoch ms when the current refresh token was issued (for idle expiry, e.g. Exact's 30 days). */
  refreshTokenIssuedAt: number | null;
}

/** The grant is dead (rotated refresh token reused, revoked, expired): only a new sign-in helps. */
export class NeedsReauthError extends Error {
  readonly code = 'needs-reauth';
  constructor(message: string) {
    super(message);
    this.name = 'NeedsReauthError';
  }
}

/**
 * The provider refused the app's client credentials (OAuth `invalid_client`): the client secret
 * was rotated or mistyped. Signing in again with the same secret cannot help, and every further
 * token call would be refused too while still counting against the provider's daily cap (Exact:
 * 200), so the connection stops until the user enters the secret again or connects again.
 * A NeedsReauthError, so everything that stops on a dead sign-in stops on this as well.
 */
export class ClientSecretRefusedError extends NeedsReauthError {
  readonly reason = 'client-secret-refused';
  constructor(message: string) {
    super(message);
    this.name = 'ClientSecretRefusedError';
  }
}

/**
 * The token endpoint answered 200 with something the app cannot use (e.g. `token_type` other
 * than Bearer): nothing was stored. A NeedsReauthError: repeating the call cannot help, and on a
 * refresh the provider may already have rotated the refresh token.
 */
export class UnusableTokenResponseError extends NeedsReauthError {
  readonly reason = 'unusable-token-response';
  constructor(message: string) {
    super(message);
    this.name = 'UnusableTokenResponseError';
  }
}

/** The provider refuses a refresh this early (Exact: TooEarlyToRefreshTokens). */
export class RefreshTooEarlyError extends Error {
  readonly code = 'refresh-too-early';
  constructor(
    message: string,
    /** Epoch ms from which a refresh will be accepted. */
    readonly retryAt: number,
  ) {
    super(message);
    this.name = 'RefreshTooEarlyError';
  }
}

/** The provider's daily cap on token-endpoint calls would be exceeded. */
export class TokenCallCapError extends Error {
  readonly code = 'token-call-cap';
  constructor(
    message: string,
    readonly resumeAt: number,
  ) {
    super(message);
    this.name = 'TokenCallCapError';
  }
}
