import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InMemoryCredentialStore, KeytarCredentialStore } from '../../credentials';
import { createAppContext } from '../app-context';
import { dispatch } from '../handlers';
import { createLogger } from '../../connectors/_kit/log';
import { FLOWS, findFlow } from '../../engine/flows/registry';
import { ReadFailedError } from '../../engine/sync/explain-read-failure';
import type { RunSummary } from '../../engine/sync/flow-run';
import { describeHolder, FlowBusyError } from '../../engine/sync/run-lock';
import { exportAuditCsv, openStore, type Store } from '../../store';
import { EXIT_BUSY, exitCodeOfSignal, type CliCommand, type CliIo } from '../cli-types';
import { IpcFailure } from '../errors';
import { writeExportFile } from '../exports';
import { openFlowHost, type OpenFlow } from '../flow-host';
import { ConnectionsHub, systemLabel, type SandboxRunOptions } from '../systems';
import { auditEntryLabel, parkedLabel, waitingMoney } from '../record-names';
import { daysSince, formatDay, formatMoney, formatMoneyTotals, recordName } from '../../../src-shared/domain/labels';
import { importMappingCsv, previewMappingImport, requireMappingSet, type ReferenceProvider } from '../mapping-tables';
import { ReferenceCache, readTableReference } from '../reference-data';
import type { MappingImportPreview } from '../../../src-shared/ipc';
import { describeReconciliation, reconciliationCsv } from '../reconciliation-views';
import { requestCounters } from '../../connectors/_kit';

/** CLI commands of every flow of the registry: sync, parked records, replay, audit, mappings. */

const FLOW_IDS = FLOWS.map((f) => f.id);
const FLOW_USAGE = FLOW_IDS.join('|');

class UsageError extends Error {}

function intOption(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${String(value)}"`);
  return n;
}

/** `access` 'read' for commands that only read (a read-only folder works; nothing is created or migrated). */
function withStore<T>(io: CliIo, work: (store: Store) => Promise<T>, access: 'read' | 'write' = 'write'): Promise<T> {
  const store = openStore(io.dataDir, { access });
  return work(store).finally(() => store.close());
}

/** API calls per API name ("exact", "procore", …) for the flow's systems, since `start`. */
function flowApiCalls(flow: OpenFlow, start: Record<string, number>, end: Record<string, number>): Record<string, number> {
  return Object.fromEntries(flow.plugin.systems.map((s) => ConnectionsHub.apiOf(s)).map((api) => [api, (end[api] ?? 0) - (start[api] ?? 0)]));
}

function summaryLine(flow: string, s: RunSummary, apiCalls: Record<string, number>): string {
  return JSON.stringify({
    flow,
    created: s.counts.created,
    updated: s.counts.updated,
    unchanged: s.counts.unchanged,
    parked: s.counts.parked,
    flagged: s.counts.flagged,
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
  return `${s.status}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.parked} waiting in Pending validation,${c.flagged ? ` ${c.flagged} written but listed there for review,` : ''} ${c.failed} failed, ${c.deleted} closed after deletion${c.recovered ? `, ${c.recovered} recovered after an interruption` : ''} (${Math.round(s.durationMs / 100) / 10} s)`;
}

/** A flow opened for one command (its connections, on the sandbox when asked); exit 1 with the reason when it cannot run. */
async function withFlow(io: CliIo, flowId: string, sandbox: SandboxRunOptions | undefined, work: (flow: OpenFlow, apiCalls: () => Record<string, number>, store: Store) => Promise<number>): Promise<number> {
  return withStore(io, async (store) => {
    const host = await openFlowHost({
      store,
      dataDir: io.dataDir,
      log: createLogger({ sink: (line) => io.err(line), level: 'warn' }),
      credentials: new KeytarCredentialStore(),
      only: [flowId],
      ...(sandbox ? { sandbox } : {}),
    });
    try {
      const flow = host.flows.get(flowId);
      if (!flow) {
        io.err(host.unavailable.get(flowId)?.reason ?? `${flowId} cannot run here.`);
        return 1;
      }
      const start = host.hub.apiCalls();
      return await work(flow, () => flowApiCalls(flow, start, host.hub.apiCalls()), store);
    } finally {
      await host.close();
    }
  });
}

/** Every API's request count in this process (a reconciliation reports its own difference). */
function apiCallsByName(): Record<string, number> {
  return Object.fromEntries(Object.entries(requestCounters.snapshot()).map(([api, c]) => [api, c.total]));
}

/** The flow named on the command line, or a usage error listing the flows. */
export function flowArgument(io: CliIo, command: string, value: string | undefined): string | null {
  if (value && findFlow(value)) return value;
  io.err(`${command}: ${value ? `there is no flow "${value}"` : 'name a flow'}: ${FLOW_IDS.join(', ')}`);
  return null;
}

export const syncCommand: CliCommand = {
  path: ['sync'],
  summary: `Run one full sync of a flow (${FLOW_IDS.join(', ')}), e.g. on the embedded sandbox.`,
  usage: `${FLOW_USAGE} [--sandbox] [--seed N] [--scale S] [--latency-ms L] [--faults SPEC] [--wait] [--json]`,
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
    const flowId = flowArgument(io, 'sync', positionals[0]);
    if (!flowId) return 2;
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
    return withFlow(io, flowId, sandbox, async (flow, apiCalls, store) => {
      let lastReport = 0;
      const summary = await untilFree(io, flowId, Boolean(values['wait']), () =>
        flow.runtime.run({
          trigger: 'cli',
          signal: io.signal,
          onProgress: (c) => {
            if (Date.now() - lastReport < 1000) return;
            lastReport = Date.now();
            io.err(`… ${c.read} records read, ${c.created + c.updated} written, ${c.parked} parked`);
          },
        }),
      );
      if (typeof summary === 'number') return summary;
      if (io.json) io.out(summaryLine(flowId, summary, apiCalls()));
      else {
        io.out(describe(summary));
        if (summary.error) io.out(summary.error);
        if (summary.counts.parked + summary.counts.flagged > 0) {
          const open = store.parked.listOpen(flowId);
          const value = formatMoneyTotals(waitingMoney(store, open).totals);
          io.out(`${plural(open.length, 'record')} wait in Pending validation${value ? ` (${value})` : ''}. See them: npx ml-connector parked list --flow ${flowId}`);
        }
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
  summary: 'List records waiting in Pending validation: document, supplier, project, amount and the reason in plain words.',
  usage: `[--flow ${FLOW_USAGE}] [--json]`,
  options: { flow: { type: 'string', description: 'only this flow' } },
  dataFolder: 'read',
  run: ({ values }, io) =>
    withStore(io, async (store) => {
      const only = typeof values['flow'] === 'string' ? flowArgument(io, 'parked list', values['flow']) : undefined;
      if (only === null) return 2;
      const open = store.parked.listOpen(only);
      const labelled = open.map((p) => ({ record: p, label: parkedLabel(store, p) }));
      const waiting = waitingMoney(store, open);
      if (io.json) {
        io.out(
          JSON.stringify({
            parked: labelled.map(({ record: p, label }) => ({
              // `number` is what `replay <number>` takes: the audit entry that parked the record.
              number: p.auditSeq,
              id: p.id,
              flow: p.flow,
              stream: p.stream,
              sourceId: p.sourceId,
              name: recordName(label),
              label,
              state: p.state,
              reasonCode: p.reasonCode,
              reason: p.reasonText,
              parkedAt: p.parkedAt,
            })),
            totals: waiting.totals,
            oldestParkedAt: waiting.oldestParkedAt,
          }),
        );
        return 0;
      }
      if (open.length === 0) {
        io.out('Nothing is waiting.');
        return 0;
      }
      const value = formatMoneyTotals(waiting.totals);
      io.out(
        `${open.length} record${open.length === 1 ? '' : 's'} waiting in Pending validation${value ? `, worth ${value}` : ''}` +
          `${waiting.oldestParkedAt ? `; the oldest since ${formatDay(waiting.oldestParkedAt.slice(0, 10))} (${plural(daysSince(waiting.oldestParkedAt, Date.now()), 'day')})` : ''}.`,
      );
      for (const { record: p, label } of labelled) {
        const facts = [label.project, label.date ? formatDay(label.date) : null, formatMoney(label.amount, label.currency) || null].filter(Boolean).join(' · ');
        io.out(`${p.auditSeq === null ? '  –' : `#${p.auditSeq}`}  ${recordName(label)}${facts ? ` · ${facts}` : ''}`);
        io.out(`    ${p.state === 'flagged' ? `Created, needs review: ${p.reasonText}` : p.reasonText}`);
      }
      io.out('Replay one with `npx ml-connector replay <#>` (the # is its entry in Audit history), or all with `npx ml-connector replay --parked`.');
      return 0;
    }, 'read'),
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export const replayCommand: CliCommand = {
  path: ['replay'],
  summary: 'Replay an audit entry, or retry every parked record (--parked). Idempotent.',
  usage: `<audit-id> | --parked [--flow ${FLOW_USAGE}] [--json]`,
  stopsGracefully: true,
  options: { parked: { type: 'boolean', description: 'retry all parked records' }, flow: { type: 'string', description: 'with --parked: only this flow' } },
  async run({ values, positionals }, io) {
    const id = positionals[0];
    if (!values['parked'] && (id === undefined || !/^#?\d+$/.test(id))) {
      io.err('replay: give the # of a record in `parked list` or an entry of Audit history (e.g. replay 13), or --parked');
      return 2;
    }
    if (values['parked']) {
      // Every flow with parked records (or the one named), each through its own runtime.
      const only = typeof values['flow'] === 'string' ? flowArgument(io, 'replay', values['flow']) : undefined;
      if (only === null) return 2;
      const flows = await withStore(io, async (store) => FLOW_IDS.filter((f) => (only ? f === only : store.parked.countOpen(f) > 0)));
      if (flows.length === 0) {
        io.out(io.json ? JSON.stringify({ retried: 0 }) : 'Nothing is waiting.');
        return 0;
      }
      let worst = 0;
      for (const flowId of flows) worst = Math.max(worst, await replayIn(io, flowId, (flow) => flow.runtime.retryParked({}, { trigger: 'cli', signal: io.signal })));
      return worst;
    }
    // The entry says which flow it belongs to. `parked list` shows the same numbers (#13 = entry 13).
    const seq = Number(id!.replace(/^#/, ''));
    const entry = await withStore(io, async (store) => store.audit.query({}, { beforeSeq: seq + 1, limit: 1 }).entries[0]);
    if (!entry || entry.seq !== seq) {
      io.err(`replay: there is no audit entry ${seq} (see \`npx ml-connector parked list\`, \`npx ml-connector export-audit\` or the Audit history screen).`);
      return 1;
    }
    return replayIn(io, entry.flow, (flow) => flow.runtime.replay(seq, { trigger: 'cli', signal: io.signal }));
  },
};

async function replayIn(io: CliIo, flowId: string, work: (flow: OpenFlow) => Promise<RunSummary & { message?: string }>): Promise<number> {
  return withFlow(io, flowId, undefined, async (flow, apiCalls) => {
    let summary: RunSummary & { message?: string };
    try {
      summary = await work(flow);
    } catch (error) {
      if (error instanceof FlowBusyError) return reportBusy(io, error);
      throw error;
    }
    if (io.json) io.out(summaryLine(flowId, summary, apiCalls()));
    else io.out((summary.message ? `${summary.message} ` : '') + describe(summary));
    return exitCodeOf(summary, io);
  });
}

export const exportAuditCommand: CliCommand = {
  path: ['export-audit'],
  summary: 'Export the audit log to an Excel-safe CSV file (streamed).',
  usage: '--csv FILE [--json]',
  options: { csv: { type: 'string', description: 'destination file' } },
  dataFolder: 'read',
  async run({ values }, io) {
    const file = values['csv'];
    if (typeof file !== 'string' || !file) {
      io.err('export-audit: --csv FILE is required');
      return 2;
    }
    return withStore(io, async (store) => {
      let rows: number;
      try {
        // Through a temporary file renamed into place: a failed export never looks complete.
        ({ rows } = await writeExportFile({ fileName: basename(file), rows: null, write: (out) => exportAuditCsv(store, {}, out, auditEntryLabel) }, resolvePath(file)));
      } catch (error) {
        if (!(error instanceof IpcFailure)) throw error;
        io.err(`export-audit: ${error.message}`);
        return 1;
      }
      if (io.json) io.out(JSON.stringify({ file, rows }));
      else io.out(`Wrote ${rows} audit entries to ${file}`);
      return 0;
    }, 'read');
  },
};

export const auditVerifyCommand: CliCommand = {
  path: ['audit', 'verify'],
  summary: 'Check the audit log hash chain: edited, deleted or reordered entries are reported.',
  usage: '[--json]',
  options: {},
  dataFolder: 'read',
  run: (_args, io) =>
    withStore(io, async (store) => {
      const verdict = store.audit.verifyAuditChain();
      if (io.json) io.out(JSON.stringify(verdict));
      else io.out(verdict.ok ? `Audit chain intact (${verdict.checked} entries).` : `Audit chain BROKEN at entry ${verdict.firstBadSeq}: ${verdict.reason}`);
      return verdict.ok ? 0 : 1;
    }, 'read'),
};

export const mappingsCommand: CliCommand = {
  path: ['mappings'],
  summary: 'Export or import a mapping table as CSV (Excel-safe; an import is checked and shows its impact first), or list suggested links between the two systems\' suppliers or vendors.',
  usage: `export|import <${FLOW_USAGE}> FILE.csv [--set SET] [--yes]  |  suggest <flow> [--json]`,
  options: {
    set: { type: 'string', description: "which table (default: the flow's first table with a GL account column, else its first)" },
    yes: { type: 'boolean', description: 'import: save the file after checking it (without it, only the check and its impact are shown)' },
  },
  async run({ values, positionals }, io) {
    const [action, flowId, file] = positionals;
    if (!action || !['export', 'import', 'suggest'].includes(action) || (action !== 'suggest' && !file)) {
      io.err(`mappings: usage: mappings ${this.usage}`);
      return 2;
    }
    if (!flowArgument(io, 'mappings', flowId)) return 2;
    const plugin = findFlow(flowId!)!;
    const sets = plugin.mappingSets.map((d) => d.set);
    // "mappings export procore-acumatica costs" names a table where the file goes: say so, write nothing.
    if (action !== 'suggest' && file && sets.includes(file) && !/\.[a-z0-9]+$/i.test(file)) {
      io.err(`mappings: "${file}" is one of ${flowId}'s tables, not a file. Name the file and the table: mappings ${action} ${flowId} ${file}.csv --set ${file}`);
      return 2;
    }
    const defaultSet = plugin.mappingSets.find((d) => d.sourceFields.some((f) => /glaccount/i.test(f.name)))?.set ?? sets[0];
    const set = typeof values['set'] === 'string' ? values['set'] : defaultSet;
    if (!set || !sets.includes(set)) {
      io.err(`mappings: --set must be one of ${sets.join(', ')} for ${flowId}`);
      return 2;
    }
    const flow = flowId!;
    if (action === 'suggest') {
      return withFlow(io, flow, undefined, async (open, apiCalls) => {
        if (!open.runtime.suggestCounterpartyLinks) {
          io.err(`mappings suggest: ${plugin.title} does not suggest links.`);
          return 1;
        }
        let suggestions;
        try {
          suggestions = await open.runtime.suggestCounterpartyLinks();
        } catch (error) {
          if (error instanceof ReadFailedError) {
            io.err(error.message);
            return 1;
          }
          throw error;
        }
        // The two sides as the flow's link table calls them ("supplier" → "vendor", "vendor" → "vendor").
        const named = plugin.mappingSets.find((d) => d.suggestsCounterpartyLinks)?.counterpartyNouns ?? { source: 'supplier', target: 'vendor' };
        const [from, to] = plugin.systems.map((system) => systemLabel(system));
        const nouns = { source: `${from} ${named.source}`, target: `${to} ${named.target}`, created: named.target };
        if (io.json) io.out(JSON.stringify({ suggestions, apiCalls: apiCalls() }));
        else if (suggestions.length === 0)
          io.out(
            `No new suggestions: every ${nouns.source} with a matching ${nouns.target} is linked. A ${nouns.source} whose records wait in Pending validation and has no ${nouns.target} yet: create the ${nouns.created} in the app (Pending validation → "Create this ${nouns.created} in …", which links it), or add it in the target system and suggest again.`,
          );
        else for (const x of suggestions) io.out(`${x.supplierCode}  ${x.supplierName}  →  ${named.target} ${x.vendorId} ${x.vendorName}  (same ${x.matchedBy.replace('_', ' ')})`);
        return 0;
      });
    }
    const ctx = createAppContext({ dataDir: io.dataDir, credentials: new InMemoryCredentialStore(), log: createLogger({ sink: (line) => io.err(line), level: 'warn' }) });
    try {
      if (action === 'export') {
        // Straight into FILE (through a temporary file renamed into place), as the app's exports are.
        const target = resolvePath(file!);
        ctx.exports = {
          deliver: async (job) => ({ delivery: 'file', fileName: basename(target), path: target, ...(await writeExportFile(job, target)) }),
        };
        const result = await dispatch('mappings.exportCsv', { flow, set }, ctx);
        if (!result.ok) {
          io.err(`mappings export: ${result.error.message}`);
          return 1;
        }
        const { rows } = result.value as { rows: number };
        io.out(io.json ? JSON.stringify({ file, rows }) : `Wrote ${rows} rows of ${flow}/${set} to ${file}`);
        return 0;
      }
      return await importWithCheck(io, ctx, flow, set, file!, values['yes'] === true);
    } finally {
      ctx.close();
    }
  },
};

/**
 * `mappings import`: the file is checked as the app checks it (every target value against the
 * target system's lists, read through the flow's connections; source values against the source),
 * the changes and their impact are printed, and only `--yes` saves it.
 */
async function importWithCheck(io: CliIo, ctx: ReturnType<typeof createAppContext>, flow: string, set: string, file: string, commit: boolean): Promise<number> {
  let csv: string;
  try {
    csv = readFileSync(file, 'utf8');
  } catch (error) {
    io.err(`mappings import: cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (error as Error).message}.`);
    return 1;
  }
  const definition = requireMappingSet(flow, set);
  return withReference(io, ctx.store, flow, async (reference) => {
    let preview: MappingImportPreview;
    try {
      preview = await previewMappingImport(ctx, { flow, set, csv }, reference);
    } catch (error) {
      if (error instanceof IpcFailure) {
        io.err(`mappings import: ${error.message}`);
        return 1;
      }
      throw error;
    }
    const ready = preview.problems.length === 0 && !preview.identical;
    if (!commit || !ready) {
      if (io.json) io.out(JSON.stringify({ file, saved: false, ...preview }));
      else printPreview(io, file, definition.title, preview);
      return preview.problems.length > 0 ? 1 : 0;
    }
    let saved;
    try {
      saved = await importMappingCsv(ctx, { flow, set, csv, note: `imported from ${file} (CLI)` }, reference);
    } catch (error) {
      if (error instanceof IpcFailure) {
        io.err(`mappings import: ${error.message}`);
        return 1;
      }
      throw error;
    }
    if (io.json) io.out(JSON.stringify({ file, saved: saved.created !== false, rows: saved.rows, version: saved.version.version, versionName: saved.versionName, impact: preview.impact, flags: preview.flags, warnings: preview.warnings, unchecked: preview.unchecked }));
    else {
      io.out(`Imported ${saved.rows} rows as ${saved.versionName ?? `version ${saved.version.version}`}.`);
      for (const warning of saved.warnings ?? []) io.out(`Unchanged, still waiting: ${warning}`);
      if (preview.impact.releases > 0)
        io.out(`${preview.impact.releases} parked record${preview.impact.releases === 1 ? '' : 's'} can now be written: run \`npx ml-connector replay --parked --flow ${flow}\` (the app retries them on its next sync).`);
    }
    return 0;
  });
}

function printPreview(io: CliIo, file: string, title: string, p: MappingImportPreview): void {
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  io.out(`${file}: ${plural(p.rows, 'row')} ("${p.separator}" between cells), compared with ${p.current ? `${title} v${p.current.version}` : `an empty ${title} table`}:`);
  io.out(`  ${p.changes.added} added, ${p.changes.changed} changed, ${p.changes.removed} removed, ${p.changes.unchanged} unchanged`);
  if (p.problems.length > 0) {
    io.out(`Nothing can be imported until these are fixed in the file:`);
    for (const problem of p.problems) io.out(`  ${problem.message}`);
    return;
  }
  io.out(`  Impact: ${plural(p.impact.releases, 'parked record')} released, ${plural(p.impact.recoded, 'written record')} coded differently`);
  io.out(p.unchecked ? `  ${p.unchecked}` : p.warnings.length > 0 ? '  Every target value of a new or changed row exists in the target system.' : '  Every target value exists in the target system.');
  for (const flag of p.flags) io.out(`  Check: ${flag.message}`);
  for (const warning of p.warnings) io.out(`  Unchanged, still waiting: ${warning.message}`);
  io.out(p.identical ? `The file holds exactly the rows of ${title} v${p.current?.version ?? ''}: there is nothing to import.` : `Nothing is saved yet: run the same command with --yes to import it as ${p.nextVersionName ?? 'the next version'}.`);
}

/** The flow's reference lists when it can be opened here (its connections); otherwise why values cannot be checked. */
async function withReference(io: CliIo, store: Store, flowId: string, work: (reference: ReferenceProvider) => Promise<number>): Promise<number> {
  const host = await openFlowHost({
    store,
    dataDir: io.dataDir,
    log: createLogger({ sink: (line) => io.err(line), level: 'warn' }),
    credentials: new KeytarCredentialStore(),
    only: [flowId],
  });
  try {
    const open = host.flows.get(flowId);
    const cache = new ReferenceCache();
    const reference: ReferenceProvider = async (definition, fresh) =>
      open
        ? await readTableReference(open.runtime, definition, cache, fresh)
        : { unchecked: `The values were not checked against the systems: ${host.unavailable.get(flowId)?.reason ?? 'the flow cannot run here.'}` };
    return await work(reference);
  } finally {
    await host.close();
  }
}

export const reconcileCommand: CliCommand = {
  path: ['reconcile'],
  summary: 'Do the two systems agree? Source vs target totals per project, supplier and document, every difference with its cause (reads only).',
  usage: `<${FLOW_USAGE}> [--csv FILE] [--json]`,
  options: { csv: { type: 'string', description: 'also write every compared record to this Excel-safe CSV file' } },
  async run({ values, positionals }, io) {
    const flowId = flowArgument(io, 'reconcile', positionals[0]);
    if (!flowId) return 2;
    return withFlow(io, flowId, undefined, async (flow) => {
      if (!flow.runtime.reconcile) {
        io.err(`reconcile: ${flow.plugin.title} has no reconciliation yet.`);
        return 1;
      }
      let report;
      try {
        report = await flow.runtime.reconcile({ apiCalls: () => apiCallsByName() });
      } catch (error) {
        if (error instanceof ReadFailedError) {
          io.err(error.message);
          return 1;
        }
        throw error;
      }
      const file = values['csv'];
      if (typeof file === 'string' && file) writeFileSync(file, reconciliationCsv(report), 'utf8');
      if (io.json) io.out(JSON.stringify(report));
      else for (const line of describeReconciliation(report)) io.out(line);
      return report.unexplained === 0 ? 0 : 1;
    });
  },
};

export const flowCommands: CliCommand[] = [syncCommand, parkedListCommand, replayCommand, reconcileCommand, exportAuditCommand, auditVerifyCommand, mappingsCommand];
