import { createServer, type Server } from 'node:http';
import { createPkcePair, createState, sameSecret, type PkcePair } from './pkce';

/**
 * OAuth 2.0 for native apps (RFC 8252): the system browser sends the user to the provider,
 * which redirects to a listener on the loopback interface. Here:
 *  - the listener binds 127.0.0.1 only, on the port of the registered redirect URI (providers
 *    such as Exact match the URI exactly, so the port is part of the registration);
 *  - `state` and PKCE S256 are generated per attempt; the callback must carry the same state;
 *  - exactly one valid callback is accepted, then the listener closes;
 *  - requests to other paths, with a foreign Host header or the wrong method are refused and
 *    do not end the attempt (a hostile page cannot cancel the user's login);
 *  - the attempt times out.
 * When the registered redirect URI is https (no local certificate can be trusted), or the
 * browser cannot reach the listener, the user pastes the redirected URL instead
 * (`completeFromPastedUrl`).
 */
export interface AuthorizationRequest {
  /** The provider's authorize endpoint, e.g. https://start.exactonline.nl/api/oauth2/auth */
  authorizeEndpoint: string;
  clientId: string;
  /** Registered redirect URI: http://127.0.0.1:PORT/path, http://localhost:PORT/path or https://localhost… */
  redirectUri: string;
  extraParams?: Record<string, string>;
  timeoutMs?: number;
  /** Opens the system browser (Electron shell.openExternal in the app, a printed URL in the CLI). */
  openBrowser: (url: string) => void | Promise<void>;
}

export interface AuthorizationResult {
  code: string;
  state: string;
  pkce: PkcePair;
  redirectUri: string;
}

export class AuthorizationError extends Error {
  constructor(
    readonly reason: 'timeout' | 'denied' | 'state-mismatch' | 'bad-redirect' | 'cancelled' | 'listen-failed',
    message: string,
  ) {
    super(message);
    this.name = 'AuthorizationError';
  }
}

export interface PendingAuthorization {
  /** The URL opened in the browser (also shown to the user to copy by hand). */
  authorizationUrl: string;
  /** Whether a loopback listener is waiting (false for https redirect URIs: paste only). */
  listening: boolean;
  result: Promise<AuthorizationResult>;
  /** Completes the attempt from the URL the browser was redirected to, pasted by the user. */
  completeFromPastedUrl(pasted: string): AuthorizationResult;
  cancel(): void;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function parseRedirectUri(redirectUri: string): URL {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw new AuthorizationError('bad-redirect', `The redirect URI "${redirectUri}" is not a valid URL.`);
  }
  if (!LOOPBACK_HOSTS.has(url.hostname))
    throw new AuthorizationError(
      'bad-redirect',
      `The redirect URI must point at this computer (127.0.0.1 or localhost), not ${url.hostname}.`,
    );
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AuthorizationError('bad-redirect', `The redirect URI must be http or https, not ${url.protocol}`);
  if (url.protocol === 'http:' && !url.port)
    throw new AuthorizationError('bad-redirect', 'An http loopback redirect URI needs an explicit port.');
  return url;
}

export async function startAuthorization(req: AuthorizationRequest): Promise<PendingAuthorization> {
  const redirect = parseRedirectUri(req.redirectUri);
  const pkce = createPkcePair();
  const state = createState();
  const authUrl = new URL(req.authorizeEndpoint);
  authUrl.searchParams.set('client_id', req.clientId);
  authUrl.searchParams.set('redirect_uri', req.redirectUri);
  authUrl.searchParams.set('response_type', 'code');
  authUrl.searchParams.set('state', state);
  authUrl.searchParams.set('code_challenge', pkce.challenge);
  authUrl.searchParams.set('code_challenge_method', pkce.method);
  for (const [k, v] of Object.entries(req.extraParams ?? {})) authUrl.searchParams.set(k, v);

  let settle!: { resolve: (r: AuthorizationResult) => void; reject: (e: Error) => void };
  const result = new Promise<AuthorizationResult>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => {}); // the caller may only use the paste path; never an unhandled rejection
  let done = false;
  let server: Server | null = null;
  const timer = setTimeout(
    () => finish(new AuthorizationError('timeout', 'The sign-in was not completed in time. Start it again.')),
    req.timeoutMs ?? 5 * 60_000,
  );
  timer.unref();

  function finish(outcome: AuthorizationResult | Error): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    server?.close();
    server?.closeAllConnections();
    if (outcome instanceof Error) settle.reject(outcome);
    else settle.resolve(outcome);
  }

  /** Validates a callback's query; returns the result or the error to report. */
  function evaluate(params: URLSearchParams): AuthorizationResult | AuthorizationError {
    const gotState = params.get('state') ?? '';
    if (!sameSecret(gotState, state))
      return new AuthorizationError('state-mismatch', 'The sign-in response does not belong to this attempt.');
    const error = params.get('error');
    if (error) {
      const description = params.get('error_description') ?? '';
      return new AuthorizationError('denied', `The provider refused the sign-in: ${error}${description ? ` (${description})` : ''}.`);
    }
    const code = params.get('code');
    if (!code) return new AuthorizationError('bad-redirect', 'The sign-in response has no authorization code.');
    return { code, state, pkce, redirectUri: req.redirectUri };
  }

  const listening = redirect.protocol === 'http:';
  if (listening) {
    server = createServer((httpReq, res) => {
      const host = (httpReq.headers.host ?? '').toLowerCase();
      const url = new URL(httpReq.url ?? '/', 'http://127.0.0.1');
      const page = (status: number, text: string): void => {
        res.writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'",
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        });
        res.end(`<!doctype html><meta charset="utf-8"><title>ml-connector</title><p>${text}</p>`);
      };
      if (host !== `${redirect.hostname}:${redirect.port}` && host !== `127.0.0.1:${redirect.port}`) {
        page(400, 'Unexpected host.');
        return;
      }
      if (httpReq.method !== 'GET' || url.pathname !== redirect.pathname) {
        page(404, 'Not found.');
        return;
      }
      if (done) {
        page(410, 'This sign-in attempt is already finished.');
        return;
      }
      const outcome = evaluate(url.searchParams);
      if (outcome instanceof AuthorizationError && outcome.reason === 'state-mismatch') {
        // A forged or stale callback: refuse it, keep waiting for the real one.
        page(400, 'This sign-in response does not belong to the current attempt.');
        return;
      }
      page(
        outcome instanceof Error ? 400 : 200,
        outcome instanceof Error
          ? 'Sign-in failed. Return to ml-connector for details.'
          : 'Signed in. You can close this window and return to ml-connector.',
      );
      finish(outcome);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(Number(redirect.port), '127.0.0.1', () => resolve());
      });
    } catch (err) {
      clearTimeout(timer);
      throw new AuthorizationError(
        'listen-failed',
        `Cannot listen on 127.0.0.1:${redirect.port} for the sign-in callback (${(err as Error).message}). ` +
          'Close the program using that port, or use the paste-the-URL option.',
      );
    }
  }

  const authorizationUrl = authUrl.toString();
  await req.openBrowser(authorizationUrl);

  return {
    authorizationUrl,
    listening,
    result,
    completeFromPastedUrl(pasted: string): AuthorizationResult {
      let url: URL;
      try {
        url = new URL(pasted.trim());
      } catch {
        throw new AuthorizationError('bad-redirect', 'That is not a URL. Paste the full address from the browser bar.');
      }
      if (url.origin + url.pathname !== redirect.origin + redirect.pathname)
        throw new AuthorizationError(
          'bad-redirect',
          `That address does not start with the registered redirect URI ${redirect.origin}${redirect.pathname}.`,
        );
      const outcome = evaluate(url.searchParams);
      if (outcome instanceof Error) throw outcome;
      finish(outcome);
      return outcome;
    },
    cancel: () => finish(new AuthorizationError('cancelled', 'The sign-in was cancelled.')),
  };
}
