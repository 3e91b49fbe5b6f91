import { fileURLToPath } from 'node:url';
import { connectionStatusAdvice, connectionStatusWords } from '../../../src-shared/domain/connection-words';
import type { IpcMethodName, IpcRequestInput, IpcResponse } from '../../../src-shared/ipc';
import { createLogger } from '../../connectors/_kit/log';
import { KeytarCredentialStore } from '../../credentials';
import { startSandbox, type Sandbox } from '../../sandbox';
import { createAppContext } from '../app-context';
import { APP_SANDBOX_CONFIG } from '../systems';
import type { CliCommand, CliIo } from '../cli-types';
import type { AppContext } from '../context';
import { dispatch } from '../handlers';
import { serveApp, type ServedApp } from '../serve';

/** The built renderer, next to the sources (the CLI runs from the checkout via tsx). */
const RENDERER_DIR = fileURLToPath(new URL('../../../dist/renderer', import.meta.url));
const RECENT_RUNS = 10;
/** The demo data `serve --sandbox` starts with (the same as `sync exact-procore --sandbox`'s defaults). */
const SANDBOX_SEED = 1;
const SANDBOX_SCALE = 1;

/** Logs go to stderr as JSON lines (redacted); stdout is reserved for the command's output. */
function stderrLogger(io: CliIo) {
  return createLogger({ sink: (line) => io.err(line) });
}

/** Calls a contract method the same way the UI does; a failure becomes an Error with its message. */
async function call<M extends IpcMethodName>(
  ctx: AppContext,
  method: M,
  request?: IpcRequestInput<M>,
): Promise<IpcResponse<M>> {
  const result = await dispatch(method, request, ctx);
  if (!result.ok) throw new Error(`${result.error.message} (${result.error.code})`);
  return result.value as IpcResponse<M>;
}

export const statusCommand: CliCommand = {
  path: ['status'],
  summary: 'Show the data folder, database version, connections and recent runs.',
  usage: '[--data-dir D] [--json]',
  options: {},
  dataFolder: 'read',
  async run(_args, io) {
    // Read only: works on a read-only data folder and never creates one.
    const ctx = createAppContext({
      dataDir: io.dataDir,
      credentials: new KeytarCredentialStore(),
      log: stderrLogger(io),
      access: 'read',
    });
    try {
      const status = await call(ctx, 'app.status');
      const { runs } = await call(ctx, 'runs.list', { limit: RECENT_RUNS });
      // Straight from the store: the status column is what matters here, and reading the
      // keychain for "which secrets are set" would fail on a machine without a desktop session.
      const connections = ctx.store.connections
        .list()
        .map(({ id, system, label, mode, status: state, updatedAt }) => ({
          id,
          system,
          label,
          mode,
          status: state,
          updatedAt,
        }));
      if (io.json) {
        io.out(JSON.stringify({ ...status, connections, recentRuns: runs }));
        return 0;
      }
      io.out(`Data folder:     ${status.dataDir}`);
      io.out(`Database version: ${status.schemaVersion}`);
      io.out(
        `Audit entries:   ${status.counts.auditEntries}${status.auditHead ? ` (last #${status.auditHead.seq}, hash ${status.auditHead.hash.slice(0, 12)}…)` : ''}`,
      );
      io.out(`Parked records:  ${status.counts.openParked}`);
      io.out(`Connections:     ${connections.length === 0 ? 'none yet' : connections.length}`);
      for (const c of connections) {
        io.out(`  ${c.label}  [${c.mode === 'sandbox' ? 'sandbox' : 'your account'}: ${connectionStatusWords(c.status, c.mode)}]`);
        // A stopped connection says what to do (the same words as the Connections screen).
        const advice = c.status === 'secret-refused' || c.status === 'needs-reauth' ? connectionStatusAdvice(c.status, c.mode) : null;
        if (advice) io.out(`    ${advice}`);
      }
      io.out(`Recent runs:     ${runs.length === 0 ? 'none yet' : ''}`.trimEnd());
      for (const run of runs) {
        io.out(
          `  ${run.startedAt}  ${run.flow.padEnd(6)} ${run.status}${run.error ? ` — ${run.error}` : ''}`,
        );
      }
      return 0;
    } finally {
      ctx.close();
    }
  },
};

export const serveCommand: CliCommand = {
  path: ['serve'],
  summary:
    'Run the app in this machine’s browser: prints {"url": …} (with a one-time token) and serves until Ctrl+C.',
  stopsGracefully: true,
  usage: '[--data-dir D] [--port P] [--sandbox]',
  options: {
    port: { type: 'string', description: 'Port on 127.0.0.1 (default: a free one).' },
    sandbox: {
      type: 'boolean',
      description: 'Also start the six sandbox simulators in-process, with demo data.',
    },
  },
  async run(args, io) {
    const port = parsePort(args.values['port']);
    if (port === null) {
      io.err('--port must be a whole number from 0 to 65535.');
      return 2;
    }
    const ctx = createAppContext({
      dataDir: io.dataDir,
      credentials: new KeytarCredentialStore(),
      log: stderrLogger(io),
    });
    let sandbox: Sandbox | null = null;
    if (args.values['sandbox'] === true) {
      try {
        // In-process simulators on loopback, state in <data dir>/sandbox (see src-main/sandbox).
        sandbox = await startSandbox({ dataDir: ctx.dataDir, seed: SANDBOX_SEED, scale: SANDBOX_SCALE, config: APP_SANDBOX_CONFIG });
      } catch (error) {
        ctx.close();
        io.err(`The sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
      for (const [system, simulator] of Object.entries(sandbox.systems))
        io.err(`sandbox ${system}: ${simulator.baseUrl}`);
    }
    // The sync engine runs in this process when the flow's connections can be opened (also
    // later, once a connection made in the page completes them), with its background schedule;
    // live sign-ins are kept alive either way.
    let served: ServedApp;
    try {
      served = await serveApp(ctx, {
        port,
        rendererDir: RENDERER_DIR,
        ...(sandbox ? { sandbox: { seed: SANDBOX_SEED, scale: SANDBOX_SCALE, running: sandbox } } : {}),
      });
    } catch (error) {
      await sandbox?.close();
      ctx.close();
      const message = error instanceof Error ? error.message : String(error);
      const code = (error as { code?: unknown }).code;
      io.err(code === 'EADDRINUSE' || code === 'EACCES' ? `Could not listen on 127.0.0.1:${port}: ${message}` : `The app could not start: ${message}`);
      return 1;
    }
    // Each flow that cannot run yet says what to connect (it joins as soon as a connection completes it).
    for (const { reason } of served.engine.flows.unavailable.values()) io.err(`Not syncing yet: ${reason}`);
    io.out(JSON.stringify({ url: served.host.url }));
    await new Promise<void>((resolveStop) => {
      if (io.signal.aborted) resolveStop();
      io.signal.addEventListener('abort', () => resolveStop(), { once: true });
    });
    await served.close(typeof io.signal.reason === 'string' ? io.signal.reason : undefined);
    await sandbox?.close();
    ctx.close();
    return 0;
  },
};

function parsePort(value: unknown): number | null {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value)) return null;
  const port = Number(value);
  return port <= 65_535 ? port : null;
}
