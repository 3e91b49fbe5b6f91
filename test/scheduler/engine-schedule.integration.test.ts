import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import type { Scheduler, SchedulerEvent } from '../../src-main/engine/scheduler/scheduler';
import { createAppContext } from '../../src-main/host/app-context';
import type { EngineApi } from '../../src-main/host/context';
import { engineScheduler } from '../../src-main/host/engine-api';
import { dispatch } from '../../src-main/host/handlers';
import type { FlowOverview } from '../../src-shared/ipc';
import { attachEngine, type EngineHost } from '../../src-main/host/engine-host';

/** Resolves with the scheduler's next event of this type (of F1: the registry's other flows are scheduled too). */
function next<T extends SchedulerEvent['type']>(scheduler: Scheduler, type: T): Promise<Extract<SchedulerEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = scheduler.subscribe((e) => {
      if (e.type !== type || ('flow' in e && e.flow !== 'exact-procore')) return;
      off();
      resolve(e as Extract<SchedulerEvent, { type: T }>);
    });
  });
}

describe('the UI engine runs through the scheduler', () => {
  let dataDir: string;
  let ctx: ReturnType<typeof createAppContext>;
  let f1: EngineHost | null;
  let engine: EngineApi;
  let scheduler: Scheduler;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlc-engine-sched-'));
    ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
    f1 = await attachEngine(ctx, { sandbox: { seed: 1, scale: 1 } });
    engine = ctx.engine!;
    scheduler = engineScheduler(engine)!;
  }, 60_000);

  afterAll(async () => {
    await scheduler?.stop();
    await f1?.close();
    ctx?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('"Sync now" twice during a run joins it: one manual run, one run id', async () => {
    expect(scheduler).not.toBeNull();
    const finished = next(scheduler, 'run-finished');
    const first = await engine.startSync('exact-procore', 'manual');
    const second = await engine.startSync('exact-procore', 'manual');
    expect(second.runId).toBe(first.runId);
    expect((await finished).trigger).toBe('manual');
    const runs = ctx.store.runs.listRecent(10);
    expect(runs.map((r) => ({ id: r.id, trigger: r.trigger }))).toEqual([{ id: first.runId, trigger: 'manual' }]);
    expect((await engine.flows())[0]!.nextRunAt).toBeNull(); // not started: no background schedule
  });

  it('once started, schedules runs ("schedule" trigger) and shows the next run time', async () => {
    const started = next(scheduler, 'run-started');
    const finished = next(scheduler, 'run-finished');
    scheduler.start();
    expect((await started).trigger).toBe('schedule');
    const joined = await engine.startSync('exact-procore', 'manual'); // during the scheduled run
    const event = await finished;
    expect(event.trigger).toBe('schedule');
    const f1Runs = ctx.store.runs.listRecent(10).filter((r) => r.flow === 'exact-procore');
    expect(f1Runs[0]).toMatchObject({ id: joined.runId, trigger: 'schedule' });
    expect(f1Runs).toHaveLength(2);
    const nextRunAt = (await engine.flows())[0]!.nextRunAt;
    expect(Date.parse(nextRunAt!)).toBeGreaterThan(Date.now() + 10 * 60_000); // every 15 minutes by default
  });

  it('the overview (through the IPC contract) shows each connection\'s budget in its own window', async () => {
    const result = await dispatch('flows.overview', undefined, ctx);
    if (!result.ok) throw new Error(result.error.message);
    const [flow] = (result.value as { flows: FlowOverview[] }).flows;
    const budget = (system: string) => flow!.connections.find((c) => c.system === system)!.budget!;
    // Exact Online: the division's day; Procore: the company's hour (the app's sandbox limit).
    expect(budget('exact-online')).toMatchObject({ window: 'daily', limit: 5000 });
    expect(budget('procore')).toMatchObject({ window: 'hourly', limit: 100_000 });
    for (const system of ['exact-online', 'procore']) {
      const b = budget(system);
      expect(b.used).toBeGreaterThan(0); // the runs above spent calls on both
      expect(b.used! + b.left!).toBe(b.limit);
      expect(Date.parse(b.nextSafeRunAt)).toBeGreaterThan(0);
    }
  });
});
