import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryInput } from '../../src-shared/domain/audit';
import { AUDIT_INDEX_BATCH_ROWS } from '../../src-main/host/audit-text-indexer';
import { DATABASE_FILE_NAME, openStore } from '../../src-main/store/db';
import {
  buildRendererOnce,
  launchBrowser,
  openScreen,
  RESULTS_DIR,
  screenshot,
  startApp,
  tempDataDir,
  type Browser,
  type RunningApp,
} from './support/app';
import { demoAuditEntry } from './support/seed';

/**
 * The Audit history screen on 1,000,000 audit entries: the first page and every filter change
 * must be on screen within 200 ms, measured in the page (performance.now() from the change to
 * the first row committed and painted). The log is filled through store.audit.appendMany (the
 * real hash chain); that takes minutes on a 2-core machine, so the database is generated once
 * into test-results/e2e-cache and copied for each run.
 */

const ROWS = 1_000_000;
const BUDGET_MS = 200;
/** Each interaction is measured this many times; the median must meet the budget (all are reported). */
const REPEATS = 5;
// v2: the template also holds the text-search index (migration 0005), as a running app keeps it.
const TEMPLATE_DIR = join(RESULTS_DIR, 'e2e-cache', `audit-${ROWS}-v2`);
const START = Date.parse('2025-03-01T00:00:00.000Z');
const SECONDS_PER_ENTRY = 20;

const figures: Record<string, unknown> = {};
let dataDir: string;
let app: RunningApp;
let browser: Browser;

/** Generates the template database (once per cache) and returns how long the fill and the text index took. */
function ensureTemplate(): { generatedMs: number | null; textIndexMs: number | null } {
  if (existsSync(join(TEMPLATE_DIR, DATABASE_FILE_NAME))) return { generatedMs: null, textIndexMs: null };
  const staging = `${TEMPLATE_DIR}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  let tick = START;
  const store = openStore(staging, { now: () => new Date((tick += SECONDS_PER_ENTRY * 1000)) });
  const started = performance.now();
  const batch: AuditEntryInput[] = [];
  for (let i = 1; i <= ROWS; i += 1) {
    batch.push(demoAuditEntry(i));
    if (batch.length === 20_000) store.audit.appendMany(batch.splice(0));
  }
  if (batch.length > 0) store.audit.appendMany(batch.splice(0));
  const generatedMs = Math.round(performance.now() - started);
  // What the app's background indexer does between syncs (AuditTextIndexer), all at once.
  const indexStarted = performance.now();
  while (store.audit.indexTextBatch(AUDIT_INDEX_BATCH_ROWS) > 0);
  const textIndexMs = Math.round(performance.now() - indexStarted);
  store.db.pragma('optimize');
  store.close(); // checkpoints the WAL into the main file
  mkdirSync(join(RESULTS_DIR, 'e2e-cache'), { recursive: true });
  try {
    renameSync(staging, TEMPLATE_DIR);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another run finished first
  }
  return { generatedMs, textIndexMs };
}

beforeAll(async () => {
  const [rendererDir, template] = await Promise.all([
    buildRendererOnce(),
    Promise.resolve().then(ensureTemplate),
  ]);
  figures['fillMsThroughAppendMany'] = template.generatedMs ?? 'cached template used';
  figures['textIndexBuildMs'] = template.textIndexMs ?? 'cached template used';
  dataDir = tempDataDir('mlc-e2e-million-');
  copyFileSync(join(TEMPLATE_DIR, DATABASE_FILE_NAME), join(dataDir, DATABASE_FILE_NAME));
  app = await startApp({ dataDir, rendererDir });
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  console.log(JSON.stringify({ auditMillionRows: figures }));
});

/**
 * Runs `change` in the page and waits until the grid has finished loading the page of the new
 * filter (its generation moved on) with a first row, or the empty state. Returns ms to the DOM
 * commit and to the next painted frame, and (for debounced text) ms from the query start.
 */
async function measure(
  page: Page,
  change: string,
  generationBefore?: string,
): Promise<{ commitMs: number; paintMs: number; fromQueryMs: number }> {
  return page.evaluate(
    async ([changeSource, given]) => {
      const grid = () => document.querySelector<HTMLElement>('[data-testid="audit-grid"]');
      const before = given ?? grid()?.dataset['generation'] ?? 'none';
      let queryStarted = 0;
      const ready = () => {
        const g = grid();
        if (!g) return false;
        if (g.dataset['generation'] !== before && queryStarted === 0) queryStarted = performance.now();
        if (g.dataset['generation'] === before || g.dataset['loading'] !== 'idle') return false;
        return (
          g.querySelector('[id^="audit-row-"]') !== null ||
          document.body.textContent?.includes('No audit entries match')
        );
      };
      const start = performance.now();
      const done = new Promise<number>((resolve) => {
        const observer = new MutationObserver(() => {
          if (ready()) {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      // The change itself, as the user's input would cause it (React listens to these events).
      new Function(changeSource)();
      const committed = await done;
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      const painted = performance.now();
      return {
        commitMs: Math.round((committed - start) * 10) / 10,
        paintMs: Math.round((painted - start) * 10) / 10,
        fromQueryMs: Math.round((committed - (queryStarted || start)) * 10) / 10,
      };
    },
    [change, generationBefore] as const,
  );
}

const currentGeneration = (page: Page) =>
  page.evaluate(
    () => document.querySelector<HTMLElement>('[data-testid="audit-grid"]')?.dataset['generation'] ?? '0',
  );

/** Sets a form control's value the way typing or choosing does (React tracks the native setter). */
function setControl(selector: string, value: string, event: 'change' | 'input'): string {
  return `
    const el = document.querySelector(${JSON.stringify(selector)});
    const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, ${JSON.stringify(value)});
    el.dispatchEvent(new Event(${JSON.stringify(event)}, { bubbles: true }));`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe(`Audit history with ${ROWS.toLocaleString('en')} entries`, () => {
  it('has the rows', () => {
    expect(app.ctx.store.audit.head()?.seq).toBe(ROWS);
  });

  it('renders the first page and every filter change within 200 ms', async () => {
    const { page } = browser;
    await openScreen(page, app, 'settings', 'Settings');
    const firstPage: number[] = [];
    let generation = '0';
    for (let i = 0; i < REPEATS; i += 1) {
      // Open the screen from elsewhere: it mounts a fresh grid and queries the first page.
      const result = await measure(page, `window.location.hash = '#/audit';`, generation);
      firstPage.push(result.paintMs);
      generation = await currentGeneration(page);
      await page.evaluate(() => (window.location.hash = '#/settings'));
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    }
    await page.evaluate(() => (window.location.hash = '#/audit'));
    await page
      .getByRole('grid', { name: 'Audit entries' })
      .getByRole('row', { name: /PO-1000000/ })
      .waitFor();

    const steps: [string, string, string][] = [
      ['status=failed', 'select[name="status"]', 'failed'],
      ['status=parked', 'select[name="status"]', 'parked'],
      ['entity=direct-cost (+status=parked)', 'select[name="entity"]', 'direct-cost'],
      ['status=all (+entity)', 'select[name="status"]', ''],
      ['entity=all', 'select[name="entity"]', ''],
    ];
    const filterChanges: Record<string, number[]> = {};
    for (let round = 0; round < REPEATS; round += 1) {
      for (const [name, selector, value] of steps) {
        const result = await measure(page, setControl(selector, value, 'change'));
        (filterChanges[name] ??= []).push(result.paintMs);
      }
    }
    const dateRange: number[] = [];
    for (let round = 0; round < REPEATS; round += 1) {
      dateRange.push(
        (await measure(page, setControl('input[type="date"]', `2025-06-0${round + 1}`, 'input'))).paintMs,
      );
    }
    await measure(page, setControl('input[type="date"]', '', 'input'));
    // Text search is debounced (250 ms after the last keystroke); the budget applies from the query.
    // Each round: a phrase in 1 of 140 entries, one entry of the oldest (no other match: before
    // the text index, LIKE walked the whole log for it), and a term in 1 of 10 entries.
    const textTerms = ['KST-7 has', 'PO-0000042', 'project is closed'];
    const textSearch: Record<string, { paintMs: number; fromQueryMs: number }[]> = {};
    const rows = page.getByRole('grid', { name: 'Audit entries' }).getByRole('row');
    for (let round = 0; round < REPEATS; round += 1) {
      for (const text of textTerms) {
        (textSearch[text] ??= []).push(await measure(page, setControl('input[name="text"]', text, 'input')));
        if (text === 'PO-0000042') expect(await rows.filter({ hasText: text }).count()).toBe(1);
      }
    }
    await screenshot(page, 'audit-history-1m');

    figures['firstPageMs'] = firstPage;
    figures['filterChangeMs'] = filterChanges;
    figures['dateFromChangeMs'] = dateRange;
    figures['textSearchMs'] = textSearch;
    figures['budgetMs'] = BUDGET_MS;

    expect(median(firstPage)).toBeLessThan(BUDGET_MS);
    for (const [name, values] of Object.entries(filterChanges))
      expect(median(values), name).toBeLessThan(BUDGET_MS);
    expect(median(dateRange)).toBeLessThan(BUDGET_MS);
    for (const [text, results] of Object.entries(textSearch))
      expect(median(results.map((t) => t.fromQueryMs)), text).toBeLessThan(BUDGET_MS);
  });

  it('scrolls into older pages on demand (keyset paging, never the whole log)', async () => {
    const { page } = browser;
    const grid = page.getByRole('grid', { name: 'Audit entries' });
    await measure(page, setControl('input[name="text"]', '', 'input'));
    const started = performance.now();
    for (let i = 0; i < 3; i += 1) {
      await grid.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page.waitForFunction(
        (expected) =>
          (document.querySelector('[data-testid="audit-grid"]')?.querySelectorAll('[id^="audit-row-"]')
            .length ?? 0) > 0 && document.querySelector('.grid-footer')?.textContent?.startsWith(expected),
        `${(i + 2) * 100} entries shown`,
      );
    }
    figures['threeMorePagesByScrollingMs'] = Math.round(performance.now() - started);
    // 400 entries are loaded, but only the rows around the scroll position are in the DOM.
    const renderedSeqs = await grid.evaluate((el) =>
      [...el.querySelectorAll('[id^="audit-row-"]')].map((row) => Number(row.id.slice('audit-row-'.length))),
    );
    expect(Math.min(...renderedSeqs)).toBeLessThan(ROWS - 250);
    expect(renderedSeqs.length).toBeLessThan(80);
  });
});
