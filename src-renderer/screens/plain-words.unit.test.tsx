// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type * as Keytar from 'keytar';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBridge } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { connectionAccount, InMemoryCredentialStore, KeytarCredentialStore, type CredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { seedDemo } from '../../test/e2e/support/seed';
import { parseRoute } from '../app/router';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { ConnectionsScreen } from './ConnectionsScreen';
import { MappingsScreen } from './MappingsScreen';

/** What a new user reads when something is off: in the screen's words, next to what caused it. */

let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;

function open(credentials: CredentialStore = new InMemoryCredentialStore()) {
  ctx = createAppContext({ dataDir, credentials, log: silentLogger, appVersion: '0.0.0-test' });
}

function renderWith(ui: React.ReactElement) {
  const stores = createAppStores(createBridge((method, request) => dispatch(method, request, ctx), () => () => undefined));
  render(<StoresContext.Provider value={stores}>{ui}</StoresContext.Provider>);
  return stores;
}

/** The OS keychain on a machine without a D-Bus session: keytar's own error, classified as the app does. */
const NO_DBUS = 'Cannot autolaunch D-Bus without X11 $DISPLAY';
function keychainWithoutDbus(): KeytarCredentialStore {
  const fail = () => Promise.reject(new Error(NO_DBUS));
  return new KeytarCredentialStore({
    loadKeytar: async () =>
      ({ getPassword: fail, setPassword: fail, deletePassword: fail, findPassword: fail, findCredentials: fail }) as unknown as typeof Keytar,
  });
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-plain-words-'));
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The cells of the connections table row named `label`. */
function rowOf(label: string): string[] {
  const row = screen.getByRole('cell', { name: label }).closest('tr')!;
  return within(row)
    .getAllByRole('cell')
    .map((cell) => cell.textContent ?? '');
}

describe('Connections without a keychain (no D-Bus session)', () => {
  beforeEach(() => {
    open(keychainWithoutDbus());
    ctx.store.connections.create({ id: 'sandbox-exact', system: 'exact-online', label: 'Exact Online (sandbox)', mode: 'sandbox', settings: {} });
    ctx.store.connections.create({ id: 'live-procore', system: 'procore', label: 'Procore, our company', mode: 'live', settings: { companyId: '7' } });
  });

  it('still lists the connections and says the keychain is unavailable while the sandbox works', async () => {
    renderWith(<ConnectionsScreen />);
    const note = await screen.findByText('The keychain cannot be used on this computer');
    const box = note.closest('.state')!;
    expect(box.textContent).toContain('The sandbox works without it.');
    expect(box.textContent).toContain('There is no D-Bus session to reach the keychain through.');
    expect(screen.queryByText('Connections could not be loaded')).toBeNull();

    const [, system, kind, status, credentials] = rowOf('Exact Online (sandbox)');
    expect([system, kind, status, credentials]).toEqual([
      'Exact Online',
      'Sandbox (simulated)',
      ' Ready: signs in at the next sync',
      'None needed (simulated system on this computer)',
    ]);
    const live = rowOf('Procore, our company');
    expect(live[2]).toBe('Your account');
    expect(live[3]).toBe(' Not signed in yetConnect the account under “Connect your own accounts”.');
    expect(live[4]).toBe('Not known: the keychain cannot be read');
    // No field names or codes on screen.
    expect(document.body.textContent).not.toMatch(/clientSecret|accessToken|not-connected|not set/);
  });

  it('adds and removes a sandbox connection without it; keeps a live one until the keychain works', async () => {
    window.confirm = vi.fn(() => true);
    renderWith(<ConnectionsScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Use sandbox for Procore' }));
    expect((await screen.findByText('Added “Procore (sandbox)”.')).getAttribute('role')).toBe('status');
    await screen.findByRole('cell', { name: 'Procore (sandbox)' });

    fireEvent.click(screen.getByRole('button', { name: 'Remove Procore (sandbox)' }));
    await waitFor(() => expect(screen.queryByRole('cell', { name: 'Procore (sandbox)' })).toBeNull());

    fireEvent.click(screen.getByRole('button', { name: 'Remove Procore, our company' }));
    const refused = await screen.findByRole('alert');
    expect(refused.textContent).toContain('There is no D-Bus session to reach the keychain through.');
    expect(refused.textContent).toContain('“Procore, our company” was kept, so its secrets are not left behind in the keychain; remove it again once the keychain works.');
    expect(ctx.store.connections.get('live-procore')).toBeDefined();
  });
});

describe('Connections with a keychain: credentials in words', () => {
  it('says what is stored and what is missing, not which fields are "set"', async () => {
    const credentials = new InMemoryCredentialStore();
    open(credentials);
    ctx.store.connections.create({ id: 'live-exact', system: 'exact-online', label: 'Our Exact', mode: 'live', settings: {} });
    ctx.store.connections.create({ id: 'live-procore', system: 'procore', label: 'Our Procore', mode: 'live', settings: {} });
    await credentials.set(connectionAccount('live-exact', 'clientSecret'), 'secret-1');
    renderWith(<ConnectionsScreen />);
    await screen.findByRole('cell', { name: 'Our Exact' });
    expect(rowOf('Our Exact')[4]).toBe('Stored in the keychain; not signed in yet');
    expect(rowOf('Our Procore')[4]).toBe('Missing: client secret (Edit to add it)');
    await credentials.set(connectionAccount('live-exact', 'tokens'), '{}');
    ctx.store.connections.setStatus('live-exact', 'needs-reauth');
    cleanup();
    renderWith(<ConnectionsScreen />);
    await screen.findByRole('cell', { name: 'Our Exact' });
    expect(rowOf('Our Exact')[4]).toBe('Stored in the keychain');
    expect(rowOf('Our Exact')[3]).toBe(' Sign in againThe saved sign-in is no longer accepted: connect the account again.');
  });
});

describe('Connections: a refused client secret', () => {
  it('says so in the row with what to do, and entering the secret under Edit lifts the stop and keeps the app\u2019s settings', async () => {
    const credentials = new InMemoryCredentialStore();
    open(credentials);
    const tokenCalls = { day: '2026-11-22', count: 7 };
    ctx.store.connections.create({
      id: 'live-exact-online',
      system: 'exact-online',
      label: 'Our Exact',
      mode: 'live',
      settings: { region: 'nl', clientId: 'app-1', redirectUri: 'http://127.0.0.1:47913/callback', division: 1234567, tokenCalls, divisions: [{ code: 1234567, name: 'Bouw B.V.' }] },
    });
    await credentials.set(connectionAccount('live-exact-online', 'clientSecret'), 'old-secret');
    await credentials.set(connectionAccount('live-exact-online', 'tokens'), '{}');
    ctx.store.connections.setStatus('live-exact-online', 'secret-refused');
    renderWith(<ConnectionsScreen />);
    await screen.findByRole('cell', { name: 'Our Exact' });
    expect(rowOf('Our Exact')[3]).toBe(
      ' Client secret refusedThe app\u2019s client secret was refused: update it in Connections (Edit), or connect again. Nothing is synced and no sign-in calls are made until then.',
    );

    fireEvent.click(screen.getByRole('button', { name: 'Edit Our Exact' }));
    fireEvent.change(screen.getByLabelText('Client secret (stored; type to replace it)'), { target: { value: 'new-secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save connection' }));
    await waitFor(() => expect(ctx.store.connections.require('live-exact-online').status).toBe('connected'));
    expect(await credentials.get(connectionAccount('live-exact-online', 'clientSecret'))).toBe('new-secret');
    // Today's token-call count and the divisions survive the form (the cap is counted on).
    expect(ctx.store.connections.require('live-exact-online').settings).toMatchObject({ tokenCalls, divisions: [{ code: 1234567, name: 'Bouw B.V.' }], clientId: 'app-1' });
    await waitFor(() => expect(rowOf('Our Exact')[3]).toBe(' Connected'));
  });
});

describe('Mappings: numbered rows, and the outcome next to the button that caused it', () => {
  beforeEach(() => {
    open();
    seedDemo(ctx.store); // costs v1: 4000 / KST-10 → 01-100 / M
  });

  it('a save refused for "Row 2" shows next to Save mapping, and row 2 carries that number', async () => {
    renderWith(<MappingsScreen route={parseRoute('#/mappings?flow=exact-procore&set=costs')} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add row' }));
    fireEvent.change(screen.getByLabelText('GL account, row 1'), { target: { value: '4500' } });
    fireEvent.change(screen.getByLabelText('Cost center, row 1'), { target: { value: 'KST-20' } });
    fireEvent.change(screen.getByLabelText('Procore cost code, row 1'), { target: { value: '01-200' } });
    fireEvent.change(screen.getByLabelText('Cost type, row 1'), { target: { value: 'M' } });
    fireEvent.change(screen.getByLabelText('Procore cost code, row 2'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save mapping' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Row 2: Procore cost code is empty.');
    // Next to the button, not above a long table.
    expect(alert.closest('form')).toBe(screen.getByRole('button', { name: 'Save mapping' }).closest('form'));
    // Row 2 is the row with the empty cost code, and says so in its first cell.
    const rowHeader = screen.getByRole('rowheader', { name: '2' });
    expect((within(rowHeader.closest('tr')!).getByLabelText('GL account, row 2') as HTMLInputElement).value).toBe('4000');
    expect(screen.getByRole('columnheader', { name: 'Row' })).toBeTruthy();

    // Search narrows the list; the row keeps its number.
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: '4000' } });
    await waitFor(() => expect(screen.queryByLabelText('GL account, row 1')).toBeNull());
    expect(screen.getByRole('rowheader', { name: '2' })).toBeTruthy();
  });

  it('an import or export outcome shows next to its buttons, above the table', async () => {
    const stores = renderWith(<MappingsScreen route={parseRoute('#/mappings?flow=exact-procore&set=costs')} />);
    await screen.findByRole('button', { name: 'Import CSV' });
    await stores.mappings.getState().importCsv('');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The file is empty; choose a CSV file with a header row and at least one row.');
    expect(alert.closest('form')).toBeNull();
    expect(alert.compareDocumentPosition(screen.getByRole('table', { name: /mapping/ })) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});
