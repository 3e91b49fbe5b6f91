// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge, flowOverviewSchema, type FlowOverview } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createFakeTimers } from '../../src-main/engine/scheduler/timers';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { serveApp, type ServedApp } from '../../src-main/host/serve';
import { APP_SANDBOX_CONFIG } from '../../src-main/host/systems';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { formatDateTime } from '../ui/format';
import { nextRunWords } from '../ui/schedule-words';
import { DashboardScreen, RunChart } from './DashboardScreen';
import { ScheduleSettingsCard } from './ScheduleSettings';

const MINUTE = 60_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  cleanup();
  for (const undo of cleanups.splice(0).reverse()) await undo();
});

/** `serve --sandbox` exactly as the CLI starts it (host/serve.ts), with the schedule on a clock the test moves. */
async function servedSandbox(): Promise<{ ctx: ReturnType<typeof createAppContext>; served: ServedApp; start: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlc-schedule-screens-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), log: silentLogger, appVersion: '0.0.0-test' });
  cleanups.push(() => ctx.close());
  const sandbox: Sandbox = await startSandbox({ dataDir, seed: 1, scale: 1, config: APP_SANDBOX_CONFIG });
  cleanups.push(() => sandbox.close());
  const start = Math.ceil(Date.now() / MINUTE) * MINUTE;
  const served = await serveApp(ctx, {
    port: 0,
    rendererDir: join(dataDir, 'no-renderer'),
    sandbox: { seed: 1, scale: 1, running: sandbox },
    scheduleTimers: createFakeTimers(start),
    timers: createFakeTimers(start),
  });
  cleanups.push(() => served.close());
  return { ctx, served, start };
}

function renderWith(ctx: ReturnType<typeof createAppContext>, ui: React.ReactElement) {
  const stores = createAppStores(createBridge((method, request) => dispatch(method, request, ctx), () => () => undefined));
  render(<StoresContext.Provider value={stores}>{ui}</StoresContext.Provider>);
  return stores;
}

/** The Dashboard's "Next run" of the flow card, as shown. */
async function dashboardNextRun(): Promise<string> {
  const card = await screen.findByRole('region', { name: 'Exact Online → Procore' });
  const term = within(card).getByText('Next run', { selector: 'dt' });
  return term.nextElementSibling!.textContent!;
}

/** How long a screen may take to show what the served app answers (a loaded 2-core machine is slow). */
const SHOWN = { timeout: 15_000 };

describe('Dashboard and Settings agree on the next run', () => {
  it('in serve: the same time on both screens, from the first moment and after a new cadence is saved', async () => {
    const { ctx, start } = await servedSandbox();
    const every15 = `${formatDateTime(new Date(start + 15 * MINUTE).toISOString())} (every 15 minutes)`;

    const stores = renderWith(
      ctx,
      <>
        <DashboardScreen />
        <ScheduleSettingsCard />
      </>,
    );
    await waitFor(async () => expect(await dashboardNextRun()).toBe(every15), SHOWN);
    // Settings has a schedule form per flow: F1's is the one the Dashboard card above shows.
    const form = within(await screen.findByRole('form', { name: 'Exact Online → Procore' }));
    expect((await form.findByText(/^Next run:/)).textContent).toBe(`Next run: ${every15}`);

    fireEvent.change(form.getByLabelText('Run every (minutes)'), { target: { value: '5' } });
    fireEvent.click(form.getByRole('button', { name: 'Save schedule' }));
    const every5 = `${formatDateTime(new Date(start + 5 * MINUTE).toISOString())} (every 5 minutes)`;
    await waitFor(() => expect(form.getByText(/^Next run:/).textContent).toBe(`Next run: ${every5}`), SHOWN);
    await stores.dashboard.getState().load();
    await waitFor(async () => expect(await dashboardNextRun()).toBe(every5), SHOWN);
  }, 60_000);

  it('without a scheduler in this window, both say so in the same words', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-schedule-words-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), log: silentLogger, appVersion: '0.0.0-test' });
    cleanups.push(() => ctx.close());
    renderWith(ctx, <ScheduleSettingsCard />);
    // Every flow's form says the same; F1's stands for them.
    const form = within(await screen.findByRole('form', { name: 'Exact Online → Procore' }));
    expect((await form.findByText(/^Next run:/)).textContent).toBe(
      'Next run: None here: scheduled syncs run in the desktop app and in `ml-connector serve`, not in this window. The schedule is saved and applies there.',
    );
    expect(nextRunWords({ paused: true, nextRunAt: '2026-01-14T09:15:00.000Z', state: 'paused', everyMinutes: 15 })).toBe(
      'None (scheduled runs are paused; “Sync now” still works)',
    );
    expect(nextRunWords({ paused: false, nextRunAt: null, state: 'running', everyMinutes: 15 })).toBe('Running now');
  });
});

describe('the run chart', () => {
  /** 25 runs, one an hour from 1 Jan 2026 00:00 UTC; run i has i records and i % 3 errors; newest first, as the engine lists them. */
  const runs = Array.from({ length: 25 }, (_, i) => ({
    runId: `run-${i}`,
    startedAt: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
    records: i,
    errors: i % 3,
  })).reverse();
  const flow: FlowOverview = flowOverviewSchema.parse({
    flow: 'demo',
    title: 'Demo flow',
    unavailable: null,
    connections: [],
    lastRun: null,
    nextRunAt: null,
    counts: { synced: 0, parked: 0, failed: 0 },
    running: null,
    recentRuns: runs,
  });

  it('shows the newest 20 runs, oldest left and newest right, with their dates on the axis', () => {
    render(<RunChart flow={flow} />);
    const chart = screen.getByRole('img');
    const bars = [...chart.querySelectorAll('g[data-started-at]')].map((g) => ({
      at: g.getAttribute('data-started-at'),
      x: Number(/translate\((\d+)/.exec(g.getAttribute('transform')!)![1]),
    }));
    expect(bars).toHaveLength(20);
    // Runs 5…24 (the oldest five left out), in time order from left to right.
    expect(bars.map((b) => b.at)).toEqual(Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2026, 0, 1, i + 5)).toISOString()));
    expect(bars.every((b, i) => i === 0 || b.x > bars[i - 1]!.x)).toBe(true);
    const ticks = [...chart.querySelectorAll('text')].map((t) => t.textContent);
    const oldest = new Date(Date.UTC(2026, 0, 1, 5)).toISOString();
    const newest = new Date(Date.UTC(2026, 0, 1, 24)).toISOString();
    expect(ticks).toEqual([formatDateTime(oldest, undefined, 'short'), formatDateTime(newest, undefined, 'short')]);
    expect(screen.getByText(/^Records per run/).textContent).toBe(
      `Records per run (blue) and errors (red) for the last 20 runs: oldest left (${formatDateTime(oldest)}), newest right (${formatDateTime(newest)}).`,
    );
    // The same figures for a screen reader, oldest first.
    expect(chart.getAttribute('aria-label')).toMatch(new RegExp(`^Recent runs of Demo flow, oldest first: ${escape(formatDateTime(oldest, undefined, 'short'))}: 5 records, 2 errors; `));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
