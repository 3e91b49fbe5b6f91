/**
 * Issue 13 in real Chromium, against the browser host (what `serve` runs) with the engine on the
 * F4 sandbox in this process (Exact Online and monday.com simulators, demo world): "Choose boards"
 * on the monday.com row of the Connections screen lists the account's boards by name, and a
 * board chosen there is what Mappings → Boards shows afterwards. Screenshot at 1366 px, axe.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOWS } from '../../src-main/engine/flows/registry';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { startSandboxEngineFor } from '../support/flow-sandbox-engine';
import { ipcOn } from '../support/ipc-call';
import { SANDBOX } from '../support/sandbox-engine';
import {
  buildRendererOnce,
  expectNoSeriousA11yViolations,
  launchBrowser,
  openScreen,
  screenshot,
  startApp,
  tempDataDir,
  type Browser,
  type RunningApp,
} from './support/app';

const FLOW = 'exact-monday';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const boardOf = (type: string) => world.mondayBoards.find((b) => b.documentType === type)!;
const SLOW = 60_000;

let dataDir: string;
let app: RunningApp;
let engine: Awaited<ReturnType<typeof startSandboxEngineFor>>;
let browser: Browser;

beforeAll(async () => {
  const rendererDir = await buildRendererOnce();
  dataDir = tempDataDir('mlc-e2e-boards-');
  app = await startApp({ dataDir, rendererDir });
  engine = await startSandboxEngineFor(app.ctx, FLOWS.filter((f) => f.id === FLOW));
  // The first read through the flow opens its sandbox connections (the rows the screen lists).
  await ipcOn(app.ctx).value('mappings.reference', { flow: FLOW, set: 'boards' });
  browser = await launchBrowser();
  await browser.page.setViewportSize({ width: 1366, height: 900 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await engine?.close();
  await app?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('Choose boards on the Connections screen', () => {
  it(
    'picks the sales orders board by name there, and Mappings → Boards shows the same board',
    async () => {
      const { page } = browser;
      await openScreen(page, app, 'connections', 'Connections');
      await page.getByRole('button', { name: /^Choose boards for monday\.com/ }).click();
      const board = page.getByRole('combobox', { name: 'Board for Sales order' });
      await board.waitFor({ timeout: SLOW });
      await expect(board.locator('option:checked').textContent()).resolves.toBe(boardOf('sales-order').name);
      const other = boardOf('purchase-order');
      await board.selectOption({ label: other.name });
      await expect(page.getByRole('combobox', { name: 'Group for Sales order' }).locator('option:checked').textContent()).resolves.toBe(other.groupTitle);
      await page.getByRole('button', { name: 'Save boards' }).click();
      await page.getByText(/^Boards v\d+ saved \(also under Mappings → Boards\)\./).waitFor({ timeout: SLOW });
      await screenshot(page, 'connections-choose-boards');
      await expectNoSeriousA11yViolations(page, 'connections-choose-boards');

      const table = await ipcOn(app.ctx).value('mappings.get', { flow: FLOW, set: 'boards' });
      expect(table.rows.find((r) => r.sourceKey['documentType'] === 'sales-order')?.target).toMatchObject({ boardId: other.mondayBoardId, groupId: other.groupId });
      // The Mappings screen reads the same table: two rows (purchase orders, sales orders) now name that board.
      await openScreen(page, app, `mappings?flow=${FLOW}&set=boards`, 'Mappings');
      await page.getByText(/^Pick values by name or code;/).waitFor({ timeout: SLOW });
      const shown = await page.getByRole('combobox', { name: /^Board, row \d+$/ }).evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
      expect(shown.filter((name) => name === other.name)).toHaveLength(2);
      expect(shown).not.toContain(boardOf('sales-order').name);
    },
    SLOW * 3,
  );
});
