// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch as nodeFetch } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createBridge } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { SANDBOX, startSandboxEngine } from '../../test/support/sandbox-engine';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { ReconciliationScreen } from './ReconciliationScreen';

/** The Reconciliation screen in happy-dom against the real handlers and the sandbox engine, after a sync. */
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const missing = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;

let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;
let engine: Awaited<ReturnType<typeof startSandboxEngine>>;
// happy-dom swaps in a browser fetch (with CORS) for the page; the engine's headless sandbox
// sign-in runs in main, where fetch is Node's.
const pageFetch = globalThis.fetch;
beforeAll(() => {
  globalThis.fetch = nodeFetch as unknown as typeof globalThis.fetch;
});
afterAll(() => {
  globalThis.fetch = pageFetch;
});

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-reconcile-ui-'));
  ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), log: silentLogger, appVersion: '0.0.0-test' });
  engine = await startSandboxEngine(ctx);
  const flow = engine.host.flows.flows.get('exact-procore')!;
  const run = await flow.runtime.run({ trigger: 'manual' });
  expect(run.status, run.error ?? '').toBe('succeeded');
}, 60_000);

afterEach(async () => {
  cleanup();
  await engine.close();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('reconciles on request: totals, every difference explained, per supplier with drill-down to the documents', async () => {
  const stores = createAppStores(createBridge((method, request) => dispatch(method, request, ctx), () => () => undefined));
  render(
    <StoresContext.Provider value={stores}>
      <ReconciliationScreen />
    </StoresContext.Provider>,
  );
  fireEvent.click(await screen.findByRole('button', { name: 'Reconcile now' }));
  expect(await screen.findByText('every difference is explained', {}, { timeout: 20_000 })).toBeTruthy();
  const suppliers = screen.getByRole('table', { name: 'Per supplier' });
  const row = within(suppliers).getByRole('button', { name: missing.name }).closest('tr')!;
  expect(row.textContent).toMatch(/\d+ of \d+ differ/);
  expect(row.textContent).toContain('waits in Pending validation');
  fireEvent.click(within(row).getByRole('button', { name: missing.name }));
  const documents = screen.getByRole('table', { name: 'Documents' });
  const first = within(documents).getAllByRole('row')[1]!;
  expect(first.textContent).toMatch(/^Purchase (order|invoice) /);
  expect(first.textContent).toContain(missing.name);
  expect(first.textContent).toContain('waits in Pending validation: Supplier');
  // Amounts right-aligned, with currency.
  expect(within(first).getAllByRole('cell')[3]!.className).toBe('num');
  expect(within(first).getAllByRole('cell')[3]!.textContent).toMatch(/€/);
}, 60_000);
