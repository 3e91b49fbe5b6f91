import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { recordName } from '../../src-shared/domain/labels';
import type { IpcMethodName, IpcRequestInput, IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { main, type CliProcess } from '../../src-main/host/cli';
import { dispatch } from '../../src-main/host/handlers';
import { generateWorld } from '../../src-main/sandbox/seed/world';

/**
 * Issue 17: every record named as finance names it, after a real sandbox sync (the CLI in this
 * process, `sync exact-procore --sandbox`): parked records, audit entries, the CLI's parked list
 * and its numbering, `replay`, money per flow, project and supplier, and the audit CSV.
 */

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const world = generateWorld(1, 1);
const koster = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;

let dataDir: string;

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const proc: CliProcess = { out: (l) => out.push(l), err: (l) => err.push(l), env: process.env, onStopSignal: () => () => undefined };
  const code = await main([...args, '--data-dir', dataDir], proc);
  return { code, out, err };
}

function withContext<T>(work: (call: <M extends IpcMethodName>(method: M, request?: IpcRequestInput<M>) => Promise<IpcResponse<M>>, ctx: ReturnType<typeof createAppContext>) => Promise<T>): Promise<T> {
  const ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
  const call = async <M extends IpcMethodName>(method: M, request?: IpcRequestInput<M>): Promise<IpcResponse<M>> => {
    const result = await dispatch(method, request, ctx);
    if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
    return result.value as IpcResponse<M>;
  };
  return work(call, ctx).finally(() => ctx.close());
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-record-names-'));
  const sync = await cli('sync', 'exact-procore', '--sandbox');
  expect(sync.code, sync.err.join('\n')).toBe(0);
  // The summary says what waits and what it is worth.
  expect(sync.out.join('\n')).toMatch(/10 records wait in Pending validation \(€[\d,]+\.\d\d\)\. See them: npx ml-connector parked list --flow exact-procore/);
}, 180_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('records named as finance names them', { timeout: 120_000 }, () => {
  it('parked records carry document number, supplier, project, date and amount, and the number replay takes', async () => {
    await withContext(async (call, ctx) => {
      const { groups } = await call('parked.groups');
      const records = groups.flatMap((g) => g.records);
      expect(records).toHaveLength(10);
      for (const r of records) {
        expect(recordName(r.label)).not.toMatch(GUID);
        expect(r.label.counterparty).toBeTruthy();
        expect(r.label.amount).toMatch(/^\d+\.\d\d$/);
        // The number shown is the audit entry that parked it: about the same record.
        const [entry] = ctx.store.audit.query({}, { afterSeq: r.auditSeq! - 1, limit: 1 }).entries;
        expect(entry).toMatchObject({ seq: r.auditSeq, step: 'parked', sourceId: r.sourceId });
      }
      const po = records.find((r) => r.label.number === '20011')!;
      expect(recordName(po.label)).toBe(`PO 20011 · ${koster.name}`);
      expect(po.label).toMatchObject({ amount: '39854.50', currency: 'EUR', counterpartyCode: koster.code, project: expect.stringMatching(/^P26-00\d .+/) });
      // Each group's value is the sum of its records, to the cent.
      for (const g of groups) {
        const sum = Decimal.sum(g.records.map((r) => Decimal.parse(r.label.amount!)));
        expect(g.totals).toEqual([{ currency: 'EUR', amount: sum.toMoneyString() }]);
      }
    });
  });

  it('audit messages name the target document by its own id, never the source guid; the view compares both sides', async () => {
    await withContext(async (call) => {
      const { entries } = await call('audit.query', { filter: { step: 'written' }, limit: 1000 });
      expect(entries.length).toBe(190);
      for (const e of entries) {
        expect(e.message).toMatch(/^(Purchase order \d+|Purchase invoice \S+) written to Procore as (commitment|direct cost) \d+$/);
        expect(e.message).not.toMatch(GUID);
        expect(e.targetLabel).toMatchObject({ system: 'Procore', id: e.targetId });
        expect(e.message.endsWith(e.targetId!)).toBe(true);
        expect(e.label?.number).toBeTruthy();
      }
      const { entry } = await call('audit.get', { seq: entries[0]!.seq });
      expect(entry.comparison?.fields.filter((f) => f.differs)).toEqual([]);
      expect(entry.comparison?.lines.length).toBeGreaterThan(0);
      expect(entry.comparison?.lines.every((l) => l.source !== null && l.target !== null && l.differs.length === 0)).toBe(true);
      expect((await call('audit.verify')).intact).toBe(true);
    });
  });

  it('money per flow, project and supplier adds up to the cent, synced and waiting; each run says what it wrote', async () => {
    await withContext(async (call, ctx) => {
      const { flows } = await call('money.summary');
      // One summary per flow of the registry; F1 is the one this data folder synced.
      expect(flows.map((f) => f.flow)).toContain('exact-procore');
      const m = flows.find((f) => f.flow === 'exact-procore')!;
      expect(m.synced.documents).toBe(190);
      const written = (await call('audit.query', { filter: { step: 'written' }, limit: 1000 })).entries;
      const writtenSum = Decimal.sum(written.map((e) => Decimal.parse(e.amount!))).toMoneyString();
      expect(m.synced.totals).toEqual([{ currency: 'EUR', amount: writtenSum }]);
      const waiting = (await call('parked.list')).records;
      expect(m.waiting.records).toBe(10);
      expect(m.waiting.totals).toEqual([{ currency: 'EUR', amount: Decimal.sum(waiting.map((r) => Decimal.parse(r.label.amount!))).toMoneyString() }]);
      expect(m.waiting.oldestParkedAt).toBe(waiting.map((r) => r.parkedAt).sort()[0]);
      // Groups add up to the flow's totals.
      const total = (groups: typeof m.byProject, side: 'synced' | 'waiting') => Decimal.sum(groups.map((g) => Decimal.parse(g[side][0]?.amount ?? '0'))).toMoneyString();
      expect(total(m.byProject, 'synced')).toBe(writtenSum);
      expect(total(m.byCounterparty, 'waiting')).toBe(m.waiting.totals[0]!.amount);
      const kosterGroup = m.byCounterparty.find((g) => g.name === koster.name)!;
      expect(kosterGroup).toMatchObject({ documents: 0, synced: [], waitingRecords: 9 });
      expect(m.byProject.every((g) => /^P26-00\d /.test(g.name))).toBe(true);
      const { runs } = await call('runs.list');
      expect(runs[0]!.written).toEqual([{ currency: 'EUR', amount: writtenSum, documents: 190 }]);
      await expect(dispatch('money.summary', { flow: 'nope' }, ctx)).resolves.toMatchObject({ ok: false, error: { code: 'not-found' } });
    });
  });

  it('the audit CSV names each record and the target document', async () => {
    await withContext(async (call) => {
      const { path } = await call('audit.exportCsv', { filter: { step: 'written' } });
      expect(path, 'a context without a host delivers exports as files').not.toBeNull();
      const rows = parse(readFileSync(path!), { bom: true, columns: true }) as Record<string, string>[];
      expect(rows).toHaveLength(190);
      for (const row of rows) {
        expect(row['document_number']).toBeTruthy();
        expect(row['counterparty']).toBeTruthy();
        expect(row['target_document']).toMatch(/^Procore (commitment|direct cost)$/);
        expect(row['target_document_id']).toBe(row['target_id']);
        expect(row['document_amount']).toMatch(/^-?\d+\.\d\d$/);
      }
    });
  });

  it('`parked list` shows the numbers `replay` takes, with names and amounts; --json carries the labels', async () => {
    const listed = await cli('parked', 'list');
    expect(listed.code).toBe(0);
    const text = listed.out.join('\n');
    expect(text).not.toMatch(GUID);
    expect(listed.out[0]).toMatch(/^10 records waiting in Pending validation, worth €[\d,]+\.\d\d; the oldest since .+ \(0 days\)\.$/);
    const line = listed.out.find((l) => l.includes(`PO 20011 · ${koster.name}`))!;
    expect(line).toMatch(/^#(\d+) {2}PO 20011 · .+ · €39,854\.50$/);
    const number = Number(/^#(\d+)/.exec(line)![1]);

    const json = JSON.parse((await cli('parked', 'list', '--json')).out.at(-1)!) as { parked: { number: number; sourceId: string; name: string; label: { amount: string } }[]; totals: unknown[] };
    const record = json.parked.find((p) => p.number === number)!;
    expect(record).toMatchObject({ name: `PO 20011 · ${koster.name}`, label: { amount: '39854.50' } });
    expect(json.totals).toHaveLength(1);

    // `replay <#>` replays that very record (and says so by name).
    const replay = await cli('replay', String(number));
    expect(replay.code, replay.err.join('\n')).toBe(0);
    expect(replay.out.join('\n')).toMatch(new RegExp(`^PO 20011 · ${koster.name.replace(/\./g, '\\.')}: still waiting: see Pending validation\\.`));
    await withContext(async (_call, ctx) => {
      const last = ctx.store.audit.query({ step: 'replayed' }, { limit: 1 }).entries[0]!;
      expect(last).toMatchObject({ sourceId: record.sourceId, message: `Replayed audit entry ${number}` });
      expect(last.label?.number).toBe('20011');
    });
    expect((await cli('replay', 'x')).code).toBe(2);
  });

  it('`runs` says what each run wrote, in money', async () => {
    const runs = await cli('runs');
    expect(runs.out.at(-1)).toMatch(/ exact-procore {2}cli {2}succeeded {2}wrote €[\d,]+\.\d\d$/);
    const json = JSON.parse((await cli('runs', '--json')).out.at(-1)!) as { runs: { written: { currency: string; amount: string; documents: number }[] }[] };
    expect(json.runs.at(-1)!.written).toEqual([{ currency: 'EUR', amount: expect.stringMatching(/^\d+\.\d\d$/), documents: 190 }]);
  });
});
