import { randomUUID } from 'node:crypto';
import { finished } from 'node:stream/promises';
import type { z } from 'zod';
import {
  describeRequestIssues,
  fail,
  ipcContract,
  isIpcMethodName,
  ok,
  PARKED_GROUP_RECORD_LIMIT,
  connectionSecretFields,
  type ConnectionView,
  type ParkedGroup,
  type IpcErrorCode,
  type IpcMethodName,
  type IpcRequest,
  type IpcResponse,
  type IpcResult,
} from '../../src-shared/ipc';
import { redactString } from '../connectors/_kit/log';
import {
  connectionAccount,
  deleteConnectionSecrets,
  InvalidAccountNameError,
  InvalidSecretError,
  KeychainUnavailableError,
} from '../credentials';
import { exportAuditCsv } from '../store/audit-csv';
import { MIGRATIONS } from '../store/migrations/index';
import { ConnectionNotFoundError, type Connection } from '../store/repos/connections';
import { RunNotFoundError } from '../store/repos/runs';
import { SecretInStoreError } from '../store/secret-guard';
import { cancelSignIn, completeSignIn, connectExact, connectMonday, connectProcoreAccount, testConnection } from './connect-handlers';
import type { AppContext, EngineApi } from './context';
import { IpcFailure } from './errors';
import { exportDelivery, exportFileName } from './exports';
import { engineScheduler, flowUnavailableReason, lastReconciliation } from './engine-api';
import { reconciliationCsv } from './reconciliation-views';
import { closeDeadRuns } from '../engine/sync/run-lock';
import { connectSystem } from './systems/connect';
import { auditComparison, auditEntryLabel, moneySummary, parkedComparison, parkedLabel, waitingMoney } from './record-names';
import type { ParkedRecord } from '../store/repos/parked';
import { FLOWS } from '../engine/flows/registry';
import {
  applyScheduleSettings,
  FLOW_TITLES,
  isScheduledFlow,
  scheduleView,
  writeScheduleSettings,
} from './schedule-settings';
import {
  exportMappingCsv,
  getMappingTable,
  importMappingCsv,
  linkCreatedCounterparty,
  mappingKeysIn,
  mappingVersionNames,
  previewMappingImport,
  requireMappingSet,
  saveMappingTable,
} from './mapping-tables';

/**
 * One handler per contract method. The mapped type makes a missing (or misspelt) handler a
 * compile error; `dispatch` is the only caller and has already validated the request.
 */
export type IpcHandlers = {
  [M in IpcMethodName]: (request: IpcRequest<M>, ctx: AppContext) => Promise<IpcResponse<M>> | IpcResponse<M>;
};

export const handlers: IpcHandlers = {
  'app.status': (_request, ctx) => ({
    appVersion: ctx.appVersion,
    dataDir: ctx.dataDir,
    // openStore migrates to exactly this version and refuses a newer database.
    schemaVersion: MIGRATIONS.length,
    counts: {
      connections: ctx.store.connections.list().length,
      auditEntries: ctx.store.audit.count({}),
      openParked: ctx.store.parked.countOpen(),
    },
    auditHead: ctx.store.audit.head() ?? null,
  }),

  'connections.list': async (_request, ctx) => {
    // Without a keychain (no D-Bus session, locked) the connections are still listed: the
    // sandbox needs no secrets, and the screen explains what live connections need.
    const keychain = await keychainAccounts(ctx);
    return {
      connections: ctx.store.connections.list().map((connection) => toConnectionView(connection, keychain.accounts)),
      keychainProblem: keychain.problem,
    };
  },

  'connections.save': async (request, ctx) => {
    const existing = request.id === undefined ? undefined : ctx.store.connections.get(request.id);
    if (request.id !== undefined && !existing)
      throw new IpcFailure('not-found', `There is no connection with id "${request.id}".`);
    if (existing && existing.system !== request.system) {
      throw new IpcFailure(
        'conflict',
        `Connection "${existing.label}" is a ${existing.system} connection; its system cannot change. Create a new connection instead.`,
      );
    }
    // Settings first (the store refuses anything that looks like a secret), then the keychain.
    const saved = existing
      ? ctx.store.connections.update(existing.id, {
          label: request.label,
          mode: request.mode,
          settings: request.settings,
        })
      : ctx.store.connections.create({
          id: randomUUID(),
          system: request.system,
          label: request.label,
          mode: request.mode,
          settings: request.settings,
        });
    try {
      await writeSecrets(saved.id, request.secrets, ctx);
    } catch (error) {
      // A new connection whose secrets could not be stored is not kept half-made.
      if (!existing) {
        await deleteConnectionSecrets(ctx.credentials, saved.id).catch(() => undefined);
        ctx.store.connections.delete(saved.id);
      }
      throw error;
    }
    // The user entered a new client secret for a connection whose secret the provider refused:
    // that is the act custody waits for (it makes no token call until then). Every process's
    // custodian reads the status before its next token call and tries the new secret once.
    if (existing?.status === 'secret-refused' && typeof request.secrets['clientSecret'] === 'string')
      ctx.store.connections.setStatus(saved.id, 'connected');
    ctx.events.emit('connection.changed', { id: saved.id, change: 'saved' });
    const { accounts } = await keychainAccounts(ctx);
    return {
      connection: toConnectionView(ctx.store.connections.require(saved.id), accounts),
      created: !existing,
    };
  },

  'connections.delete': async (request, ctx) => {
    const connection = ctx.store.connections.get(request.id);
    if (!connection) throw new IpcFailure('not-found', `There is no connection with id "${request.id}".`);
    // Keychain first: if it fails, the row stays and the user can retry (no orphaned secrets).
    // Every entry of the connection goes, including tokens the auth module stored. A sandbox
    // connection keeps nothing there (its sign-ins live in memory), so it goes without one.
    const keychain = await keychainAccounts(ctx);
    if (keychain.accounts === null && connection.mode === 'live') {
      throw new IpcFailure(
        'keychain-unavailable',
        `${keychain.problem ?? 'The system keychain is not available.'} “${connection.label}” was kept, so its secrets are not left behind in the keychain; remove it again once the keychain works.`,
      );
    }
    const removedSecrets = keychain.accounts ? storedSecretFields(connection.id, keychain.accounts) : [];
    if (keychain.accounts) await deleteConnectionSecrets(ctx.credentials, connection.id);
    ctx.store.connections.delete(connection.id);
    ctx.events.emit('connection.changed', { id: connection.id, change: 'deleted' });
    return { id: connection.id, removedSecrets };
  },

  'runs.list': (request, ctx) => {
    // A run whose process died shows as 'interrupted', not 'running' forever (run-lock.ts).
    closeDeadRuns(ctx.store);
    return {
      runs: ctx.store.runs.listRecent(request.limit, request.flow).map((run) => ({
        id: run.id,
        flow: run.flow,
        trigger: run.trigger,
        status: run.status,
        startedAt: run.startedAt,
        endedAt: run.endedAt,
        counts: run.counts,
        // Written by the engine in plain language; redacted again in case an upstream message slipped in.
        error: run.error === null ? null : redactString(run.error),
        written: ctx.store.audit.moneyWrittenInRun(run.id),
      })),
    };
  },

  'audit.query': (request, ctx) => {
    const { filter, limit, beforeSeq, afterSeq } = request;
    const page = ctx.store.audit.query(withoutUndefined(filter), {
      limit,
      ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    });
    // Snapshots and payloads stay in main; the response schema keeps only the listed fields.
    return { entries: page.entries, hasMore: page.hasMore };
  },

  'audit.verify': (_request, ctx) => {
    const verdict = ctx.store.audit.verifyAuditChain();
    return verdict.ok
      ? { intact: true, checked: verdict.checked, firstBadSeq: null, problem: null, reason: null }
      : {
          intact: false,
          checked: verdict.checked,
          firstBadSeq: verdict.firstBadSeq,
          problem: verdict.problem,
          reason: verdict.reason,
        };
  },

  'parked.list': (request, ctx) => {
    const records =
      request.flow !== undefined && request.reasonCode !== undefined
        ? ctx.store.parked.listOpenByReason(request.flow, request.reasonCode)
        : ctx.store.parked
            .listOpen(request.flow)
            .filter((r) => request.reasonCode === undefined || r.reasonCode === request.reasonCode);
    return { records: records.map((r) => ({ ...r, label: parkedLabel(ctx.store, r) })) };
  },

  'audit.get': (request, ctx) => {
    // Keyset read of exactly one entry (seq is the primary key).
    const [entry] = ctx.store.audit.query({}, { afterSeq: request.seq - 1, limit: 1 }).entries;
    if (!entry || entry.seq !== request.seq)
      throw new IpcFailure('not-found', `There is no audit entry #${request.seq}.`);
    return {
      entry: {
        ...entry,
        label: auditEntryLabel(entry),
        comparison: auditComparison(entry),
        mappingVersionNames: mappingVersionNames(ctx, entry.flow, entry.mappingVersion),
      },
    };
  },

  'audit.exportCsv': (request, ctx) => {
    // Streamed wherever the host delivers exports: a save dialog, a browser download, or a file.
    const filter = withoutUndefined(request.filter);
    return exportDelivery(ctx).deliver({
      fileName: exportFileName('audit', ctx.now()),
      rows: ctx.store.audit.count(filter),
      write: (out) => exportAuditCsv(ctx.store, filter, out, auditEntryLabel),
    });
  },

  'parked.groups': (request, ctx) => ({ groups: parkedGroups(ctx, request.flow) }),

  'parked.retry': (request, ctx) =>
    requireEngine(ctx).retryParked({
      flow: request.flow,
      ...(request.ids !== undefined ? { ids: request.ids } : {}),
      ...(request.reasonCode !== undefined ? { reasonCode: request.reasonCode } : {}),
    }),

  'mappings.get': (request, ctx) => getMappingTable(ctx, request.flow, request.set, request.version),

  'mappings.save': (request, ctx) => saveMappingTable(ctx, request),

  'mappings.exportCsv': (request, ctx) => exportMappingCsv(ctx, request.flow, request.set, request.version),

  'mappings.importCsv': (request, ctx) => importMappingCsv(ctx, request),

  'mappings.suggestVendors': (request, ctx) => requireEngine(ctx).suggestVendorLinks(request.flow),

  'flows.catalog': () => ({
    flows: FLOWS.map((f) => ({ flow: f.id, title: f.title, systems: [...f.systems], mappingSets: f.mappingSets.map((d) => ({ ...d, sourceFields: [...d.sourceFields], targetFields: [...d.targetFields] })), documents: [...f.documents, ...(f.mappingSets.length > 0 ? [MAPPING_DOCUMENT] : [])] })),
  }),

  'reconcile.run': (request, ctx) => requireEngine(ctx).reconcile(request.flow),

  'reconcile.exportCsv': (request, ctx) => {
    // The report the screen shows, not a new read of both systems.
    const report = lastReconciliation(ctx.engine, request.flow);
    if (!report) throw new IpcFailure('not-found', 'There is no reconciliation of this flow yet: press “Reconcile now”, then export it.');
    const csv = reconciliationCsv(report);
    return exportDelivery(ctx).deliver({
      fileName: exportFileName(`reconciliation-${request.flow}`, ctx.now()),
      rows: report.records.length,
      write: async (out) => {
        await finished(out.end(csv, 'utf8'));
        return { rows: report.records.length };
      },
    });
  },

  'flows.overview': async (_request, ctx) => ({ flows: await requireEngine(ctx).flows() }),

  'money.summary': (request, ctx) => {
    if (request.flow !== undefined && !FLOWS.some((f) => f.id === request.flow))
      throw new IpcFailure('not-found', `There is no flow "${request.flow}". The flows are: ${FLOWS.map((f) => f.title).join(', ')}.`);
    return { flows: moneySummary(ctx.store, request.flow) };
  },

  'schedules.get': (_request, ctx) => ({
    schedules: Object.keys(FLOW_TITLES).map((flow) =>
      scheduleView(ctx.store, flow, engineScheduler(ctx.engine), flowUnavailableReason(ctx.engine, flow)),
    ),
  }),

  'schedules.save': (request, ctx) => {
    const { flow, ...settings } = request;
    if (!isScheduledFlow(flow))
      throw new IpcFailure('not-found', `There is no scheduled flow "${flow}". Scheduled flows: ${Object.keys(FLOW_TITLES).join(', ')}.`);
    writeScheduleSettings(ctx.store, flow, settings);
    const scheduler = engineScheduler(ctx.engine);
    if (scheduler) applyScheduleSettings(scheduler, flow, settings);
    return scheduleView(ctx.store, flow, scheduler, flowUnavailableReason(ctx.engine, flow));
  },

  'sync.start': (request, ctx) => requireEngine(ctx).startSync(request.flow, 'manual'),

  'replay.audit': (request, ctx) => requireEngine(ctx).replayAudit(request.seq),

  'connections.connectExact': connectExact,
  'connections.connectMonday': connectMonday,

  'connections.completeSignIn': completeSignIn,
  'connections.cancelSignIn': cancelSignIn,

  'connections.connectProcore': connectProcoreAccount,
  'connections.connect': (request, ctx) => connectSystem(ctx, request.system, request.values),

  'connections.test': testConnection,

  'mappings.previewImport': (request, ctx) => previewMappingImport(ctx, request),

  'mappings.reference': (request, ctx) => {
    requireMappingSet(request.flow, request.set);
    const read = requireEngine(ctx).tableReference;
    if (!read) throw new IpcFailure('unavailable', 'The sync engine here cannot read lists to pick from.');
    return read.call(ctx.engine, request.flow, request.set, request.refresh ?? false);
  },

  'mappings.previewCounterparty': (request, ctx) => {
    requireMappingSet(request.flow, request.set);
    const preview = requireEngine(ctx).previewCounterparty;
    if (!preview) throw new IpcFailure('unavailable', 'The sync engine here cannot create records in the target system.');
    return preview.call(ctx.engine, request.flow, request.set, request.sourceKey);
  },

  'mappings.createCounterparty': async (request, ctx) => {
    const definition = requireMappingSet(request.flow, request.set);
    const engine = requireEngine(ctx);
    if (!engine.createCounterparty) throw new IpcFailure('unavailable', 'The sync engine here cannot create records in the target system.');
    const created = await engine.createCounterparty(request.flow, request.set, request.sourceKey);
    ctx.store.audit.append({
      flow: request.flow,
      runId: null,
      entity: created.entity,
      sourceId: null,
      step: 'written',
      status: 'ok',
      mappingVersion: null,
      targetSystem: created.targetSystem,
      targetId: created.targetId,
      amount: null,
      currency: null,
      sourceSnapshot: request.sourceKey,
      targetPayload: null,
      result: { targetId: created.targetId, name: created.name },
      message: `${created.message}, at the user's request.`,
    });
    const linked = await linkCreatedCounterparty(ctx, request.flow, request.set, request.sourceKey, created.target, created.message);
    const versionName = linked.versionName ?? `${definition.title} v${linked.version.version}`;
    return {
      targetId: created.targetId,
      name: created.name,
      message: `${created.message} and linked it in ${versionName}.`,
      version: linked.version,
      versionName,
      requeued: linked.requeued,
      requeueMessage: linked.requeueMessage,
    };
  },
};

/** Every flow with mapping tables audits their new versions under this kind (mapping-tables.ts). */
const MAPPING_DOCUMENT = { entity: 'mapping', label: 'Mapping table' };

function requireEngine(ctx: AppContext): EngineApi {
  if (!ctx.engine)
    throw new IpcFailure('unavailable', 'The sync engine is not running in this process.');
  return ctx.engine;
}

/**
 * Open parked records by flow and reason, largest group first, each record named as finance
 * names it, with its source snapshot beside what the target holds, and each group's value.
 */
function parkedGroups(ctx: AppContext, flow: string | undefined): ParkedGroup[] {
  const groups = new Map<string, ParkedGroup>();
  const members = new Map<string, ParkedRecord[]>();
  for (const record of ctx.store.parked.listOpen(flow)) {
    const groupKey = `${record.flow}\u0000${record.reasonCode}`;
    const group = groups.get(groupKey) ?? {
      flow: record.flow,
      reasonCode: record.reasonCode,
      state: record.state,
      reasonText: record.reasonText,
      count: 0,
      mappingKeys: [],
      records: [],
      totals: [],
      oldestParkedAt: record.parkedAt,
    };
    group.count += 1;
    members.set(groupKey, [...(members.get(groupKey) ?? []), record]);
    const mappingKeys = mappingKeysIn(record.details);
    for (const key of mappingKeys) if (!group.mappingKeys.includes(key)) group.mappingKeys.push(key);
    if (group.records.length < PARKED_GROUP_RECORD_LIMIT) {
      const snapshot = record.snapshotId === null ? undefined : ctx.store.snapshots.get(record.snapshotId);
      const source = snapshot?.payload ?? null;
      group.records.push({ ...record, label: parkedLabel(ctx.store, record), mappingKeys, source, comparison: parkedComparison(ctx.store, record, source) });
    }
    groups.set(groupKey, group);
  }
  for (const [key, group] of groups) {
    const money = waitingMoney(ctx.store, members.get(key) ?? []);
    group.totals = money.totals;
    group.oldestParkedAt = money.oldestParkedAt ?? group.oldestParkedAt;
  }
  return [...groups.values()].sort(
    (a, b) => b.count - a.count || a.flow.localeCompare(b.flow) || a.reasonCode.localeCompare(b.reasonCode),
  );
}

/**
 * Runs one IPC call: validates the request against the contract, runs the handler, parses the
 * answer through the response schema (which drops any field the contract does not name) and
 * wraps everything in the envelope. Never throws; never puts a stack trace or an unexpected
 * error's message in the answer (those go to the log, redacted, under a reference).
 */
export async function dispatch(
  method: string,
  rawRequest: unknown,
  ctx: AppContext,
): Promise<IpcResult<unknown>> {
  if (!isIpcMethodName(method))
    return fail('unknown-method', `There is no method "${String(method).slice(0, 80)}".`);
  const schemas = ipcContract[method];
  const parsed = schemas.request.safeParse(rawRequest);
  if (!parsed.success) return fail('invalid-request', describeIssues(method, parsed.error.issues));
  try {
    // One cast: TypeScript cannot correlate handlers[method] with ipcContract[method] for a union `method`.
    const handler = handlers[method] as (request: unknown, ctx: AppContext) => unknown;
    const value = await handler(parsed.data, ctx);
    const response = schemas.response.safeParse(value);
    if (!response.success) {
      return internalFailure(
        ctx,
        method,
        new Error(`response does not match the contract: ${describeContractIssues(method, response.error.issues)}`),
      );
    }
    return ok(response.data);
  } catch (error) {
    const known = knownFailure(error);
    return known ? fail(known.code, known.message) : internalFailure(ctx, method, error);
  }
}

const MAX_MESSAGE_LENGTH = 1_000;

/** A request the contract refuses, in the words of the screen that sent it (src-shared/ipc/field-labels.ts). */
function describeIssues(method: IpcMethodName, issues: readonly z.core.$ZodIssue[]): string {
  return describeRequestIssues(method, issues);
}

/** For the log: the contract's own words (a response that does not match is a bug, not a user's problem). */
function describeContractIssues(method: IpcMethodName, issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'response'}: ${issue.message}`);
  const text = `${method}: ${parts.join('; ')}`;
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

/** Errors whose messages are written for people and carry no secret (our own error classes). */
function knownFailure(error: unknown): { code: IpcErrorCode; message: string } | null {
  if (error instanceof IpcFailure) return { code: error.code, message: error.message };
  if (error instanceof ConnectionNotFoundError || error instanceof RunNotFoundError)
    return { code: 'not-found', message: error.message };
  if (error instanceof SecretInStoreError) return { code: 'invalid-request', message: error.message };
  // Its message says what to install or unlock, and carries no secret (credentials module contract).
  if (error instanceof KeychainUnavailableError)
    return { code: 'keychain-unavailable', message: error.message };
  if (error instanceof InvalidSecretError || error instanceof InvalidAccountNameError)
    return { code: 'invalid-request', message: error.message };
  const sqliteCode = (error as { code?: unknown } | null)?.code;
  if (typeof sqliteCode === 'string' && sqliteCode.startsWith('SQLITE_BUSY')) {
    return {
      code: 'unavailable',
      message: 'The database is busy (another ml-connector process is writing). Try again in a moment.',
    };
  }
  if (typeof sqliteCode === 'string' && sqliteCode.startsWith('SQLITE_CONSTRAINT')) {
    return { code: 'conflict', message: 'The change conflicts with data that is already stored.' };
  }
  return null;
}

function internalFailure(ctx: AppContext, method: IpcMethodName, error: unknown): IpcResult<never> {
  const ref = randomUUID().slice(0, 8);
  ctx.log.error('IPC call failed', {
    method,
    ref,
    error,
    stack: error instanceof Error ? error.stack : undefined,
  });
  return fail(
    'internal',
    `Something went wrong in ${method}. The app log has the details (reference ${ref}).`,
  );
}

/** The keychain's accounts, or why the keychain cannot be read (then null accounts). */
async function keychainAccounts(ctx: AppContext): Promise<{ accounts: readonly string[] | null; problem: string | null }> {
  try {
    return { accounts: await ctx.credentials.listAccounts(), problem: null };
  } catch (error) {
    if (error instanceof KeychainUnavailableError) return { accounts: null, problem: error.message };
    throw error;
  }
}

/**
 * The renderer learns which secret fields are set, never their values: every declared field of
 * the system (false when absent) plus any other field stored for the connection (e.g. by auth).
 * Without a readable keychain (`accounts` null) nothing is claimed: `secrets` is empty.
 */
function toConnectionView(connection: Connection, accounts: readonly string[] | null): ConnectionView {
  const secrets: Record<string, boolean> = {};
  if (accounts === null) return { ...connection, secrets };
  for (const field of connectionSecretFields(connection.system, connection.settings)) secrets[field] = false;
  for (const field of storedSecretFields(connection.id, accounts)) secrets[field] = true;
  return { ...connection, secrets };
}

/** Field names of the keychain accounts that belong to one connection. */
function storedSecretFields(connectionId: string, accounts: readonly string[]): string[] {
  // The account format belongs to the credentials module; derive the prefix from it.
  const prefix = connectionAccount(connectionId, '_').slice(0, -1);
  return accounts
    .filter((account) => account.startsWith(prefix))
    .map((account) => account.slice(prefix.length));
}

async function writeSecrets(
  connectionId: string,
  secrets: Record<string, string | null>,
  ctx: AppContext,
): Promise<void> {
  for (const [field, value] of Object.entries(secrets)) {
    const account = connectionAccount(connectionId, field);
    if (value === null) await ctx.credentials.delete(account);
    else await ctx.credentials.set(account, value);
  }
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
