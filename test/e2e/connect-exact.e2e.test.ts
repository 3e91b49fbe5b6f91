import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_EXACT_ID } from '../../src-main/host/live-connections';
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
 * the division picker saving the chosen division.
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

beforeAll(async () => {
  const rendererDir = await buildRendererOnce();
  dataDir = tempDataDir('mlc-e2e-connect-');
  redirectUri = `http://127.0.0.1:${await freePort()}/exact/callback`;
  sandbox = await startSandbox({
    dataDir: join(dataDir, 'fake-cloud'),
    systems: ['exact'],
    config: { exact: { redirectUri } },
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

describe('Connect to Exact Online (browser host, Exact simulator)', () => {
  it('signs in through a new browser tab and saves the chosen division', async () => {
    const { page, context } = browser;
    const exact = sandbox.systems.exact!;
    const c = exact.credentials as { clientId: string; clientSecret: string; division: number };
    await openScreen(page, app, 'connections', 'Connections');

    await page.getByRole('button', { name: 'Connect to Exact Online' }).click();
    const form = page.getByRole('form', { name: 'Connect to Exact Online' });
    await form.getByLabel('Region').selectOption('nl');
    await form.getByLabel('Client id').fill(c.clientId);
    await form.getByLabel('Client secret').fill(c.clientSecret);
    await form.getByLabel('Registered redirect URI').fill(redirectUri);
    await form.getByLabel('Exact Online address (only for a test system)').fill(exact.baseUrl);
    const signInTab = context.waitForEvent('page');
    await form.getByRole('button', { name: 'Sign in with Exact Online' }).click();

    // The simulator approves at once and sends the tab to the loopback listener.
    const tab = await signInTab;
    await tab.getByText('Signed in. You can close this window and return to ml-connector.').waitFor();
    await tab.close();

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
