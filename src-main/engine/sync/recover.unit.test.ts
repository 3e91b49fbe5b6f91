import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src-shared/domain/audit';
import { openStore, type Store } from '../../store';
import { recoverUnconfirmed } from './recover';
import { emptyCounts, type FoundTarget, type PlannedTargetWrite, type TargetWriter } from './types';

/**
 * Crash recovery must not confirm a write that only half happened: a commitment header whose
 * answer was lost before its lines were sent can show the planned total — 0.00 for a cancelled
 * order — without any of its lines.
 */
const FLOW = 'test-flow';
const plan: PlannedTargetWrite = {
  entity: 'commitment',
  originId: 'po-1',
  sourceId: 'po-1',
  containerId: 'project-1',
  total: '0.00',
  currency: 'EUR',
  lines: [
    { originId: 'line-1', amount: '0.00' },
    { originId: 'line-2', amount: '0.00' },
  ],
};

let dir: string;
let store: Store;
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function setUp(found: FoundTarget) {
  dir = mkdtempSync(join(tmpdir(), 'mlc-recover-'));
  store = openStore(dir);
  store.runs.start('run-1', FLOW, 'manual');
  const { intent } = store.outbox.insertIntent({ runId: 'run-1', flow: FLOW, sourceId: 'po-1', idempotencyKey: 'k-1', targetSystem: 'procore', operation: 'create-commitment', payload: plan as unknown as JsonValue });
  store.outbox.markUnknown(intent.id, 'connection lost');
  const writer: TargetWriter<PlannedTargetWrite> = {
    system: 'procore',
    write: () => Promise.reject(new Error('recovery must not write')),
    lookup: async () => new Map([[plan.originId, found]]),
  };
  const ctx = { store, flow: FLOW, runId: 'run-1', cursorOwner: 'exact', writer, mappingVersion: null, mappingVersions: null, counts: emptyCounts() };
  return { ctx, intentId: intent.id };
}

describe('recoverUnconfirmed', () => {
  it('retires an intent whose header exists with the planned total but without its lines', async () => {
    const { ctx, intentId } = setUp({ targetId: '77', total: '0.00', lines: [] });
    expect(await recoverUnconfirmed(ctx)).toBe(0);
    expect(store.outbox.get(intentId)!.status).toBe('failed');
    // Not recorded as written: the next pass re-plans the record and writes it whole.
    expect(store.targetRecords.get(FLOW, plan.entity, plan.originId)).toBeUndefined();
  });

  it('confirms an intent whose record holds the planned total and every planned line', async () => {
    const { ctx, intentId } = setUp({ targetId: '77', total: '0.00', lines: [{ originId: 'line-2', amount: '0' }, { originId: 'line-1', amount: '0.00' }] });
    expect(await recoverUnconfirmed(ctx)).toBe(1);
    expect(store.outbox.get(intentId)!.status).toBe('confirmed');
    expect(store.targetRecords.get(FLOW, plan.entity, plan.originId)!.targetId).toBe('77');
    expect(store.audit.verifyAuditChain().ok).toBe(true);
  });

  it('retires an intent when a planned line holds another amount', async () => {
    const { ctx, intentId } = setUp({ targetId: '77', total: '0.00', lines: [{ originId: 'line-1', amount: '10.00' }, { originId: 'line-2', amount: '-10.00' }] });
    expect(await recoverUnconfirmed(ctx)).toBe(0);
    expect(store.outbox.get(intentId)!.status).toBe('failed');
  });
});
