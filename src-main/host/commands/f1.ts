import { copyFileSync, createWriteStream, readFileSync } from 'node:fs';
import { InMemoryCredentialStore, KeytarCredentialStore } from '../../credentials';
import { createAppContext } from '../app-context';
import { dispatch } from '../handlers';
import { createLogger } from '../../connectors/_kit/log';
import { F1_FLOW } from '../../engine/flows/exact-procore/mappings';
import { replayAuditEntry, retryParked, runExactProcore, type RunSummary } from '../../engine/flows/exact-procore/flow';
import { exportAuditCsv, openStore, type Store } from '../../store';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeHolder, FlowBusyError } from '../../engine/sync/run-lock';
import { EXIT_BUSY, exitCodeOfSignal, type CliCommand, type CliIo } from '../cli-types';
import { openF1Runtime, type SandboxRunOptions } from '../f1-runtime';
import { suggestVendorLinksFromProcore } from '../vendor-suggestions';

/** CLI commands of the Exact Online → Procore flow (issue 4's command line). */

const FLOWS = [F1_FLOW] as const;

class UsageError extends Error {}

function intOption(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${String(value)}"`);
  return n;
}

function withStore<T>(io: CliIo, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(io.dataDir);
  return work(store).finally(() => store.close());
}

function summaryLine(s: RunSummary, apiCalls: { exact: number; procore: number }): string {
  return JSON.stringify({
    flow: F1_FLOW,
    created: s.counts.created,
    updated: s.counts.updated,
    unchanged: s.counts.unchanged,
    parked: s.counts.parked,
    failed: s.counts.failed,
    apiCalls,
    durationMs: s.durationMs,
    status: s.status,
    deleted: s.counts.deleted,
    recovered: s.counts.recovered,
    ...(s.error ? { error: s.error } : {}),
  });
}

function describe(s: RunSummary): string {
  const c = s.counts;
  return `${s.status}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.parked} waiting in Pending validation, ${c.failed} failed, ${c.deleted} closed after deletion${c.recovered ? `, ${c.recovered} recovered after an interruption` : ''} (${Math.round(s.durationMs / 100) / 10} s)`;
}

async function withRuntime<T>(io: CliIo, sandbox: SandboxRunOptions | undefined, work: (rt: Awaited<ReturnType<typeof openF1Runtime>>) => Promise<T>): Promise<T> {
  return withStore(io, async (store) => {
    const rt = await openF1Runtime({ store, dataDir: io.dataDir, log: createLogger({ sink: (line) => io.err(line), level: 'warn' }), credentials: new KeytarCredentialStore(), ...(sandbox ? { sandbox } : {}) });
    try {
      return await work(rt);
    } finally {
      await rt.close();
    }
  });
}

export const syncCommand: CliCommand = {
  path: ['sync'],
  summary: 'Run one full sync of a flow (exact-procore), e.g. on the embedded sandbox.',
  usage: 'exact-procore [--sandbox] [--seed N] [--scale S] [--latency-ms L] [--faults SPEC] [--wait] [--json]',
  stopsGracefully: true,
  options: {
    sandbox: { type: 'boolean', description: 'use the embedded simulators (no credentials needed)' },
    wait: { type: 'boolean', description: 'if another process is running this flow in the data folder, wait for it instead of stopping (exit 3)' },
    seed: { type: 'string', description: 'sandbox data seed (default 1)' },
    scale: { type: 'string', description: 'sandbox data scale (default 1)' },
    'latency-ms': { type: 'string', description: 'added latency per sandbox API call' },
    faults: { type: 'string', description: 'sandbox fault SPEC, e.g. 5xx=0.05,429=0.02' },
  },
  async run({ values, positionals }, io) {
    const flow = positionals[0];
    if (!flow || !(FLOWS as readonly string[]).includes(flow)) {
      io.err(`sync: name a flow: ${FLOWS.join(', ')}`);
      return 2;
    }
    let sandbox: SandboxRunOptions | undefined;
    try {
      if (values['sandbox'])
        sandbox = {
          seed: intOption(values['seed'], 'seed', 1),
          scale: intOption(values['scale'], 'scale', 1, 1),
          ...(values['latency-ms'] !== undefined ? { latencyMs: intOption(values['latency-ms'], 'latency-ms', 0) } : {}),
          ...(typeof values['faults'] === 'string' ? { faults: values['faults'] } : {}),
        };
    } catch (err) {
      if (err instanceof UsageError) {
        io.err(`sync: ${err.message}`);
        return 2;
      }
      throw err;
    }
    return withRuntime(io, sandbox, async (rt) => {
      let lastReport = 0;
      const summary = await untilFree(io, flow, Boolean(values['wait']), () =>
        runExactProcore(
          {
            ...rt.deps,
            signal: io.signal,
            onProgress: (c) => {
              if (Date.now() - lastReport < 1000) return;
              lastReport = Date.now();
              io.err(`… ${c.read} records read, ${c.created + c.updated} written, ${c.parked} parked`);
            },
          },
          'cli',
        ),
      );
      if (typeof summary === 'number') return summary;
      if (io.json) io.out(summaryLine(summary, rt.apiCalls()));
      else {
        io.out(describe(summary));
        if (summary.error) io.out(summary.error);
        if (summary.counts.parked > 0) io.out('See what is waiting: npx ml-connector parked list');
      }
      return exitCodeOf(summary, io);
    });
  },
};

function exitCodeOf(summary: RunSummary, io: CliIo): number {
  if (summary.status === 'cancelled') return exitCodeOfSignal(io.stoppedBy() ?? 'SIGINT');
  return summary.status === 'failed' ? 1 : 0;
}

/**
 * Runs `work`; while another process holds the flow, either reports it (exit 3, nothing done)
 * or, with --wait, tries again every 2 s until that run ends or this command is stopped.
 */
async function untilFree(io: CliIo, flow: string, wait: boolean, work: () => Promise<RunSummary>): Promise<RunSummary | number> {
  let announced = false;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof FlowBusyError)) throw error;
      if (!wait) return reportBusy(io, error);
      if (!announced) io.err(`Waiting for ${describeHolder(error.holder)} to finish ${flow} in this data folder…`);
      announced = true;
      try {
        await sleep(2_000, undefined, { signal: io.signal });
      } catch {
        io.err('Stopped while waiting; nothing was read or written.');
        return exitCodeOfSignal(io.stoppedBy() ?? 'SIGINT');
      }
    }
  }
}

export function reportBusy(io: CliIo, error: FlowBusyError): number {
  const h = error.holder;
  if (io.json)
    io.out(JSON.stringify({ flow: error.flow, status: 'busy', heldBy: { pid: h.pid, host: h.host, command: h.command, startedAt: h.acquiredAt, runId: h.runId }, error: error.message }));
  else io.err(error.message);
  return EXIT_BUSY;
}

export const parkedListCommand: CliCommand = {
  path: ['parked', 'list'],
  summary: 'List records waiting in Pending validation, with the reason in plain words.',
  usage: '[--json]',
  options: {},
  run: (_args, io) =>
    withStore(io, async (store) => {
      const open = store.parked.listOpen();
      if (io.json) {
        io.out(JSON.stringify({ parked: open.map((p) => ({ id: p.id, flow: p.flow, stream: p.stream, sourceId: p.sourceId, reasonCode: p.reasonCode, reason: p.reasonText, parkedAt: p.parkedAt })) }));
        return 0;
      }
      if (open.length === 0) io.out('Nothing is waiting.');
      for (const p of open) io.out(`#${p.id}  ${p.flow}/${p.stream}  ${p.reasonText}`);
      return 0;
    }),
};

export const replayCommand: CliCommand = {
  path: ['replay'],
  summary: 'Replay an audit entry, or retry every parked record (--parked). Idempotent.',
  usage: '<audit-id> | --parked [--json]',
  options: { parked: { type: 'boolean', description: 'retry all parked records' } },
  async run({ values, positionals }, io) {
    const id = positionals[0];
    if (!values['parked'] && (id === undefined || !/^\d+$/.test(id))) {
      io.err('replay: give an audit entry number, or --parked');
      return 2;
    }
    return withRuntime(io, undefined, async (rt) => {
      const deps = { ...rt.deps, signal: io.signal };
      let summary: RunSummary;
      try {
        summary = values['parked'] ? await retryParked(deps, {}, 'cli') : await replayAuditEntry(deps, Number(id));
      } catch (error) {
        if (error instanceof FlowBusyError) return reportBusy(io, error);
        throw error;
      }
      if (io.json) io.out(summaryLine(summary, rt.apiCalls()));
      else io.out(('message' in summary ? `${summary.message} ` : '') + describe(summary));
      return exitCodeOf(summary, io);
    });
  },
};

export const exportAuditCommand: CliCommand = {
  path: ['export-audit'],
  summary: 'Export the audit log to an Excel-safe CSV file (streamed).',
  usage: '--csv FILE [--json]',
  options: { csv: { type: 'string', description: 'destination file' } },
  async run({ values }, io) {
    const file = values['csv'];
    if (typeof file !== 'string' || !file) {
      io.err('export-audit: --csv FILE is required');
      return 2;
    }
    return withStore(io, async (store) => {
      const { rows } = await exportAuditCsv(store, {}, createWriteStream(file));
      if (io.json) io.out(JSON.stringify({ file, rows }));
      else io.out(`Wrote ${rows} audit entries to ${file}`);
      return 0;
    });
  },
};

export const auditVerifyCommand: CliCommand = {
  path: ['audit', 'verify'],
  summary: 'Check the audit log hash chain: edited, deleted or reordered entries are reported.',
  usage: '[--json]',
  options: {},
  run: (_args, io) =>
    withStore(io, async (store) => {
      const verdict = store.audit.verifyAuditChain();
      if (io.json) io.out(JSON.stringify(verdict));
      else io.out(verdict.ok ? `Audit chain intact (${verdict.checked} entries).` : `Audit chain BROKEN at entry ${verdict.firstBadSeq}: ${verdict.reason}`);
      return verdict.ok ? 0 : 1;
    }),
};

const MAPPING_SETS = ['projects', 'costs', 'vendors'] as const;

export const mappingsCommand: CliCommand = {
  path: ['mappings'],
  summary: 'Export or import a mapping table as CSV (Excel-safe), or list suggested supplier → vendor links.',
  usage: 'export|import exact-procore FILE.csv [--set projects|costs|vendors]  |  suggest exact-procore [--json]',
  options: { set: { type: 'string', description: 'which table (default: costs, the GL + cost center → cost code table)' } },
  async run({ values, positionals }, io) {
    const [action, flow, file] = positionals;
    const set = typeof values['set'] === 'string' ? values['set'] : 'costs';
    if (!action || !['export', 'import', 'suggest'].includes(action) || flow !== F1_FLOW || (action !== 'suggest' && !file)) {
      io.err(`mappings: usage: mappings ${this.usage}`);
      return 2;
    }
    if (!(MAPPING_SETS as readonly string[]).includes(set)) {
      io.err(`mappings: --set must be one of ${MAPPING_SETS.join(', ')}`);
      return 2;
    }
    if (action === 'suggest') {
      return withRuntime(io, undefined, async (rt) => {
        const { suggestions, apiCalls } = await suggestVendorLinksFromProcore(rt);
        if (io.json) io.out(JSON.stringify({ suggestions, apiCalls }));
        else if (suggestions.length === 0) io.out('No new suggestions: every supplier with a matching Procore vendor is linked.');
        else for (const x of suggestions) io.out(`${x.supplierCode}  ${x.supplierName}  →  vendor ${x.vendorId} ${x.vendorName}  (same ${x.matchedBy.replace('_', ' ')})`);
        return 0;
      });
    }
    const ctx = createAppContext({ dataDir: io.dataDir, credentials: new InMemoryCredentialStore(), log: createLogger({ sink: (line) => io.err(line), level: 'warn' }) });
    try {
      if (action === 'export') {
        const result = await dispatch('mappings.exportCsv', { flow, set }, ctx);
        if (!result.ok) throw new Error(result.error.message);
        const { path, rows } = result.value as { path: string; rows: number };
        copyFileSync(path, file!);
        io.out(io.json ? JSON.stringify({ file, rows }) : `Wrote ${rows} rows of ${flow}/${set} to ${file}`);
        return 0;
      }
      const result = await dispatch('mappings.importCsv', { flow, set, csv: readFileSync(file!, 'utf8'), note: `imported from ${file} (CLI)` }, ctx);
      if (!result.ok) {
        io.err(`mappings import: ${result.error.message}`);
        return 1;
      }
      const { rows, version } = result.value as { rows: number; version: { version: number } };
      io.out(io.json ? JSON.stringify({ file, rows, version: version.version }) : `Imported ${rows} rows as version ${version.version} of ${flow}/${set}. Run \`npx ml-connector replay --parked\` to retry what was waiting.`);
      return 0;
    } finally {
      ctx.close();
    }
  },
};

export const f1Commands: CliCommand[] = [syncCommand, parkedListCommand, replayCommand, exportAuditCommand, auditVerifyCommand, mappingsCommand];
