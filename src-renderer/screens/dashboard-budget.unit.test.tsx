// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridge, flowOverviewSchema, type FlowOverview } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { formatDateTime } from '../ui/format';
import { budgetText, DashboardScreen } from './DashboardScreen';

/**
 * The Dashboard's per-connection budget line. Everything goes through the real handlers and a
 * temp SQLite file except `flows.overview`, which needs a running engine: it answers with an
 * overview the contract accepts, as an engine with Exact Online and Procore budgets reports it.
 */
const NEXT_SAFE_RUN = '2026-01-14T09:40:00.000Z';

const overview: FlowOverview = flowOverviewSchema.parse({
  flow: 'exact-procore',
  title: 'Exact Online → Procore',
  unavailable: null,
  connections: [
    {
      id: 'exact-1',
      system: 'exact-online',
      label: 'Exact Online',
      status: 'connected',
      tokenExpiresAt: null,
      warning: null,
      budget: {
        window: 'daily',
        used: 10,
        left: 4990,
        limit: 5000,
        nextSafeRunAt: '2026-01-14T09:00:00.000Z',
      },
    },
    {
      id: 'procore-1',
      system: 'procore',
      label: 'Procore',
      status: 'connected',
      tokenExpiresAt: null,
      warning: null,
      budget: { window: 'hourly', used: 3596, left: 4, limit: 3600, nextSafeRunAt: NEXT_SAFE_RUN },
    },
  ],
  lastRun: null,
  nextRunAt: null,
  counts: { synced: 0, parked: 0, failed: 0 },
  running: null,
  recentRuns: [],
});

let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-dashboard-budget-'));
  ctx = createAppContext({
    dataDir,
    credentials: new InMemoryCredentialStore(),
    log: silentLogger,
    appVersion: '0.0.0-test',
  });
  const stores = createAppStores(
    createBridge(
      (method, request) =>
        method === 'flows.overview'
          ? Promise.resolve({ ok: true, value: { flows: [overview] } })
          : dispatch(method, request, ctx),
      () => () => undefined,
    ),
  );
  render(
    <StoresContext.Provider value={stores}>
      <DashboardScreen />
    </StoresContext.Provider>,
  );
});

afterEach(() => {
  cleanup();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Dashboard connection budgets', () => {
  it("shows each connection's calls in its own window: today for Exact Online, this hour for Procore", async () => {
    const list = await screen.findByRole('list', { name: 'Connections of Exact Online → Procore' });
    const [exact, procore] = [...list.querySelectorAll('li')].map((li) => li.textContent);
    expect(exact).toContain(
      `10 calls used today, ${(4990).toLocaleString()} left, next safe run ${formatDateTime('2026-01-14T09:00:00.000Z')}`,
    );
    expect(procore).toContain(
      `${(3596).toLocaleString()} calls used this hour, 4 left, next safe run ${formatDateTime(NEXT_SAFE_RUN)}`,
    );
    expect(procore).not.toContain('today');
  });

  it('says plainly when a figure is not known yet', () => {
    expect(
      budgetText({ window: 'hourly', used: null, left: null, limit: null, nextSafeRunAt: NEXT_SAFE_RUN }),
    ).toBe(`? calls used this hour, unknown left, next safe run ${formatDateTime(NEXT_SAFE_RUN)}`);
  });
});
