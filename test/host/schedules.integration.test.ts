import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IpcMethodName, IpcRequestInput, IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { FLOWS } from '../../src-main/engine/flows/registry';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { engineScheduler, startEngineSchedule } from '../../src-main/host/engine-api';
import { attachEngine, type EngineHost } from '../../src-main/host/engine-host';
import { dispatch } from '../../src-main/host/handlers';

/** schedules.get / schedules.save against a real SQLite file, with and without a running engine. */
let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;
let f1: EngineHost | null = null;

const open = () =>
  createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-schedules-'));
  ctx = open();
});

afterEach(async () => {
  await engineScheduler(ctx.engine)?.stop();
  await f1?.close();
  f1 = null;
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call<M extends IpcMethodName>(method: M, request?: IpcRequestInput<M>): Promise<IpcResponse<M>> {
  const result = await dispatch(method, request, ctx);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as IpcResponse<M>;
}

async function failure(request: unknown) {
  const result = await dispatch('schedules.save', request, ctx);
  if (result.ok) throw new Error('schedules.save unexpectedly succeeded');
  return result.error;
}

const valid = { flow: 'exact-procore', everyMinutes: 30, paused: false, activeHours: null };

describe('schedules.get / schedules.save', () => {
  it('shows the default schedule of each background flow before anything is saved', async () => {
    const { schedules } = (await call('schedules.get')) as { schedules: { flow: string }[] };
    expect(schedules.map((s) => s.flow)).toEqual(FLOWS.map((f) => f.id));
    await expect(call('schedules.get')).resolves.toEqual({
      schedules: expect.arrayContaining([
        {
          flow: 'exact-procore',
          title: 'Exact Online → Procore',
          everyMinutes: 15,
          paused: false,
          activeHours: null,
          nextRunAt: null,
          state: 'not-running',
          reason:
            'None here: scheduled syncs run in the desktop app and in `ml-connector serve`, not in this window. The schedule is saved and applies there.',
        },
      ]),
    });
  });

  it('saves a schedule and keeps it across closing and reopening the data file', async () => {
    const hours = { from: '22:00', to: '06:00', days: [1, 2, 3, 4, 5, 7] }; // past midnight is allowed
    const saved = await call('schedules.save', { ...valid, everyMinutes: 45, paused: true, activeHours: hours });
    expect(saved).toMatchObject({ flow: 'exact-procore', everyMinutes: 45, paused: true, activeHours: hours });
    ctx.close();
    ctx = open();
    expect((await call('schedules.get')).schedules[0]).toMatchObject({ everyMinutes: 45, paused: true, activeHours: hours });
  });

  it('refuses bad input with a message naming the problem, and stores nothing', async () => {
    // In the words of the Settings screen: its label, not the request field or the method.
    expect((await failure({ ...valid, everyMinutes: 2 })).message).toBe('Run every: must be at least 5 minutes.');
    expect((await failure({ ...valid, everyMinutes: 1441 })).message).toBe('Run every: must be at most 1440 minutes (once a day).');
    expect((await failure({ ...valid, everyMinutes: 7.5 })).message).toBe('Run every: must be whole minutes.');
    expect((await failure({ ...valid, everyMinutes: Number.NaN })).message).toBe('Run every: must be a number.');
    const same = await failure({ ...valid, activeHours: { from: '09:00', to: '09:00', days: [1] } });
    expect(same).toMatchObject({ code: 'invalid-request' });
    expect(same.message).toMatch(/from must be before to, or the window runs past midnight/);
    expect((await failure({ ...valid, activeHours: { from: '7am', to: '19:00', days: [1] } })).message).toMatch(/HH:MM/);
    expect((await failure({ ...valid, activeHours: { from: '07:00', to: '19:00', days: [] } })).message).toMatch(/at least one day/);
    expect((await failure({ ...valid, activeHours: { from: '07:00', to: '19:00', days: [0] } })).message).toMatch(/1 \(Monday\) to 7 \(Sunday\)/);
    expect(await failure({ ...valid, flow: 'no-such-flow' })).toMatchObject({ code: 'not-found', message: expect.stringMatching(/no scheduled flow "no-such-flow"/) });
    expect((await call('schedules.get')).schedules[0]!.everyMinutes).toBe(15);
  });
});

describe('with the engine running', () => {
  it('applies a save to the scheduler at once, and a new engine starts with the saved schedule', async () => {
    f1 = await attachEngine(ctx, { sandbox: { seed: 1, scale: 1 } });
    // Not started: this process only syncs on "Sync now", and the view says so.
    expect((await call('schedules.get')).schedules[0]).toMatchObject({ state: 'not-running', reason: expect.stringMatching(/only when you press “Sync now”/) });
    const scheduler = startEngineSchedule(ctx.engine)!;
    expect(scheduler.isPaused('exact-procore')).toBe(false);

    const paused = await call('schedules.save', { ...valid, everyMinutes: 60, paused: true });
    expect(paused).toMatchObject({ state: 'paused', nextRunAt: null });
    expect(scheduler.isPaused('exact-procore')).toBe(true);

    // Resume (with active hours): the scheduler takes the new settings without a restart.
    await call('schedules.save', { ...valid, activeHours: { from: '00:00', to: '23:59', days: [1, 2, 3, 4, 5, 6, 7] } });
    expect(scheduler.isPaused('exact-procore')).toBe(false);

    await call('schedules.save', { ...valid, paused: true });
    await f1?.close();
    f1 = await attachEngine(ctx, { sandbox: { seed: 1, scale: 1 } });
    startEngineSchedule(ctx.engine);
    expect(engineScheduler(ctx.engine)!.isPaused('exact-procore')).toBe(true);
    expect((await call('schedules.get')).schedules[0]).toMatchObject({ state: 'paused', everyMinutes: 30 });
  }, 60_000);
});
