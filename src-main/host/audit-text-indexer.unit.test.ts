import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput } from '../../src-shared/domain/audit';
import { openTempStore } from '../../test/store/temp-store';
import { createLogger } from '../connectors/_kit/log';
import { createFakeTimers, type FakeTimers } from '../engine/scheduler/timers';
import type { Store } from '../store/db';
import { AuditTextIndexer } from './audit-text-indexer';
import { createEventBus, type EventBus } from './event-bus';

let temp: ReturnType<typeof openTempStore>;
let store: Store;
let timers: FakeTimers;
let events: EventBus;
let indexer: AuditTextIndexer;
const warnings: string[] = [];

function entries(from: number, count: number): AuditEntryInput[] {
  return Array.from({ length: count }, (_, k) => ({
    flow: 'F1',
    runId: 'run-1',
    entity: 'commitment',
    sourceId: `PO-${from + k}`,
    step: 'written',
    status: 'ok',
    mappingVersion: 1,
    targetSystem: 'procore',
    targetId: null,
    amount: null,
    currency: null,
    sourceSnapshot: null,
    targetPayload: null,
    result: null,
    message: `Commitment for PO-${from + k} written`,
  }));
}

function progress(runId: string, phase: 'starting' | 'reading' | 'done' | 'failed') {
  const counts = { created: 0, updated: 0, unchanged: 0, parked: 0, failed: 0 };
  events.emit('run.progress', { runId, flow: 'exact-procore', phase, processed: 0, total: null, counts });
}

beforeEach(() => {
  temp = openTempStore();
  store = temp.store;
  timers = createFakeTimers();
  events = createEventBus();
  warnings.length = 0;
  const log = createLogger({ level: 'warn', sink: (line) => warnings.push(line) });
  indexer = new AuditTextIndexer({ audit: store.audit, events, log, timers, batchRows: 100, pauseMs: 10, recheckMs: 1_000 });
});
afterEach(() => {
  indexer.stop();
  temp.cleanup();
});

describe('AuditTextIndexer', () => {
  it('catches up in batches with pauses between them, then rechecks for entries appended later', async () => {
    store.audit.appendMany(entries(1, 350));
    indexer.start();
    await timers.advance(0);
    expect(store.audit.textIndexProgress().indexedThrough).toBe(100); // one batch at a time
    await timers.advance(10);
    expect(store.audit.textIndexProgress().indexedThrough).toBe(200);
    await timers.advance(20);
    expect(store.audit.textIndexProgress()).toEqual({ indexedThrough: 350, behind: 0 });

    store.audit.appendMany(entries(351, 5)); // e.g. a CLI sync in another process
    await timers.advance(999);
    expect(store.audit.textIndexProgress().behind).toBe(5);
    await timers.advance(1);
    expect(store.audit.textIndexProgress().behind).toBe(0);
  });

  it('waits while a sync runs and indexes its entries as soon as it ends', async () => {
    indexer.start();
    await timers.advance(0);
    progress('run-7', 'starting');
    store.audit.appendMany(entries(1, 50));
    progress('run-7', 'reading');
    await timers.advance(5_000);
    expect(store.audit.textIndexProgress()).toEqual({ indexedThrough: 0, behind: 50 });
    progress('run-7', 'done');
    await timers.advance(10);
    expect(store.audit.textIndexProgress()).toEqual({ indexedThrough: 50, behind: 0 });
  });

  it('never waits for another process holding the write lock, keeps the log searchable, and tries again later', async () => {
    store.audit.appendMany(entries(1, 20));
    // Another writer holds the write lock (as a CLI sync in a second process would).
    const blocker = new Database(store.db.name, { timeout: 0 });
    blocker.exec('BEGIN IMMEDIATE');
    indexer.start();
    const started = performance.now();
    await timers.advance(0);
    // The store's 5 s busy timeout is not spent on the main thread.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(store.audit.textIndexProgress().indexedThrough).toBe(0);
    expect(warnings).toEqual([]); // expected while a CLI sync writes: not a warning
    expect(store.audit.query({ text: 'PO-7 written' }, { limit: 10 }).entries.map((e) => e.sourceId)).toEqual(['PO-7']);
    blocker.exec('ROLLBACK');
    blocker.close();
    await timers.advance(1_000);
    expect(store.audit.textIndexProgress()).toEqual({ indexedThrough: 20, behind: 0 });
    expect(store.db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0); // restored for everyone else
  });

  it('warns about a batch that fails for another reason, and tries again later', async () => {
    store.audit.appendMany(entries(1, 5));
    const failing = new AuditTextIndexer({
      audit: { indexTextBatch: () => { throw new Error('database disk image is malformed'); } },
      events,
      log: createLogger({ level: 'warn', sink: (line) => warnings.push(line) }),
      timers,
      recheckMs: 1_000,
    });
    failing.start();
    await timers.advance(0);
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({
      level: 'warn',
      msg: 'audit search index: a batch failed; trying again later',
      reason: 'database disk image is malformed',
    });
    await timers.advance(1_000);
    expect(warnings).toHaveLength(2);
    failing.stop();
  });

  it('leaves no timer behind when stopped', async () => {
    indexer.start();
    await timers.advance(0);
    expect(timers.pending()).toBe(1);
    indexer.stop();
    expect(timers.pending()).toBe(0);
  });
});
