/**
 * A real, strict OAuth 2.0 authorization server on loopback for the OAuth client's tests:
 * `oidc-provider` (a certified OpenID Provider implementation), configured the way issue 18
 * asks — authorization code with PKCE S256 required, `client_secret_post`, refresh tokens
 * rotated on every use with reuse detection (a reused refresh token revokes the whole grant),
 * RFC 9207 `iss` in every authorization response (advertised in its metadata).
 *
 * It answers on Exact Online's paths (/api/oauth2/auth, /api/oauth2/token) so the Exact connector
 * talks to it unchanged, plus the two API reads a sign-in makes (current/Me, system/Divisions),
 * which accept only access tokens this server issued and still considers valid.
 *
 * Around the provider, and nothing more:
 *  - a default scope: Exact's client sends none, and oidc-provider grants nothing without one
 *    (RFC 6749 §3.3 lets a server apply a default);
 *  - a programmatic login and consent through oidc-provider's interactionDetails /
 *    interactionFinished API (no browser, no HTML forms);
 *  - switches that change its answers like a changed server would (`answers`), and a log of
 *    every token-endpoint call.
 */
import Provider, { type Configuration } from 'oidc-provider';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenCall {
  grantType: string;
  status: number;
  error: string | null;
}

export interface StrictOAuthServer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  division: number;
  /** Every POST to the token endpoint, in order. */
  tokenCalls: TokenCall[];
  /** How the token endpoint's successful answers are changed (a server that behaves differently). */
  answers: {
    /** Rotate refresh tokens (default true); when false the answer also leaves `refresh_token` out. */
    rotateRefreshTokens: boolean;
    dropExpiresIn: boolean;
    /** Replaces `token_type` when set. */
    tokenType: string | null;
  };
  /** What its discovery document says. */
  metadata(): Promise<Record<string, unknown>>;
  /** Ends an access token's life now, as its expiry would (the API then answers 401). */
  expireAccessToken(accessToken: string): Promise<void>;
  /** Asks the token endpoint directly (what another client holding the token could do). */
  refreshDirectly(refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

const TOKEN_PATH = '/api/oauth2/token';
const AUTH_PATH = '/api/oauth2/auth';
const ACCOUNT_ID = 'user-sandra';

export async function startStrictOAuthServer(opts: { redirectUris: string[]; clientSecret?: string }): Promise<StrictOAuthServer> {
  const clientId = 'ml-connector-test-app';
  const clientSecret = opts.clientSecret ?? 'registered-secret-7c1f4e9a2b';
  const division = 1234567;
  const tokenCalls: TokenCall[] = [];
  const answers: StrictOAuthServer['answers'] = { rotateRefreshTokens: true, dropExpiresIn: false, tokenType: null };

  const server: Server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
        application_type: 'native',
      },
    ],
    routes: { authorization: AUTH_PATH, token: TOKEN_PATH },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    rotateRefreshToken: () => answers.rotateRefreshTokens,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    scopes: ['api'],
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['strict-oauth-server-test-cookie-key'] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, RefreshToken: 30 * 86_400, Grant: 30 * 86_400, Interaction: 600, Session: 3600 },
  };
  const provider = new Provider(issuer, configuration);
  // Logs every token call, and changes successful answers as the switches say (after the
  // provider has answered: what it decided stays its own).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== TOKEN_PATH || ctx.method !== 'POST') return;
    const form = ((ctx as { oidc?: { body?: Record<string, unknown> } }).oidc?.body ?? {}) as Record<string, unknown>;
    const body = (typeof ctx.body === 'object' && ctx.body !== null ? ctx.body : {}) as Record<string, unknown>;
    tokenCalls.push({ grantType: String(form['grant_type'] ?? ''), status: ctx.status, error: typeof body['error'] === 'string' ? body['error'] : null });
    if (ctx.status !== 200) return;
    if (answers.dropExpiresIn) delete body['expires_in'];
    if (answers.tokenType !== null) body['token_type'] = answers.tokenType;
    if (!answers.rotateRefreshTokens && form['grant_type'] === 'refresh_token') delete body['refresh_token'];
  });
  const handle = provider.callback();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === AUTH_PATH && req.method === 'GET' && !url.searchParams.has('scope')) {
      url.searchParams.set('scope', 'api'); // the server's default scope
      req.url = url.pathname + url.search;
    }
    if (url.pathname.startsWith('/interaction/')) return interact(req, res);
    if (url.pathname.startsWith('/api/v1/')) return api(req, res, url);
    handle(req, res);
  }

  /** The user signs in and consents at once (oidc-provider's interaction API, no pages). */
  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: ACCOUNT_ID, clientId: String(details.params['client_id']) });
    grant.addOIDCScope(String(details.params['scope'] ?? 'api'));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT_ID }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  /** The reads a sign-in makes, for access tokens this server issued and still honours. */
  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ? await provider.AccessToken.find(bearer) : undefined;
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!token || token.isExpired) return json(401, { error: { code: '', message: { lang: '', value: 'Unauthorized' } } });
    if (url.pathname === '/api/v1/current/Me')
      return json(200, { d: { results: [{ UserID: '5c8f3b54-6d2b-4a64-a0a5-6f0a9c1d2e3f', FullName: 'Sandra Boekhouder', CurrentDivision: division }] } });
    if (url.pathname === `/api/v1/${division}/system/Divisions`) return json(200, { d: { results: [{ Code: division, Description: 'Bouw B.V.' }] } });
    return json(404, { error: { code: '', message: { lang: '', value: 'Not found' } } });
  }

  return {
    issuer,
    clientId,
    clientSecret,
    division,
    tokenCalls,
    answers,
    metadata: async () => (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>,
    expireAccessToken: async (accessToken) => {
      await (await provider.AccessToken.find(accessToken))?.destroy();
    },
    refreshDirectly: async (refreshToken) => {
      const response = await fetch(`${issuer}${TOKEN_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * What the system browser does with the authorization address: follows the server's redirects
 * with its cookies until the server sends it to the redirect URI, and returns that callback
 * address (the caller decides whether to deliver it, or a changed one).
 */
export async function browseToCallback(authorizationUrl: string, redirectUri: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(authorizationUrl);
  const origin = url.origin;
  for (let hop = 0; hop < 10; hop += 1) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`the authorization server answered ${response.status} without a redirect: ${await response.text()}`);
    url = new URL(location, origin);
    if (url.href.startsWith(redirectUri)) return url;
  }
  throw new Error('the authorization server redirected more than 10 times');
}
