import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetReference } from '../../src-shared/domain/labels';
import type { IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { F3_FLOW } from '../../src-main/engine/flows/procore-intacct/mappings';
import type { ReconciliationReport } from '../../src-main/engine/reconcile/reconcile';
import { createAppContext } from '../../src-main/host/app-context';
import { main, type CliProcess } from '../../src-main/host/cli';
import { dispatch } from '../../src-main/host/handlers';

/**
 * Issue 17 for F3 (Procore → Sage Intacct), after a real sandbox sync through the CLI: records in
 * Pending validation and audit entries named as finance names them (commitment or pay
 * application, vendor, amount; the Intacct document posted), and `reconcile procore-intacct
 * --json` naming the records that wait as the only differences.
 */
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
let dataDir: string;

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const proc: CliProcess = { out: (l) => out.push(l), err: (l) => err.push(l), env: process.env, onStopSignal: () => () => undefined };
  const code = await main([...args, '--data-dir', dataDir], proc);
  return { code, out, err };
}

function withContext<T>(work: (ctx: ReturnType<typeof createAppContext>) => Promise<T>): Promise<T> {
  const ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
  return work(ctx).finally(() => ctx.close());
}

describe('F3 on the CLI: records named as finance names them; reconcile explains every difference', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlc-f3-labels-'));
    const sync = await cli('sync', F3_FLOW, '--sandbox');
    expect(sync.code, sync.err.join('\n')).toBe(0);
  }, 240_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('`parked list --json`: pay applications by number, commitment, vendor, project and amount', async () => {
    const listed = await cli('parked', 'list', '--json');
    expect(listed.code).toBe(0);
    const { parked } = JSON.parse(listed.out.at(-1)!) as { parked: { name: string; stream: string; label: { number: string | null; counterparty: string | null; project: string | null; amount: string | null; currency: string | null } }[] };
    expect(parked.length).toBeGreaterThan(0);
    for (const p of parked) {
      expect(p.name).not.toMatch(GUID);
      expect(p.label).toMatchObject({ counterparty: expect.any(String), project: expect.any(String), amount: expect.stringMatching(/^-?\d+\.\d\d$/), currency: 'EUR' });
      if (p.stream === 'pay-applications') expect(p.name).toMatch(/^Pay application \d+ on \S+ · .+$/);
    }
    const text = (await cli('parked', 'list', '--flow', F3_FLOW)).out.join('\n');
    expect(text).toMatch(/^#\d+ {2}Pay application \d+ on \S+ · .+ · €[\d,]+\.\d\d$/m);
  });

  it('written records carry their label and the Intacct document posted; messages name it', async () => {
    await withContext(async (ctx) => {
      const entries = ctx.store.audit.query({ flow: F3_FLOW, step: 'written' }, { limit: 1000 }).entries;
      expect(entries.length).toBeGreaterThan(10);
      const types = new Set<string>();
      for (const e of entries) {
        expect(e.message).not.toMatch(GUID);
        expect(e.label?.number).toBeTruthy();
        expect(e.targetLabel).toMatchObject({ id: e.targetId });
        expect(e.message).toContain(` as ${targetReference(e.targetLabel!)}`);
        types.add(`${e.targetLabel!.system} ${e.targetLabel!.documentType}`);
        if (e.entity === 'commitment' || e.entity === 'pay-application') {
          expect(e.label).toMatchObject({ counterparty: expect.any(String), project: expect.any(String), amount: e.amount, currency: 'EUR' });
          expect(e.targetLabel).toMatchObject({ system: 'Sage Intacct', amount: e.amount });
        }
      }
      expect([...types]).toEqual(expect.arrayContaining(['Sage Intacct Purchasing transaction', 'Sage Intacct AP bill']));

      // The record view of a commitment: Procore beside its Intacct document, nothing differs after the sync.
      const commitment = entries.find((e) => e.entity === 'commitment')!;
      const got = await dispatch('audit.get', { seq: commitment.seq }, ctx);
      if (!got.ok) throw new Error(got.error.message);
      const comparison = (got.value as IpcResponse<'audit.get'>).entry.comparison!;
      expect(comparison).toMatchObject({ sourceTitle: 'Procore', targetTitle: 'Sage Intacct' });
      expect(comparison.fields.filter((f) => f.differs)).toEqual([]);
      expect(comparison.lines.length).toBeGreaterThan(0);
      expect(comparison.lines.filter((l) => l.differs.length > 0)).toEqual([]);
      expect(ctx.store.audit.verifyAuditChain().ok).toBe(true);
    });
  });

  it('`reconcile procore-intacct --json`: the only differences are the records that wait, with their reason', async () => {
    const run = await cli('reconcile', F3_FLOW, '--json');
    expect(run.code, run.err.join('\n')).toBe(0);
    const report = JSON.parse(run.out.at(-1)!) as ReconciliationReport;
    expect(report.unexplained).toBe(0);
    const differing = report.records.filter((r) => r.cause !== null);
    expect(differing.length).toBeGreaterThan(0);
    await withContext(async (ctx) => {
      const open = new Set(ctx.store.parked.listOpen(F3_FLOW).map((p) => p.sourceId));
      for (const r of differing) {
        expect(r.cause).toBe('parked');
        expect(open.has(r.sourceId)).toBe(true);
      }
    });
  });
});
