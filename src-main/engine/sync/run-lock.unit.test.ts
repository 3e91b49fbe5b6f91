import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store';
import { runFlowExclusively } from './flow-run';
import { closeDeadRuns, describeCommandLine, FlowBusyError, LEASE_STALE_MS, startLockedRun } from './run-lock';
import { RunInterruptedError } from './types';

/**
 * One writer per flow per data folder (decision 0016). Two Store objects on one file stand in
 * for two processes; a holder's liveness is injected (the OS probe is the default).
 */
const FLOW = 'exact-procore';
const me = { pid: 4242, host: hostname(), command: 'ml-connector sync exact-procore --sandbox' };
const other = { pid: 5151, host: hostname(), command: 'ml-connector run --sandbox' };

let dir: string;
let store: Store;
let clock: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-run-lock-'));
  clock = Date.parse('2026-12-03T10:00:00.000Z');
  store = openStore(dir, { now: () => new Date(clock) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const alive = (...pids: number[]) => (pid: number) => pids.includes(pid);

describe('startLockedRun', () => {
  it('refuses a second holder while the first is alive, naming it; the refused attempt records nothing', () => {
    const first = startLockedRun(store, FLOW, 'run-1', 'cli', { holder: other, processAlive: alive(other.pid) });
    const second = openStore(dir, { now: () => new Date(clock) }); // another process on the same data folder
    try {
      let refused: unknown;
      try {
        startLockedRun(second, FLOW, 'run-2', 'cli', { holder: me, processAlive: alive(other.pid) });
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(FlowBusyError);
      expect((refused as Error).message).toContain(`process ${other.pid} on this computer (ml-connector run --sandbox), started 2026-12-03 10:00:00 UTC`);
      expect((refused as Error).message).toContain('stopped before reading or writing anything');
      expect(second.runs.get('run-2')).toBeUndefined();
      expect(second.flowLocks.get(FLOW)).toMatchObject({ runId: 'run-1', pid: other.pid });
    } finally {
      second.close();
      first.release();
    }
  });

  it('takes over the lease of a dead process at once; its run becomes interrupted with the counts it had', () => {
    startLockedRun(store, FLOW, 'run-dead', 'schedule', { holder: other, processAlive: alive(other.pid) });
    store.runs.updateCounts('run-dead', { created: 12, read: 40 });
    // The holder is SIGKILLed: its lease stays behind, and no one released it.
    const next = startLockedRun(store, FLOW, 'run-next', 'cli', { holder: me, processAlive: alive(me.pid) });
    expect(store.flowLocks.get(FLOW)).toMatchObject({ runId: 'run-next', pid: me.pid, command: me.command });
    expect(store.runs.get('run-dead')).toMatchObject({ status: 'interrupted', counts: { created: 12, read: 40 } });
    expect(store.runs.get('run-dead')?.error).toMatch(/process 5151 \(ml-connector run --sandbox\) is no longer running.*run run-next resolves/);
    expect(store.runs.get('run-next')?.status).toBe('running');
    next.release();
    expect(store.flowLocks.get(FLOW)).toBeUndefined();
  });

  it('another computer’s lease (network drive) is busy while its heartbeat is fresh, and taken over once it is silent', () => {
    const remote = { ...other, host: 'other-workstation' };
    startLockedRun(store, FLOW, 'run-remote', 'schedule', { holder: remote, processAlive: () => false });
    // Its pid cannot be asked about from here: a dead-looking pid must not count.
    expect(() => startLockedRun(store, FLOW, 'run-2', 'cli', { holder: me, processAlive: () => false })).toThrow(/on computer other-workstation/);
    clock += LEASE_STALE_MS + 1_000;
    const taken = startLockedRun(store, FLOW, 'run-3', 'cli', { holder: me, processAlive: alive(me.pid) });
    expect(store.runs.get('run-remote')?.error).toMatch(/on computer other-workstation .* has been silent for 61 s/);
    taken.release();
  });

  it('a live pid whose heartbeat stopped (a reused pid, a hung holder) is taken over too', () => {
    startLockedRun(store, FLOW, 'run-hung', 'schedule', { holder: other, processAlive: alive(other.pid) });
    clock += LEASE_STALE_MS + 1_000;
    const taken = startLockedRun(store, FLOW, 'run-2', 'cli', { holder: me, processAlive: alive(other.pid, me.pid) });
    expect(store.runs.get('run-hung')?.error).toMatch(/stopped answering 61 s ago/);
    taken.release();
  });

  it('fences: a holder whose lease was taken over stops at its next write batch and never releases the new lease', () => {
    const old = startLockedRun(store, FLOW, 'run-old', 'schedule', { holder: other, processAlive: alive(other.pid) });
    old.assertHeld();
    clock += LEASE_STALE_MS + 1_000;
    const fresh = startLockedRun(store, FLOW, 'run-new', 'cli', { holder: me, processAlive: alive(other.pid, me.pid) });
    expect(() => old.assertHeld()).toThrow(RunInterruptedError);
    expect(() => old.assertHeld()).toThrow(/lost its hold on exact-procore to process 4242/);
    old.release();
    expect(store.flowLocks.get(FLOW)?.runId).toBe('run-new');
    fresh.assertHeld();
    fresh.release();
  });

  it('closes runs left running without a lease (a crash before the lease existed) when the flow is next taken', () => {
    store.runs.start('run-orphan', FLOW, 'manual');
    const lock = startLockedRun(store, FLOW, 'run-1', 'cli', { holder: me, processAlive: alive(me.pid) });
    expect(store.runs.get('run-orphan')?.status).toBe('interrupted');
    expect(store.runs.get('run-1')?.status).toBe('running');
    lock.release();
  });
});

describe('closeDeadRuns (status and run history)', () => {
  it('shows a killed process’s run as interrupted without waiting for a next run, and leaves live ones alone', () => {
    startLockedRun(store, FLOW, 'run-killed', 'cli', { holder: other, processAlive: alive(other.pid) });
    const live = startLockedRun(store, 'exact-monday', 'run-live', 'cli', { holder: me, processAlive: alive(me.pid) });
    expect(closeDeadRuns(store, { processAlive: alive(me.pid) })).toBe(1);
    expect(store.runs.get('run-killed')?.status).toBe('interrupted');
    expect(store.flowLocks.get(FLOW)).toBeUndefined();
    expect(store.runs.get('run-live')?.status).toBe('running');
    live.release();
  });
});

describe('runFlowExclusively', () => {
  const opts = (signal?: AbortSignal) => ({ store, flow: FLOW, trigger: 'cli' as const, ...(signal ? { signal } : {}), lock: { holder: me, processAlive: alive(me.pid) } });

  it('a stop request ends the run at its next safe point as cancelled, saying what was done, and frees the flow', async () => {
    const stop = new AbortController();
    const summary = await runFlowExclusively(opts(stop.signal), async ({ counts, guard }) => {
      counts.created = 3;
      guard.checkpoint();
      stop.abort('by Ctrl-C');
      guard.checkpoint();
      counts.created = 99; // never reached
    });
    expect(summary.status).toBe('cancelled');
    expect(summary.counts.created).toBe(3);
    expect(summary.error).toBe(
      'Stopped by Ctrl-C at a safe point, after 3 records were written and confirmed. The next run first checks the target for anything left unconfirmed, then completes the rest.',
    );
    expect(store.runs.get(summary.runId)).toMatchObject({ status: 'cancelled', counts: { created: 3 } });
    expect(store.flowLocks.get(FLOW)).toBeUndefined();
  });

  it('a run refused as busy throws and leaves no run behind; a failing run is recorded failed and frees the flow', async () => {
    const held = startLockedRun(store, FLOW, 'run-held', 'schedule', { holder: other, processAlive: alive(other.pid) });
    await expect(runFlowExclusively({ ...opts(), lock: { holder: me, processAlive: alive(other.pid) } }, async () => {})).rejects.toBeInstanceOf(FlowBusyError);
    expect(store.runs.listRecent(10).map((r) => r.id)).toEqual(['run-held']);
    store.runs.finish('run-held', 'succeeded', {});
    held.release();
    const failed = await runFlowExclusively(opts(), async () => {
      throw new Error('disk full');
    });
    expect(failed).toMatchObject({ status: 'failed', error: 'The run stopped: disk full' });
    expect(store.flowLocks.get(FLOW)).toBeUndefined();
  });
});

it('describeCommandLine names the command as typed, without the node binary or the folders', () => {
  expect(describeCommandLine(['/usr/bin/node', '/home/u/ml/bin/ml-connector.mjs', 'sync', 'exact-procore', '--data-dir', 'My Data'])).toBe(
    'ml-connector sync exact-procore --data-dir "My Data"',
  );
});
