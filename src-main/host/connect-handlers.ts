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

/**
 * The Connections screen's live sign-in and "Test connection", on top of live-connections.ts.
 *
 * Who opens the browser: main never does. connections.connectExact answers with the
 * authorization address and the renderer opens it (window.open). In Electron the window-open
 * handler (electron/window.ts) passes allow-listed https addresses to shell.openExternal, i.e.
 * the real Exact hosts; the sandbox's http://127.0.0.1 address is opened by the browser host's
 * page itself. Either way the link stays on screen to open or copy by hand.
 */

/** At most one Exact Online sign-in waits at a time, per app context. */
interface ExactAttempt {
  pending: PendingAuthorization;
  /** Settles with the outcome also sent as the 'connection.signin' event. */
  outcome: Promise<SigninOutcome>;
  /** Set when a newer attempt replaced this one: its cancellation is not news to the user. */
  superseded: boolean;
}

const attempts = new WeakMap<AppContext, ExactAttempt>();

const liveDeps = (ctx: AppContext): LiveDeps => ({
  store: ctx.store,
  credentials: ctx.credentials,
  log: ctx.log,
  dataDir: ctx.dataDir,
});

/** How long the loopback listener waits for the browser before the attempt fails. */
const SIGNIN_TIMEOUT_MS = 10 * 60_000;

export async function connectExact(
  request: IpcRequest<'connections.connectExact'>,
  ctx: AppContext,
): Promise<IpcResponse<'connections.connectExact'>> {
  const previous = attempts.get(ctx);
  if (previous) {
    previous.superseded = true;
    previous.pending.cancel();
    attempts.delete(ctx);
  }

  let announce!: (pending: PendingAuthorization) => void;
  const started = new Promise<PendingAuthorization>((resolve) => (announce = resolve));
  const connecting = connectExactOnline(liveDeps(ctx), {
    region: request.region,
    clientId: request.clientId,
    clientSecret: request.clientSecret,
    redirectUri: request.redirectUri,
    ...(request.baseUrl !== undefined ? { baseUrl: request.baseUrl } : {}),
    ...(request.division !== undefined ? { division: request.division } : {}),
    openBrowser: () => undefined, // the renderer opens the address (see above)
    onPending: announce,
    timeoutMs: SIGNIN_TIMEOUT_MS,
  });

  // Before the listener is up, a failure (bad redirect URI, port taken) is this call's answer.
  const pending = await Promise.race([
    started,
    connecting.then(
      () => {
        throw new Error('the Exact Online sign-in finished before it started');
      },
      (error: unknown) => {
        throw error instanceof AuthorizationError ? new IpcFailure('invalid-request', error.message) : error;
      },
    ),
  ]);

  const outcome = connecting.then(
    ({ connection, me }): SigninOutcome => {
      const division = Number(connection.settings['division']);
      const name = me.divisions.find((d) => d.code === division)?.name;
      return {
        connectionId: connection.id,
        outcome: 'connected',
        message: `Signed in to Exact Online as ${me.fullName}; division ${division}${name ? ` (${name})` : ''}.`,
        divisions: me.divisions.map((d) => ({ code: d.code, name: d.name })),
        division,
      };
    },
    (error: unknown): SigninOutcome => ({
      connectionId: LIVE_EXACT_ID,
      outcome: 'failed',
      message: signinProblem(error),
    }),
  );
  const attempt: ExactAttempt = { pending, outcome, superseded: false };
  attempts.set(ctx, attempt);
  void outcome.then((ended) => {
    if (attempts.get(ctx) === attempt) attempts.delete(ctx);
    if (attempt.superseded) return;
    if (ended.outcome === 'connected')
      ctx.events.emit('connection.changed', { id: ended.connectionId, change: 'saved' });
    ctx.events.emit('connection.signin', ended);
  });
  return { authorizationUrl: pending.authorizationUrl, listening: pending.listening };
}

/** Paste fallback: completes the waiting sign-in from the address the browser ended on. */
export async function completeExactSignIn(
  request: IpcRequest<'connections.completeExactSignIn'>,
  ctx: AppContext,
): Promise<IpcResponse<'connections.completeExactSignIn'>> {
  const attempt = attempts.get(ctx);
  if (!attempt)
    throw new IpcFailure(
      'conflict',
      'No Exact Online sign-in is waiting. Start again with “Connect to Exact Online”.',
    );
  try {
    attempt.pending.completeFromPastedUrl(request.pastedUrl);
  } catch (error) {
    // A wrong or foreign address does not end the attempt: the user may paste again.
    if (error instanceof AuthorizationError) throw new IpcFailure('invalid-request', error.message);
    throw error;
  }
  return attempt.outcome;
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
