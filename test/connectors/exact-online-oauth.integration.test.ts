import { afterEach, describe, expect, it } from 'vitest';
import { ClientSecretRefusedError, NeedsReauthError, RefreshTooEarlyError, TokenCallCapError } from '../../src-shared/domain/auth';
import { UnauthorizedError, createLogger, createManualClock } from '../../src-main/connectors/_kit';
import {
  createExactOnlineConnector,
  exactHostFor,
  type ExactOnlineConnector,
} from '../../src-main/connectors/exact-online';
import { startLocalServer, type Handler, type LocalServer } from '../kit/local-server';

/**
 * Token-endpoint answers the simulator does not script (expired refresh token, token-call cap,
 * wrong client, 5xx, odd expires_in) and the 401 guard, against a real local HTTP server that
 * answers exactly what each test needs.
 */

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const SECRET = 'client-secret-value-xyz-123';
const OLD_REFRESH = 'refresh-token-old-0123456789abcdef';

let server: LocalServer | null = null;
let connector: ExactOnlineConnector | null = null;
const logLines: string[] = [];

afterEach(async () => {
  await connector?.close();
  await server?.close();
  connector = null;
  server = null;
  logLines.length = 0;
});

async function setup(
  handler: Handler,
  tokens = {
    getAccessToken: async () => 'access-token-aaaaaaaaaaaaaaaa',
    handleUnauthorized: async () => 'access-token-bbbbbbbbbbbbbbbb',
  },
): Promise<ExactOnlineConnector> {
  server = await startLocalServer(handler);
  const clock = createManualClock(T0);
  connector = createExactOnlineConnector(
    {
      baseUrl: server.origin,
      allowedHosts: ['127.0.0.1'],
      logger: createLogger({ sink: (line) => logLines.push(line), level: 'debug' }),
      now: clock.now,
      tokens,
    },
    { region: 'nl', baseUrl: server.origin, division: 42, clientId: `oauth-test-${Math.random()}` },
    { clock },
  );
  return connector;
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

const refresh = (c: ExactOnlineConnector, accessTokenExpiresAt?: number) =>
  c
    .refreshTokens({
      refreshToken: OLD_REFRESH,
      clientSecret: SECRET,
      ...(accessTokenExpiresAt === undefined ? {} : { accessTokenExpiresAt }),
    })
    .catch((error: unknown) => error);

describe('Exact Online token endpoint', () => {
  it('exchanges a code with the form the fact sheet names and reads a numeric expires_in', async () => {
    const c = await setup(
      answer(200, {
        access_token: 'access-token-new-0000000000',
        token_type: 'bearer',
        expires_in: 600,
        refresh_token: 'refresh-token-new-000000000',
      }),
    );
    const set = await c.exchangeCode({
      code: 'the-code',
      codeVerifier: 'verifier-1234567890',
      redirectUri: 'https://app.example/callback',
      clientSecret: SECRET,
    });
    expect(set).toEqual({
      accessToken: 'access-token-new-0000000000',
      accessTokenExpiresAt: T0 + 600_000,
      refreshToken: 'refresh-token-new-000000000',
      refreshTokenIssuedAt: T0,
    });
    const sent = server!.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/api/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'https://app.example/callback',
      client_id: expect.stringMatching(/^oauth-test-/),
      client_secret: SECRET,
      code_verifier: 'verifier-1234567890',
    });
    expect(c.authorizeEndpoint()).toBe(`${server!.origin}/api/oauth2/auth`);
  });

  it('a refresh answered 503 is not retried (a retry could spend a rotated refresh token)', async () => {
    const c = await setup(answer(503, { error: 'unavailable' }));
    const error = await refresh(c);
    expect(server!.requests).toHaveLength(1);
    expect((error as Error).message).toMatch(/HTTP 503/);
  });

  it.each([
    [
      'reused refresh token',
      401,
      { error: 'unauthorized_client', error_description: 'Old refresh token used.' },
    ],
    [
      'expired refresh token',
      400,
      {
        error: 'invalid_request',
        error_description: 'The refresh token expired at 1-1-2026 and it is now 2-2-2026.',
      },
    ],
    ['invalid grant', 400, { error: 'invalid_grant' }],
  ])('%s -> NeedsReauthError in plain words', async (_name, status, body) => {
    const c = await setup(answer(status, body));
    const error = await refresh(c);
    expect(error).toBeInstanceOf(NeedsReauthError);
    expect((error as Error).message).toBe(
      'Exact Online no longer accepts this connection\u2019s sign-in (it expired or was replaced). Please sign in to Exact Online again.',
    );
  });

  it('too early (Reason header) -> RefreshTooEarlyError at the start of the last 30 s', async () => {
    const c = await setup(
      answer(
        400,
        { error: 'access_denied', error_description: 'Rate limit exceeded: access_token not expired' },
        { reason: 'TooEarlyToRefreshTokens' },
      ),
    );
    const error = await refresh(c, T0 + 400_000);
    expect(error).toBeInstanceOf(RefreshTooEarlyError);
    expect((error as RefreshTooEarlyError).retryAt).toBe(T0 + 370_000);
  });

  it('the daily token-call cap (429) -> TokenCallCapError resuming at the next UTC midnight', async () => {
    const c = await setup(answer(429, { error: 'access_denied', error_description: 'Rate limit exceeded' }));
    const error = await refresh(c);
    expect(error).toBeInstanceOf(TokenCallCapError);
    expect((error as TokenCallCapError).resumeAt).toBe(Date.UTC(2026, 10, 23));
    expect(server!.requests).toHaveLength(1);
  });

  it('a wrong client id/secret says so (a refused secret, which custody stops on), and an unreadable expires_in is refused', async () => {
    const c = await setup(answer(401, { error: 'invalid_client' }));
    const refused = await refresh(c);
    expect(refused).toBeInstanceOf(ClientSecretRefusedError);
    expect((refused as Error).message).toMatch(/refused the app\u2019s client secret .* Enter the current client secret from the Exact App Center under Connections \(Edit\), or connect again/);
    const signIn = await c.exchangeCode({ code: 'code-abcdefghijklmnop', codeVerifier: 'v', redirectUri: 'https://x/cb', clientSecret: SECRET }).catch((e: unknown) => e);
    expect(signIn).toBeInstanceOf(ClientSecretRefusedError);
    expect((signIn as Error).message).toMatch(/client ID or client secret/);
    await c.close();
    await server!.close();
    const c2 = await setup(
      answer(200, {
        access_token: 'access-token-new-0000000000',
        token_type: 'bearer',
        expires_in: 'soon',
        refresh_token: 'refresh-token-new-000000000',
      }),
    );
    expect(((await refresh(c2)) as Error).message).toMatch(/unreadable token lifetime \(expires_in "soon"\)/);
  });

  it('a rejected sign-in code needs a new sign-in and quotes Exact\u2019s reason', async () => {
    const c = await setup(
      answer(400, { error: 'invalid_grant', error_description: 'redirect_uri does not match' }),
    );
    const error = await c
      .exchangeCode({
        code: 'code-abcdefghijklmnop',
        codeVerifier: 'v',
        redirectUri: 'https://x/cb',
        clientSecret: SECRET,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeedsReauthError);
    expect((error as Error).message).toMatch(
      /Please sign in to Exact Online again\. Exact Online said: "redirect_uri does not match"/,
    );
  });

  it('never writes tokens or the client secret to the log', async () => {
    const c = await setup(
      answer(200, {
        access_token: 'access-token-new-0000000000',
        token_type: 'bearer',
        expires_in: '600',
        refresh_token: 'refresh-token-new-000000000',
      }),
    );
    await c.refreshTokens({ refreshToken: OLD_REFRESH, clientSecret: SECRET });
    await c.exchangeCode({
      code: 'code-abcdefghijklmnop',
      codeVerifier: 'verifier-1234567890',
      redirectUri: 'https://app.example/cb',
      clientSecret: SECRET,
    });
    expect(logLines.length).toBeGreaterThan(0);
    const log = logLines.join('\n');
    for (const secret of [
      SECRET,
      OLD_REFRESH,
      'access-token-new-0000000000',
      'refresh-token-new-000000000',
      'code-abcdefghijklmnop',
    ])
      expect(log).not.toContain(secret);
  });
});

describe('Exact Online API 401 handling', () => {
  it('asks custody once for a new token, repeats once, and surfaces a second 401 instead of looping', async () => {
    let renewals = 0;
    const c = await setup(
      answer(401, { error: { code: '', message: { lang: '', value: 'Unauthorized' } } }),
      {
        getAccessToken: async () => 'access-token-aaaaaaaaaaaaaaaa',
        handleUnauthorized: async () => {
          renewals += 1;
          return 'access-token-bbbbbbbbbbbbbbbb';
        },
      },
    );
    await expect(c.readGlAccounts()).rejects.toBeInstanceOf(UnauthorizedError);
    expect(renewals).toBe(1);
    expect(server!.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer access-token-aaaaaaaaaaaaaaaa',
      'Bearer access-token-bbbbbbbbbbbbbbbb',
    ]);
    expect(server!.requests[0]!.url).toMatch(
      /^\/api\/v1\/42\/financial\/GLAccounts\?\$select=ID%2CCode%2CDescription$/,
    );
  });
});

describe('createExactOnlineConnector settings', () => {
  it('maps regions to hosts and refuses a context on another host', () => {
    expect(exactHostFor('co.uk')).toBe('https://start.exactonline.co.uk');
    const tokens = { getAccessToken: async () => 'x', handleUnauthorized: async () => 'y' };
    const ctx = {
      baseUrl: 'https://start.exactonline.nl',
      allowedHosts: ['start.exactonline.nl'],
      logger: createLogger({ sink: () => undefined }),
      tokens,
    };
    expect(() => createExactOnlineConnector(ctx, { region: 'be', division: 1, clientId: 'c' })).toThrow(
      /for https:\/\/start\.exactonline\.be, but the context names https:\/\/start\.exactonline\.nl/,
    );
    expect(() => createExactOnlineConnector(ctx, { region: 'nl', division: 0, clientId: 'c' })).toThrow(
      /division must be a positive whole number/,
    );
  });
});
