import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import { silentLogger } from '../../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore, type CredentialStore } from '../../../src-main/credentials';
import { createAppContext } from '../../../src-main/host/app-context';
import { startBrowserHost, type BrowserHost } from '../../../src-main/host/browser-host';
import type { EngineApi } from '../../../src-main/host/context';
import { DownloadOffers } from '../../../src-main/host/exports';
import { dispatch } from '../../../src-main/host/handlers';

/**
 * End-to-end plumbing: the renderer built with the project's vite config (once per source
 * state), the browser host started in-process exactly as `serve` starts it, and real Chromium.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
export const RESULTS_DIR = join(ROOT, 'test-results');
export const SCREENSHOT_DIR = join(RESULTS_DIR, 'screenshots');
const BUILD_INPUTS = ['src-renderer', 'src-shared', 'vite.config.ts'];

function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !/\.test\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Builds the renderer into test-results/e2e-renderer-<hash of its sources> unless that build
 * exists. Built into a temporary folder and renamed, so two test files building at once (or a
 * half-finished build) never serve a broken bundle; the shared dist/renderer is left alone.
 */
export async function buildRendererOnce(): Promise<string> {
  const hash = createHash('sha256');
  hash.update('production build v2');
  for (const file of BUILD_INPUTS.flatMap(filesUnder)) {
    hash.update(relative(ROOT, file));
    hash.update(readFileSync(file));
  }
  const outDir = join(RESULTS_DIR, `e2e-renderer-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(outDir, 'index.html'))) return outDir;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  // vitest sets NODE_ENV=test, which would make vite bundle React's development build (several
  // times slower to render): build exactly what `npm run build:renderer` ships.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      configFile: join(ROOT, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'error',
      build: { outDir: staging, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  try {
    renameSync(staging, outDir);
  } catch {
    // Another test file finished the same build first; use that one.
    rmSync(staging, { recursive: true, force: true });
  }
  return outDir;
}

export interface RunningApp {
  ctx: ReturnType<typeof createAppContext>;
  host: BrowserHost;
  close(): Promise<void>;
}

/**
 * The browser host on a data folder, wired like `serve` (exports as one-time browser downloads;
 * credentials in memory unless given: no keychain in CI).
 */
export async function startApp(options: {
  dataDir: string;
  rendererDir: string;
  engine?: EngineApi;
  credentials?: CredentialStore;
}): Promise<RunningApp> {
  const downloads = new DownloadOffers();
  const ctx = createAppContext({
    dataDir: options.dataDir,
    credentials: options.credentials ?? new InMemoryCredentialStore(),
    log: silentLogger,
    exports: downloads,
    ...(options.engine ? { engine: options.engine } : {}),
  });
  const host = await startBrowserHost({
    call: (method, request) => dispatch(method, request, ctx),
    events: ctx.events,
    rendererDir: options.rendererDir,
    downloads,
  });
  return {
    ctx,
    host,
    close: async () => {
      await host.close();
      ctx.close();
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and failed requests seen so far (CSP violations show up here). */
  problems: string[];
  close(): Promise<void>;
}

/** Debian chromium, headless, with a fresh profile and no background traffic (default: 1440×900, en-US). */
export async function launchBrowser(options: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'mlc-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: options.viewport ?? { width: 1440, height: 900 },
    locale: options.locale ?? 'en-US',
    timezoneId: 'Europe/Amsterdam',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page (evaluated over the DevTools protocol, so the app's strict CSP stays
 * on) and fails on serious or critical violations. Returns every violation for the report.
 */
export async function expectNoSeriousA11yViolations(page: Page, screen: string): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(context: Document): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${screen}: ${JSON.stringify(serious, null, 2)}`).toEqual([]);
  return violations;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Opens a screen by its hash route and waits for its page heading. */
export async function openScreen(page: Page, app: RunningApp, route: string, heading: string): Promise<void> {
  const url = `${app.host.url}#/${route}`;
  if (page.url().startsWith(app.host.url))
    await page.evaluate((hash) => (window.location.hash = hash), `#/${route}`);
  else await page.goto(url);
  await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
}

export function tempDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
