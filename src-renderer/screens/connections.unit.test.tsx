// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBridge } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { connectionAccount, InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { LIVE_EXACT_ID } from '../../src-main/host/live-connections';
import { LIVE_MONDAY_ID } from '../../src-main/host/systems/monday';
import { freePort } from '../../test/support/browser-signin';
import { StoresContext } from '../app/services';
import { createAppStores, subscribeToEvents } from '../stores';
import { ConnectionsScreen } from './ConnectionsScreen';

/**
 * The Connections screen's sign-in states in happy-dom, against the real handlers, event bus
 * and SQLite. The loopback listener is real; nothing answers at the Exact address (port 1), so
 * the provider's part is played by emitting the 'connection.signin' event main would send.
 */

let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;
let unsubscribe: () => void;
const SECRET = 'typed-secret-never-shown-7731';

function renderScreen() {
  const stores = createAppStores(
    createBridge(
      (method, request) => dispatch(method, request, ctx),
      (event, listener) =>
        ctx.events.subscribe((message) => {
          if (message.event === event) listener(message.payload);
        }),
    ),
  );
  unsubscribe = subscribeToEvents(stores);
  render(
    <StoresContext.Provider value={stores}>
      <ConnectionsScreen />
    </StoresContext.Provider>,
  );
}

const input = (name: string) => screen.getByLabelText(name) as HTMLInputElement;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-connect-ui-'));
  ctx = createAppContext({
    dataDir,
    credentials: new InMemoryCredentialStore(),
    log: silentLogger,
    appVersion: '0.0.0-test', // happy-dom replaces URL, which the package.json lookup needs
  });
});

afterEach(() => {
  unsubscribe();
  cleanup();
  vi.restoreAllMocks();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Fills and submits the Exact form; returns the authorization address the screen opened. */
async function startExactSignin(redirectUri: string): Promise<string> {
  const opened = vi.spyOn(window, 'open').mockReturnValue(null);
  fireEvent.click(screen.getByRole('button', { name: 'Connect to Exact Online' }));
  fireEvent.change(screen.getByLabelText('Region'), { target: { value: 'co.uk' } });
  fireEvent.change(input('Client id'), { target: { value: 'client-1' } });
  fireEvent.change(input('Client secret'), { target: { value: SECRET } });
  expect(input('Client secret').type).toBe('password');
  fireEvent.change(input('Registered redirect URI'), { target: { value: redirectUri } });
  fireEvent.change(input('Exact Online address (only for a test system)'), {
    target: { value: 'http://127.0.0.1:1' },
  });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in with Exact Online' }));
  await screen.findByRole('heading', { name: 'Waiting for sign-in…' });
  const link = screen.getByRole('link', { name: 'Open the Exact Online sign-in page' });
  const href = link.getAttribute('href')!;
  expect(opened).toHaveBeenCalledWith(href, '_blank', 'noopener,noreferrer');
  expect(href.startsWith('http://127.0.0.1:1/api/oauth2/auth?')).toBe(true);
  expect(document.body.innerHTML).not.toContain(SECRET);
  return href;
}

describe('Connect to Exact Online', () => {
  it('waits for the browser, refuses a foreign pasted address, and reports a failed sign-in', async () => {
    renderScreen();
    const redirectUri = `http://127.0.0.1:${await freePort()}/exact/callback`;
    const authorizationUrl = await startExactSignin(redirectUri);

    fireEvent.change(input('Paste the address'), { target: { value: 'https://evil.example/cb?code=1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Finish sign-in' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      `That address does not start with the registered redirect URI ${redirectUri}.`,
    );
    expect(screen.getByRole('heading', { name: 'Waiting for sign-in…' })).toBeTruthy();

    // The right address: main exchanges the code with Exact, which is not there (port 1).
    const state = new URL(authorizationUrl).searchParams.get('state')!;
    fireEvent.change(input('Paste the address'), {
      target: { value: `${redirectUri}?code=abc&state=${state}` },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Finish sign-in' }));
    await screen.findByRole('heading', { name: 'Exact Online sign-in failed' }, { timeout: 20_000 });
    expect(screen.getByRole('alert').textContent!.length).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByRole('button', { name: 'Connect to Exact Online' })).toBeTruthy();
  }, 30_000);

  it('after the sign-in event, offers the divisions and saves the chosen one on the connection', async () => {
    renderScreen();
    const redirectUri = `http://127.0.0.1:${await freePort()}/exact/callback`;
    const authorizationUrl = await startExactSignin(redirectUri);
    // What connectExactOnline leaves behind, then the event main sends.
    ctx.store.connections.create({
      id: LIVE_EXACT_ID,
      system: 'exact-online',
      label: 'Exact Online',
      mode: 'live',
      settings: { region: 'co.uk', clientId: 'client-1', redirectUri, division: 101 },
    });
    ctx.events.emit('connection.signin', {
      connectionId: LIVE_EXACT_ID,
      outcome: 'connected',
      message: 'Signed in to Exact Online as Ann; division 101 (Main).',
      divisions: [
        { code: 101, name: 'Main' },
        { code: 202, name: 'Projects BV' },
      ],
      division: 101,
    });
    await screen.findByRole('heading', { name: 'Exact Online connected' });
    expect(screen.getByText('Signed in to Exact Online as Ann; division 101 (Main).')).toBeTruthy();
    const picker = screen.getByLabelText('Division') as HTMLSelectElement;
    await waitFor(() => expect(picker.value).toBe('101'));
    fireEvent.change(picker, { target: { value: '202' } });
    await waitFor(() =>
      expect((screen.getByRole('button', { name: 'Save division' }) as HTMLButtonElement).disabled).toBe(
        false,
      ),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save division' }));
    await waitFor(() => expect(ctx.store.connections.require(LIVE_EXACT_ID).settings['division']).toBe(202));
    expect(ctx.store.connections.require(LIVE_EXACT_ID).settings['redirectUri']).toBe(redirectUri);

    // End the real attempt (its late 'failed' outcome must not replace the connected view).
    const state = new URL(authorizationUrl).searchParams.get('state')!;
    await dispatch(
      'connections.completeSignIn',
      { pastedUrl: `${redirectUri}?error=access_denied&state=${state}` },
      ctx,
    );
    expect(screen.getByRole('heading', { name: 'Exact Online connected' })).toBeTruthy();
  });
});

describe('Connect monday.com', () => {
  /** Opens "Connect monday.com", picks the OAuth way and submits it; returns the address the screen opened. */
  async function startMondaySignin(redirectUri: string): Promise<string> {
    const opened = vi.spyOn(window, 'open').mockReturnValue(null);
    fireEvent.click(screen.getByRole('button', { name: 'Connect monday.com' }));
    // The personal token stays the first way (the form as before).
    expect((screen.getByLabelText('Personal API token') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByRole('form', { name: 'Connect monday.com' })).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Sign in with monday.com (OAuth)'));
    expect(screen.queryByRole('form', { name: 'Connect monday.com' })).toBeNull();
    screen.getByRole('form', { name: 'Sign in with monday.com' });
    fireEvent.change(input('Client id'), { target: { value: 'monday-client' } });
    fireEvent.change(input('Client secret'), { target: { value: SECRET } });
    expect(input('Client secret').type).toBe('password');
    fireEvent.change(input('Registered redirect URI'), { target: { value: redirectUri } });
    fireEvent.change(input('monday.com address (only for a test system)'), { target: { value: 'http://127.0.0.1:1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with monday.com' }));
    await screen.findByRole('heading', { name: 'Waiting for sign-in…' });
    const href = screen.getByRole('link', { name: 'Open the monday.com sign-in page' }).getAttribute('href')!;
    expect(opened).toHaveBeenCalledWith(href, '_blank', 'noopener,noreferrer');
    expect(href.startsWith('http://127.0.0.1:1/oauth2/authorize?')).toBe(true);
    expect(new URL(href).searchParams.get('code_challenge_method')).toBe('S256');
    expect(document.body.innerHTML).not.toContain(SECRET);
    // Only monday.com's place shows the waiting sign-in: Exact's button is still there.
    expect(screen.getByRole('button', { name: 'Connect to Exact Online' })).toBeTruthy();
    return href;
  }

  it('signs in through the browser; Cancel stops the waiting sign-in in main too', async () => {
    renderScreen();
    const redirectUri = `http://127.0.0.1:${await freePort()}/monday/callback`;
    await startMondaySignin(redirectUri);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await screen.findByRole('button', { name: 'Connect monday.com' });
    await waitFor(async () =>
      expect(await dispatch('connections.completeSignIn', { pastedUrl: `${redirectUri}?code=a&state=b` }, ctx)).toMatchObject({
        ok: false,
        error: { code: 'conflict' },
      }),
    );
  });

  it('answers a pasted refusal in words, reports a failed sign-in, then offers the form again', async () => {
    renderScreen();
    const redirectUri = `http://127.0.0.1:${await freePort()}/monday/callback`;
    const authorizationUrl = await startMondaySignin(redirectUri);
    const state = new URL(authorizationUrl).searchParams.get('state')!;
    fireEvent.change(input('Paste the address'), {
      target: { value: `${redirectUri}?error=access_denied&state=${state}` },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Finish sign-in' }));
    // A pasted refusal is answered in monday's words; the sign-in still waits (Cancel or paste again).
    expect((await screen.findByRole('alert')).textContent).toBe(
      'monday.com did not give the app access (access_denied). Sign in again and choose Authorize; if your account admin must approve the app, ask them to install it first.',
    );
    screen.getByRole('heading', { name: 'Waiting for sign-in…' });
    // The right address: main exchanges the code at the token endpoint, which is not there (port 1).
    fireEvent.change(input('Paste the address'), { target: { value: `${redirectUri}?code=abc&state=${state}` } });
    fireEvent.click(screen.getByRole('button', { name: 'Finish sign-in' }));
    await screen.findByRole('heading', { name: 'monday.com sign-in failed' }, { timeout: 20_000 });
    expect(screen.getByRole('alert').textContent).toMatch(/^Network error talking to 127\.0\.0\.1:1\b/);
    expect(document.body.innerHTML).not.toContain(SECRET);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByRole('button', { name: 'Connect monday.com' })).toBeTruthy();
  });

  it('after the sign-in event: connected, with Test connection’s words and what to do next', async () => {
    renderScreen();
    const redirectUri = `http://127.0.0.1:${await freePort()}/monday/callback`;
    await startMondaySignin(redirectUri);
    ctx.store.connections.create({
      id: LIVE_MONDAY_ID,
      system: 'monday',
      label: 'monday.com',
      mode: 'live',
      settings: { auth: 'oauth', clientId: 'monday-client', redirectUri },
    });
    ctx.store.connections.setStatus(LIVE_MONDAY_ID, 'connected');
    await ctx.credentials.set(connectionAccount(LIVE_MONDAY_ID, 'clientSecret'), SECRET);
    await ctx.credentials.set(connectionAccount(LIVE_MONDAY_ID, 'tokens'), '{}');
    ctx.events.emit('connection.signin', {
      connectionId: LIVE_MONDAY_ID,
      outcome: 'connected',
      message: 'Signed in to monday.com. Test connection: Connected to monday.com account Maasland; 3 boards visible.',
    });
    await screen.findByRole('heading', { name: 'monday.com connected' });
    expect(screen.getByText(/Test connection: Connected to monday\.com account Maasland; 3 boards visible\./)).toBeTruthy();
    expect(screen.getByText(/“Choose boards” on the monday\.com row/)).toBeTruthy();
    await screen.findByRole('button', { name: 'Test connection monday.com' }); // the list reloaded with it
    // What the row says is stored: the app's secret and the sign-in, no personal token missing.
    const row = screen.getByRole('button', { name: 'Test connection monday.com' }).closest('tr')!;
    expect(row.textContent).toContain('Stored in the keychain');
    expect(row.textContent).not.toContain('Missing');
    // Edit offers to replace the client secret (not an API token) and keeps the OAuth sign-in.
    fireEvent.click(within(row).getByRole('button', { name: /^Edit/ }));
    expect(screen.getByLabelText(/^Client secret/)).toBeTruthy();
    expect(screen.queryByLabelText(/^API token/)).toBeNull();
    await dispatch('connections.cancelSignIn', {}, ctx);
  });
});

describe('Test connection and Connect Procore', () => {
  it('shows the specific problem per connection', async () => {
    ctx.store.connections.create({
      id: 'sb',
      system: 'procore',
      label: 'Procore (sandbox)',
      mode: 'sandbox',
      settings: {},
    });
    renderScreen();
    fireEvent.click(await screen.findByRole('button', { name: 'Test connection Procore (sandbox)' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Problem: “Procore (sandbox)” uses the built-in simulators on this computer (demo data, no real account), and the sync engine is not running in this process, so they are not answering.',
    );
  });

  it('reports why Procore refused, and never shows the typed secret', async () => {
    renderScreen();
    fireEvent.click(screen.getByRole('button', { name: 'Connect Procore' }));
    fireEvent.change(input('Company id'), { target: { value: 'not-a-number' } });
    fireEvent.change(screen.getAllByLabelText('Client id')[0]!, { target: { value: 'client-9' } });
    fireEvent.change(screen.getAllByLabelText('Client secret')[0]!, { target: { value: SECRET } });
    fireEvent.click(screen.getByRole('button', { name: 'Test and save Procore connection' }));
    // In the form's words, not the contract's ("Invalid connections.connectProcore request: companyId: …").
    expect((await screen.findByRole('alert')).textContent).toBe('The company id is a number.');
    expect((screen.getAllByLabelText('Client secret')[0] as HTMLInputElement).value).toBe('');
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('offers line-item writes at once: 4 by default, the stored value when reconnecting, checked by main', async () => {
    renderScreen();
    fireEvent.click(screen.getByRole('button', { name: 'Connect Procore' }));
    expect(input('Line-item writes at once').value).toBe('4');
    cleanup();
    unsubscribe();

    ctx.store.connections.create({
      id: 'live-procore',
      system: 'procore',
      label: 'Procore',
      mode: 'live',
      settings: { companyId: '42', clientId: 'client-9', writeConcurrency: 6 },
    });
    renderScreen();
    await screen.findByRole('button', { name: 'Test connection Procore' }); // the list has loaded
    fireEvent.click(screen.getByRole('button', { name: 'Connect Procore' }));
    expect(input('Line-item writes at once').value).toBe('6');
    fireEvent.change(input('Company id'), { target: { value: '42' } });
    fireEvent.change(screen.getAllByLabelText('Client id')[0]!, { target: { value: 'client-9' } });
    fireEvent.change(screen.getAllByLabelText('Client secret')[0]!, { target: { value: SECRET } });
    // The form refuses 40 itself (1 to 16, whole numbers) …
    fireEvent.change(input('Line-item writes at once'), { target: { value: '40' } });
    expect(input('Line-item writes at once').checkValidity()).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Test and save Procore connection' }));
    // … and main names the problem for any caller that gets past it.
    for (const writeConcurrency of [40, 0, 2.5])
      expect(
        await dispatch(
          'connections.connectProcore',
          { companyId: '42', clientId: 'client-9', clientSecret: SECRET, writeConcurrency },
          ctx,
        ),
      ).toEqual({
        ok: false,
        error: {
          code: 'invalid-request',
          message: 'Line-item writes at once must be a whole number from 1 to 16.',
        },
      });
    expect(ctx.store.connections.require('live-procore').settings['writeConcurrency']).toBe(6);
  });
});

