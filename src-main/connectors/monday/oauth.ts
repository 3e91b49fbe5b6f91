import { NeedsReauthError, type TokenSet } from '../../../src-shared/domain/auth';
import { HttpClient, HttpStatusError, type Logger } from '../_kit';

/**
 * monday.com OAuth 2.1 for the app's own monday app (developer.monday.com "OAuth 2.1"): the user
 * approves at auth.monday.com/oauth2/authorize (PKCE S256, state), the code and its verifier are
 * exchanged at /oauth_ms/oauth/token (JSON body, client secret in the body) for an access token
 * that expires (a JWT; the answer carries no expires_in, so its `exp` claim says when) and a
 * refresh token that is replaced at every refresh.
 */
export const MONDAY_AUTH_URL = 'https://auth.monday.com';
/** Read the user and the boards, write items: what F4 does. */
export const MONDAY_OAUTH_SCOPES = 'me:read boards:read boards:write';
const TOKEN_PATH = '/oauth_ms/oauth/token';
/** When a token's `exp` cannot be read: one hour (third-party report of monday's lifetime). */
const FALLBACK_LIFETIME_MS = 3_600_000;

interface WireTokens {
  access_token?: unknown;
  refresh_token?: unknown;
  error?: unknown;
  error_description?: unknown;
}

export interface MondayOAuthClient {
  authorizeEndpoint(): string;
  exchangeCode(req: { code: string; codeVerifier: string; redirectUri: string; clientSecret: string }): Promise<TokenSet>;
  refresh(req: { refreshToken: string; clientSecret: string }): Promise<TokenSet>;
  close(): Promise<void>;
}

/** The `exp` of a JWT in epoch ms, read without verifying it (only monday checks its signature); null when unreadable. */
export function jwtExpiresAt(token: string): number | null {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

export function createMondayOAuthClient(opts: { authUrl?: string; clientId: string; logger: Logger; now?: () => number }): MondayOAuthClient {
  const authUrl = new URL(opts.authUrl ?? MONDAY_AUTH_URL);
  const now = opts.now ?? Date.now;
  const http = new HttpClient({ api: 'monday', allowedHosts: [authUrl.hostname], baseUrl: authUrl.origin, logger: opts.logger, now });

  const call = async (body: Record<string, string>): Promise<TokenSet> => {
    let text: string;
    try {
      // Not retried: a code is single use and a refresh token is replaced by the first answer.
      text = (await http.request({ method: 'POST', url: `${authUrl.pathname.replace(/\/$/, '')}${TOKEN_PATH}`, body: { json: { client_id: opts.clientId, ...body } } })).text;
    } catch (error) {
      throw explain(error);
    }
    const wire = JSON.parse(text) as WireTokens;
    if (typeof wire.access_token !== 'string' || !wire.access_token || typeof wire.refresh_token !== 'string')
      throw new Error('monday.com answered the sign-in without an access token and a refresh token.');
    const issuedAt = now();
    return { accessToken: wire.access_token, accessTokenExpiresAt: jwtExpiresAt(wire.access_token) ?? issuedAt + FALLBACK_LIFETIME_MS, refreshToken: wire.refresh_token, refreshTokenIssuedAt: issuedAt };
  };

  return {
    authorizeEndpoint: () => new URL(`${authUrl.pathname.replace(/\/$/, '')}/oauth2/authorize`, authUrl.origin).toString(),
    exchangeCode: ({ code, codeVerifier, redirectUri, clientSecret }) => call({ client_secret: clientSecret, code, redirect_uri: redirectUri, code_verifier: codeVerifier, grant_type: 'authorization_code' }),
    refresh: ({ refreshToken, clientSecret }) => call({ client_secret: clientSecret, refresh_token: refreshToken, grant_type: 'refresh_token' }),
    close: () => http.close(),
  };
}

/** A refusal of the token endpoint in words: what monday said and what the user does next. */
function explain(error: unknown): unknown {
  if (!(error instanceof HttpStatusError) || (error.status !== 400 && error.status !== 401)) return error;
  let wire: WireTokens = {};
  try {
    wire = JSON.parse(error.response.text) as WireTokens;
  } catch {
    // not JSON: the status says enough
  }
  const said = `${typeof wire.error === 'string' ? wire.error : `HTTP ${error.status}`}${typeof wire.error_description === 'string' ? `: ${wire.error_description}` : ''}`;
  if (wire.error === 'invalid_client')
    return new NeedsReauthError(`monday.com refused the app's client id or secret (${said}). Copy them again from the Developer Center (your app → Basic information → App credentials) and connect again.`);
  return new NeedsReauthError(`monday.com no longer accepts this sign-in (${said}). Connect monday.com again.`);
}
