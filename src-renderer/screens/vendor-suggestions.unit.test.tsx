// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch as nodeFetch } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBridge } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { ipcOn } from '../../test/support/ipc-call';
import { addProcoreVendor } from '../../test/support/procore-admin';
import { SANDBOX, startSandboxEngine } from '../../test/support/sandbox-engine';
import { parseRoute } from '../app/router';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { MappingsScreen } from './MappingsScreen';

/**
 * "Suggest links from Procore" on the vendors table, in happy-dom against the real handlers
 * and the engine `serve --sandbox` runs (Exact Online and Procore simulators on loopback).
 */
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
/** The demo's supplier with no Procore vendor: its purchase orders wait in Pending validation. */
const missingInProcore = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;
const VENDORS_ROUTE = '#/mappings?flow=exact-procore&set=vendors';

let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;

function renderVendors() {
  const stores = createAppStores(
    createBridge(
      (method, request) => dispatch(method, request, ctx),
      () => () => undefined,
    ),
  );
  render(
    <StoresContext.Provider value={stores}>
      <MappingsScreen route={parseRoute(VENDORS_ROUTE)} />
    </StoresContext.Provider>,
  );
}

async function clickSuggest() {
  fireEvent.click(await screen.findByRole('button', { name: 'Suggest links from Procore' }));
}

const currentVendorTable = () => ipcOn(ctx).value('mappings.get', { flow: 'exact-procore', set: 'vendors' });

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-vendor-suggest-ui-'));
  // happy-dom replaces URL, which package.json lookup needs: give the version.
  ctx = createAppContext({
    dataDir,
    credentials: new InMemoryCredentialStore(),
    log: silentLogger,
    appVersion: '0.0.0-test',
  });
});

afterEach(() => {
  cleanup();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('with the engine on the sandbox', () => {
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
    engine = await startSandboxEngine(ctx);
  });
  afterEach(() => engine.close());

  it('lists a vendor added in Procore; Accept adds the row, Accept all the rest, Save makes the new version', async () => {
    // In Procore, someone adds the missing vendor with the Exact code as External ID.
    const added = await addProcoreVendor(engine.procoreAccess(), {
      name: missingInProcore.name,
      origin_code: missingInProcore.code,
    });
    // And one link is missing from the table: supplier 40001 (its vendor carries External ID 40001).
    const before = await currentVendorTable();
    await ipcOn(ctx).value('mappings.save', {
      flow: 'exact-procore',
      set: 'vendors',
      rows: before.rows.filter((r) => r.sourceKey['supplierCode'] !== '40001'),
      baseVersion: 1,
    });
    const vendor40001 = String(world.suppliers.find((s) => s.code === '40001')!.procoreVendorId);

    renderVendors();
    await clickSuggest();
    const table = await screen.findByRole('table', { name: 'Suggested supplier to vendor links' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((row) => [...row.querySelectorAll('td')].slice(0, 3).map((cell) => cell.textContent)),
    ).toEqual([
      [
        '40001 Van den Berg Betonmortel B.V.',
        `${vendor40001} Van den Berg Betonmortel B.V.`,
        'same External ID',
      ],
      [
        `${missingInProcore.code} ${missingInProcore.name}`,
        `${added.id} ${missingInProcore.name}`,
        'same External ID',
      ],
    ]);

    fireEvent.click(
      within(table).getByRole('button', {
        name: `Accept link from supplier ${missingInProcore.code} to vendor ${added.id}`,
      }),
    );
    // The pickers show the supplier and the vendor by code and name; the row stores the vendor's id.
    await waitFor(() =>
      expect((screen.getByLabelText('Exact supplier code, row 1') as HTMLInputElement).value).toBe(
        `${missingInProcore.code} — ${missingInProcore.name}`,
      ),
    );
    const vendorPicker = screen.getByRole('combobox', { name: 'Procore vendor, row 1' }) as HTMLInputElement;
    expect(vendorPicker.value).toBe(`${missingInProcore.code} — ${missingInProcore.name}`);
    expect(document.getElementById(vendorPicker.getAttribute('aria-describedby')!)?.textContent).toBe(`id ${added.id}`);
    // The accepted one leaves the list; nothing is linked yet.
    expect(
      screen.queryByRole('button', { name: new RegExp(`supplier ${missingInProcore.code} `) }),
    ).toBeNull();
    expect((await currentVendorTable()).current?.version).toBe(2);

    fireEvent.click(screen.getByRole('button', { name: 'Accept all (1)' }));
    await screen.findByText('Every suggestion is in the table below. Save mapping to link them.');
    expect((screen.getByLabelText('Exact supplier code, row 1') as HTMLInputElement).value).toBe(
      '40001 — Van den Berg Betonmortel B.V.',
    );

    fireEvent.click(screen.getByRole('button', { name: 'Save mapping' }));
    await screen.findByText(/^Vendors v3 saved\./);
    expect(screen.getByText('Every suggested link is saved.').getAttribute('role')).toBe('status');
    const saved = await currentVendorTable();
    expect(saved.rows.length).toBe(before.rows.length + 1);
    expect(saved.rows).toEqual(
      expect.arrayContaining([
        { sourceKey: { supplierCode: '40001' }, target: { procoreVendorId: vendor40001 } },
        { sourceKey: { supplierCode: missingInProcore.code }, target: { procoreVendorId: added.id } },
      ]),
    );
  });

  it('says so when every supplier with a matching vendor is linked, and the answer can be dismissed', async () => {
    renderVendors();
    await clickSuggest();
    await screen.findByText('No new suggestions: every supplier with a matching Procore vendor is linked.', {}, { timeout: 30_000 });
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss suggestions' }));
    await waitFor(() => expect(screen.queryByText(/^No new suggestions/)).toBeNull());
    expect((screen.getByRole('button', { name: 'Save mapping' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('without the engine', () => {
  it('shows why in the screen’s error style and adds nothing', async () => {
    renderVendors();
    await clickSuggest();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The sync engine is not running in this process.');
    expect(alert.className).toContain('notice-error');
    expect(screen.queryByRole('table', { name: 'Suggested supplier to vendor links' })).toBeNull();
    expect((screen.getByRole('button', { name: 'Save mapping' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
