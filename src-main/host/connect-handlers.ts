import type { IpcRequest, IpcResponse, SigninOutcome } from '../../src-shared/ipc';
import { AuthorizationError, type PendingAuthorization } from '../auth/loopback';
import { redactString } from '../connectors/_kit/log';
import { KeychainUnavailableError } from '../credentials';
import type { Connection } from '../store/repos/connections';
import type { AppContext } from './context';
import { IpcFailure } from './errors';
import {
  connectExactOnline,
  connectProcore,
  LIVE_EXACT_ID,
  LIVE_PROCORE_ID,
  type LiveDeps,
} from './live-connections';
import { openerOf } from './systems';
import { connectMondayOAuth, LIVE_MONDAY_ID } from './systems/monday';

/**
 * The Connections screen's live sign-in and "Test connection", on top of live-connections.ts.
 *
 * Who opens the browser: main never does. connections.connectExact / connectMonday answer with
 * the authorization address and the renderer opens it (window.open). In Electron the window-open
 * handler (electron/window.ts) passes allow-listed https addresses to shell.openExternal, i.e.
 * the real Exact hosts and auth.monday.com; the sandbox's http://127.0.0.1 address is opened by
 * the browser host's page itself. Either way the link stays on screen to open or copy by hand.
 */

/** At most one browser sign-in (Exact Online or monday.com) waits at a time, per app context. */
interface SigninAttempt {
  pending: PendingAuthorization;
  /** Settles with the outcome also sent as the 'connection.signin' event. */
  outcome: Promise<SigninOutcome>;
  /** Set when a newer attempt or Cancel replaced this one: its cancellation is not news to the user. */
  superseded: boolean;
  /** The system's words for what went wrong (a pasted address is answered in them too). */
  describe: (error: unknown) => string;
}

const attempts = new WeakMap<AppContext, SigninAttempt>();

const liveDeps = (ctx: AppContext): LiveDeps => ({
  store: ctx.store,
  credentials: ctx.credentials,
  log: ctx.log,
  dataDir: ctx.dataDir,
});

/** How long the loopback listener waits for the browser before the attempt fails. */
const SIGNIN_TIMEOUT_MS = 10 * 60_000;

/** What a sign-in gets from this side: main never opens the browser, it announces the listener. */
interface BrowserSide {
  openBrowser: () => undefined;
  onPending: (pending: PendingAuthorization) => void;
  timeoutMs: number;
}

/** The user's app as both sign-in requests carry it. */
function signinApp(request: IpcRequest<'connections.connectMonday'>) {
  return {
    clientId: request.clientId,
    clientSecret: request.clientSecret,
    redirectUri: request.redirectUri,
    ...(request.baseUrl !== undefined ? { baseUrl: request.baseUrl } : {}),
  };
}

/** Ends the waiting attempt, if any, without an outcome event (a newer attempt or Cancel). */
function supersede(ctx: AppContext): boolean {
  const previous = attempts.get(ctx);
  if (!previous) return false;
  previous.superseded = true;
  previous.pending.cancel();
  attempts.delete(ctx);
  return true;
}

/**
 * The browser sign-in both systems share: `connect` runs the whole sign-in (listener, code
 * exchange, keychain, Test connection) and announces the pending authorization once the listener
 * is up. This call answers then with the address to open; the outcome follows as the
 * 'connection.signin' event (and 'connection.changed' when connected).
 */
async function startBrowserSignin(
  ctx: AppContext,
  connectionId: string,
  connect: (browser: BrowserSide) => Promise<Omit<SigninOutcome, 'outcome'>>,
  describe: (error: unknown) => string,
): Promise<IpcResponse<'connections.connectExact'>> {
  supersede(ctx);
  let announce!: (pending: PendingAuthorization) => void;
  const started = new Promise<PendingAuthorization>((resolve) => (announce = resolve));
  // The renderer opens the address (see above); main only listens.
  const connecting = connect({ openBrowser: () => undefined, onPending: announce, timeoutMs: SIGNIN_TIMEOUT_MS });

  // Before the listener is up, a failure (bad redirect URI, port taken) is this call's answer.
  const pending = await Promise.race([
    started,
    connecting.then(
      () => {
        throw new Error('the sign-in finished before it started');
      },
      (error: unknown) => {
        throw error instanceof AuthorizationError ? new IpcFailure('invalid-request', error.message) : error;
      },
    ),
  ]);

  const outcome = connecting.then(
    (connected): SigninOutcome => ({ ...connected, outcome: 'connected' }),
    (error: unknown): SigninOutcome => ({ connectionId, outcome: 'failed', message: describe(error) }),
  );
  const attempt: SigninAttempt = { pending, outcome, superseded: false, describe };
  attempts.set(ctx, attempt);
  void outcome.then((ended) => {
    if (attempts.get(ctx) === attempt) attempts.delete(ctx);
    // Cancelled too late (the code was already being exchanged): the list still learns of it.
    if (ended.outcome === 'connected')
      ctx.events.emit('connection.changed', { id: ended.connectionId, change: 'saved' });
    if (!attempt.superseded) ctx.events.emit('connection.signin', ended);
  });
  return { authorizationUrl: pending.authorizationUrl, listening: pending.listening };
}

export async function connectExact(
  request: IpcRequest<'connections.connectExact'>,
  ctx: AppContext,
): Promise<IpcResponse<'connections.connectExact'>> {
  return startBrowserSignin(
    ctx,
    LIVE_EXACT_ID,
    async (browser) => {
      const { connection, me } = await connectExactOnline(liveDeps(ctx), {
        ...signinApp(request),
        region: request.region,
        ...(request.division !== undefined ? { division: request.division } : {}),
        ...browser,
      });
      const division = Number(connection.settings['division']);
      const name = me.divisions.find((d) => d.code === division)?.name;
      return {
        connectionId: connection.id,
        message: `Signed in to Exact Online as ${me.fullName}; division ${division}${name ? ` (${name})` : ''}.`,
        divisions: me.divisions.map((d) => ({ code: d.code, name: d.name })),
        division,
      };
    },
    signinProblem,
  );
}

/** monday.com through the user's own monday app (OAuth 2.1), the code path of `connect monday --oauth`. */
export async function connectMonday(
  request: IpcRequest<'connections.connectMonday'>,
  ctx: AppContext,
): Promise<IpcResponse<'connections.connectMonday'>> {
  return startBrowserSignin(
    ctx,
    LIVE_MONDAY_ID,
    async (browser) => {
      const { detail } = await connectMondayOAuth(liveDeps(ctx), { ...signinApp(request), ...browser });
      return { connectionId: LIVE_MONDAY_ID, message: `Signed in to monday.com. Test connection: ${detail}` };
    },
    mondaySigninProblem,
  );
}

/** Paste fallback: completes the waiting sign-in from the address the browser ended on. */
export async function completeSignIn(
  request: IpcRequest<'connections.completeSignIn'>,
  ctx: AppContext,
): Promise<IpcResponse<'connections.completeSignIn'>> {
  const attempt = attempts.get(ctx);
  if (!attempt)
    throw new IpcFailure(
      'conflict',
      'No browser sign-in is waiting. Start again with “Connect to Exact Online” or “Sign in with monday.com”.',
    );
  try {
    attempt.pending.completeFromPastedUrl(request.pastedUrl);
  } catch (error) {
    // A wrong or foreign address does not end the attempt: the user may paste again.
    if (error instanceof AuthorizationError)
      throw new IpcFailure('invalid-request', error.reason === 'state-mismatch' ? STALE_PASTE : attempt.describe(error));
    throw error;
  }
  return attempt.outcome;
}

const STALE_PASTE =
  'That address belongs to another sign-in attempt (its state does not match this one), so it was refused. Paste the address from the sign-in you started last, or start again.';

/** Cancel on screen: the loopback listener stops now rather than at its timeout. */
export function cancelSignIn(
  _request: IpcRequest<'connections.cancelSignIn'>,
  ctx: AppContext,
): Promise<IpcResponse<'connections.cancelSignIn'>> {
  return Promise.resolve({ cancelled: supersede(ctx) });
}

export async function connectProcoreAccount(
  request: IpcRequest<'connections.connectProcore'>,
  ctx: AppContext,
): Promise<IpcResponse<'connections.connectProcore'>> {
  try {
    const { connection, detail } = await connectProcore(liveDeps(ctx), {
      companyId: request.companyId,
      clientId: request.clientId,
      clientSecret: request.clientSecret,
      ...(request.environment !== undefined ? { environment: request.environment } : {}),
      ...(request.apiBaseUrl !== undefined ? { apiBaseUrl: request.apiBaseUrl } : {}),
      ...(request.authBaseUrl !== undefined ? { authBaseUrl: request.authBaseUrl } : {}),
    });
    return { connectionId: connection.id, detail };
  } catch (error) {
    if (error instanceof KeychainUnavailableError) throw error; // dispatch says what to unlock or install
    throw new IpcFailure('unavailable', `Procore did not accept the connection: ${signinProblem(error)}`);
  } finally {
    // Saved on success, rolled back on refusal: the list reloads either way.
    ctx.events.emit('connection.changed', { id: LIVE_PROCORE_ID, change: 'saved' });
  }
}

export async function testConnection(
  request: IpcRequest<'connections.test'>,
  ctx: AppContext,
): Promise<IpcResponse<'connections.test'>> {
  const connection = ctx.store.connections.get(request.id);
  if (!connection) throw new IpcFailure('not-found', `There is no connection with id "${request.id}".`);
  if (connection.mode === 'sandbox') return testSandbox(connection, ctx);
  const opener = openerOf(connection.system);
  if (!opener || connection.id !== opener.liveConnectionId)
    return {
      ok: false,
      problem: `“${connection.label}” was added by hand; only connections made with a “Connect …” button can be tested.`,
    };
  // The process's own custodian of the connection (shared with the keep-alive and the engine).
  const live = opener.openLive(liveDeps(ctx));
  try {
    const result = await live.connector.testConnection();
    return result.ok
      ? { ok: true, detail: result.detail }
      : { ok: false, problem: redactString(result.problem) };
  } finally {
    await live.close();
  }
}

function testSandbox(connection: Connection, ctx: AppContext): IpcResponse<'connections.test'> {
  const simulators = `“${connection.label}” uses the built-in simulators on this computer (demo data, no real account)`;
  return ctx.engine
    ? { ok: true, detail: `${simulators}; the sync engine is running, so they respond.` }
    : {
        ok: false,
        problem: `${simulators}, and the sync engine is not running in this process, so they are not answering.`,
      };
}

/** A failure in words a person can act on; connector and auth errors are written that way (redacted again). */
function signinProblem(error: unknown): string {
  return redactString(error instanceof Error ? error.message : String(error));
}

/**
 * A monday.com sign-in that did not finish, in words saying what to do next. The refused client
 * secret (invalid_client) already says so in the OAuth client's words.
 */
export function mondaySigninProblem(error: unknown): string {
  if (error instanceof AuthorizationError)
    switch (error.reason) {
      case 'denied': {
        // "The provider refused the sign-in: access_denied (The user declined)." → what monday said.
        const said = error.message.replace(/^The provider refused the sign-in: (\S+)(?: \((.*)\))?\.$/s, (_m, code: string, why?: string) => (why ? `${code}: ${why}` : code));
        return `monday.com did not give the app access (${redactString(said)}). Sign in again and choose Authorize; if your account admin must approve the app, ask them to install it first.`;
      }
      case 'timeout':
        return `The monday.com sign-in was not finished within ${SIGNIN_TIMEOUT_MS / 60_000} minutes. Start “Sign in with monday.com” again.`;
      default:
        break;
    }
  return signinProblem(error);
}
