import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_HOST_TOKEN_HEADER, type IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import type { SchedulerEvent } from '../../src-main/engine/scheduler/scheduler';
import { createFakeTimers, type FakeTimers } from '../../src-main/engine/scheduler/timers';
import { createAppContext } from '../../src-main/host/app-context';
import { engineScheduler } from '../../src-main/host/engine-api';
import { serveApp, type ServedApp } from '../../src-main/host/serve';
import { APP_SANDBOX_CONFIG } from '../../src-main/host/systems';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';

/**
 * A schedule saved in `serve` runs on time. `serve --sandbox` as the CLI wires it (host/serve.ts),
 * driven over its HTTP transport with the page's token, with the schedule on a fake clock the test
 * moves: nothing runs before the saved cadence is due, the run at the due minute is a scheduled
 * one, and the next follows one cadence later. (The bug: serve never started its scheduler.)
 */
const MINUTE = 60_000;
const FLOW = 'exact-procore';
let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;
let sandbox: Sandbox;
let served: ServedApp;
let clock: FakeTimers;
let start: number;
const events: SchedulerEvent[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-serve-schedule-'));
  ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), log: silentLogger, appVersion: '0.0.1-test' });
  sandbox = await startSandbox({ dataDir, seed: 1, scale: 1, config: APP_SANDBOX_CONFIG });
  start = Math.ceil(Date.now() / MINUTE) * MINUTE;
  clock = createFakeTimers(start);
  served = await serveApp(ctx, {
    port: 0,
    rendererDir: join(dataDir, 'no-renderer'),
    sandbox: { seed: 1, scale: 1, running: sandbox },
    scheduleTimers: clock,
    timers: createFakeTimers(start),
  });
  engineScheduler(ctx.engine)!.subscribe((event) => events.push(event));
}, 60_000);

afterAll(async () => {
  await served?.close();
  await sandbox?.close();
  ctx?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function ipc<T>(method: string, body: unknown): Promise<T> {
  const response = await fetch(`${served.host.origin}/ipc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [BROWSER_HOST_TOKEN_HEADER]: served.host.token },
    body: JSON.stringify(body),
  });
  const envelope = (await response.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!envelope.ok) throw new Error(envelope.error!.message);
  return envelope.value;
}

/** Until the scheduler reports the run it started as finished (the run itself is real work against the simulators). */
async function runFinished(count: number): Promise<void> {
  for (let i = 0; i < 600 && events.filter((e) => e.type === 'run-finished').length < count; i++) await new Promise((r) => setTimeout(r, 100));
}

describe('a schedule saved in serve', () => {
  it('is planned at once, and Settings and the Dashboard give the same next run', async () => {
    const [schedule] = (await ipc<IpcResponse<'schedules.get'>>('schedules.get', {})).schedules;
    expect(schedule).toMatchObject({ flow: FLOW, state: 'idle', nextRunAt: new Date(start + 15 * MINUTE).toISOString() });
    const saved = await ipc<IpcResponse<'schedules.save'>>('schedules.save', { flow: FLOW, everyMinutes: 5, paused: false, activeHours: null });
    expect(saved).toMatchObject({ state: 'idle', nextRunAt: new Date(start + 5 * MINUTE).toISOString(), reason: null });
    const [overview] = (await ipc<IpcResponse<'flows.overview'>>('flows.overview', {})).flows;
    expect(overview!.nextRunAt).toBe(saved.nextRunAt);
    expect(overview!.schedule).toEqual(saved);
  });

  it('runs on time: not a moment before the cadence is due, then every 5 minutes', async () => {
    await clock.advance(5 * MINUTE - 1);
    expect(events.filter((e) => e.type === 'run-started')).toEqual([]);
    expect(ctx.store.runs.listRecent(10, FLOW)).toEqual([]);

    await clock.advance(1);
    expect(events.filter((e) => e.type === 'run-started')).toEqual([{ type: 'run-started', flow: FLOW, trigger: 'schedule', at: start + 5 * MINUTE }]);
    await runFinished(1);
    const [run] = ctx.store.runs.listRecent(10, FLOW);
    expect(run).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
    expect(Number(run!.counts['created'])).toBeGreaterThan(0);

    const [afterRun] = (await ipc<IpcResponse<'schedules.get'>>('schedules.get', {})).schedules;
    expect(afterRun!.nextRunAt).toBe(new Date(start + 10 * MINUTE).toISOString());
    await clock.advance(5 * MINUTE);
    expect(events.filter((e) => e.type === 'run-started').map((e) => (e as { at: number }).at)).toEqual([start + 5 * MINUTE, start + 10 * MINUTE]);
    await runFinished(2);
    expect(ctx.store.runs.listRecent(10, FLOW).map((r) => r.trigger)).toEqual(['schedule', 'schedule']);
  }, 90_000);
});
