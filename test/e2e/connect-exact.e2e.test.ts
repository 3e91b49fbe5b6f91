import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_EXACT_ID } from '../../src-main/host/live-connections';
import { LIVE_MONDAY_ID } from '../../src-main/host/systems/monday';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import {
  buildRendererOnce,
  expectNoSeriousA11yViolations,
  launchBrowser,
  openScreen,
  startApp,
  tempDataDir,
  type Browser,
  type RunningApp,
} from './support/app';

/**
 * "Connect to Exact Online" as a user does it, in real Chromium against the browser host: the
 * form, the sign-in page opening in a new tab (the Exact simulator standing in for Exact), its
 * redirect to the app's loopback listener, the outcome arriving over server-sent events, and
 * the division picker saving the chosen division. Then "Sign in with monday.com (OAuth)" the
 * same way against the monday simulator's OAuth 2.1 endpoints.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

let dataDir: string;
let app: RunningApp;
let browser: Browser;
let sandbox: Sandbox;
let redirectUri: string;
let mondayRedirectUri: string;

beforeAll(async () => {
  const rendererDir = await buildRendererOnce();
  dataDir = tempDataDir('mlc-e2e-connect-');
  redirectUri = `http://127.0.0.1:${await freePort()}/exact/callback`;
  mondayRedirectUri = `http://127.0.0.1:${await freePort()}/monday/callback`;
  sandbox = await startSandbox({
    dataDir: join(dataDir, 'fake-cloud'),
    systems: ['exact', 'monday'],
    config: { exact: { redirectUri }, monday: { oauthRedirectUris: [mondayRedirectUri] } },
  });
  app = await startApp({ dataDir, rendererDir });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Fills a browser sign-in form and submits it; the new tab goes to the simulator, which approves
 * at once and sends the tab on to the app's loopback listener.
 */
async function signInThroughNewTab(form: Locator, submit: string, fields: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
  const signInTab = browser.context.waitForEvent('page');
  await form.getByRole('button', { name: submit }).click();
  const tab = await signInTab;
  await tab.getByText('Signed in. You can close this window and return to ml-connector.').waitFor();
  await tab.close();
}

describe('Connect to Exact Online (browser host, Exact simulator)', () => {
  it('signs in through a new browser tab and saves the chosen division', async () => {
    const { page } = browser;
    const exact = sandbox.systems.exact!;
    const c = exact.credentials as { clientId: string; clientSecret: string; division: number };
    await openScreen(page, app, 'connections', 'Connections');

    await page.getByRole('button', { name: 'Connect to Exact Online' }).click();
    const form = page.getByRole('form', { name: 'Connect to Exact Online' });
    await form.getByLabel('Region').selectOption('nl');
    await signInThroughNewTab(form, 'Sign in with Exact Online', {
      'Client id': c.clientId,
      'Client secret': c.clientSecret,
      'Registered redirect URI': redirectUri,
      'Exact Online address (only for a test system)': exact.baseUrl,
    });

    await page.getByRole('heading', { name: 'Exact Online connected' }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /^Signed in to Exact Online as .+; division \d+/ })
      .waitFor();
    // In words: the secret and the sign-in are stored, the connection is connected.
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Stored in the keychain', exact: true }) });
    await row.getByRole('cell', { name: 'Connected', exact: true }).waitFor();
    expect(await page.content()).not.toContain(c.clientSecret);
    await expectNoSeriousA11yViolations(page, 'connections-exact-connected');

    const picker = page.getByLabel('Division', { exact: true });
    const options = await picker
      .locator('option')
      .evaluateAll((nodes) => nodes.map((n) => (n as HTMLOptionElement).value));
    expect(options).toContain(String(c.division));
    const other = options.find((code) => code !== String(c.division)) ?? String(c.division);
    await picker.selectOption(other);
    await page.getByRole('button', { name: 'Save division' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “Exact Online”.' }).waitFor();
    expect(app.ctx.store.connections.require(LIVE_EXACT_ID).settings['division']).toBe(Number(other));
  }, 60_000);
});

describe('Sign in with monday.com (browser host, monday simulator)', () => {
  it('signs in through a new browser tab; the row is connected and offers Choose boards', async () => {
    const { page } = browser;
    const monday = sandbox.systems.monday!;
    const clientSecret = String(monday.credentials['oauthClientSecret']);
    await openScreen(page, app, 'connections', 'Connections');

    await page.getByRole('button', { name: 'Connect monday.com' }).click();
    await page.getByLabel('Sign in with monday.com (OAuth)').check();
    await signInThroughNewTab(page.getByRole('form', { name: 'Sign in with monday.com' }), 'Sign in with monday.com', {
      'Client id': String(monday.credentials['oauthClientId']),
      'Client secret': clientSecret,
      'Registered redirect URI': mondayRedirectUri,
      'monday.com address (only for a test system)': monday.baseUrl,
    });

    await page.getByRole('heading', { name: 'monday.com connected' }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /^Signed in to monday\.com\. Test connection: .+; 3 boards visible\.$/ })
      .waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'monday.com', exact: true }) });
    await row.getByRole('cell', { name: 'Connected', exact: true }).waitFor();
    // The app's client secret and the sign-in are what it needs, not a personal token.
    await row.getByRole('cell', { name: 'Stored in the keychain', exact: true }).waitFor();
    await row.getByRole('button', { name: 'Choose boards for monday.com' }).waitFor();
    expect(await page.content()).not.toContain(clientSecret);
    expect(app.ctx.store.connections.require(LIVE_MONDAY_ID).settings['auth']).toBe('oauth');
    await expectNoSeriousA11yViolations(page, 'connections-monday-oauth-connected');
  }, 60_000);
});
