// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridge } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { DownloadOffers } from '../../src-main/host/exports';
import { dispatch } from '../../src-main/host/handlers';
import { seedDemo } from '../../test/e2e/support/seed';
import { parseRoute } from '../app/router';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { AuditScreen } from './AuditScreen';
import { MappingsScreen } from './MappingsScreen';

/**
 * "Export CSV" in the browser host: main answers with a one-time download (as `serve` wires it)
 * and the page starts it, as a click on a download link, and says what is downloading.
 */
let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;
let downloads: DownloadOffers;
let clicked: Array<{ href: string; download: string }>;
const recordDownload = (event: MouseEvent) => {
  const link = event.target as HTMLAnchorElement;
  if (link.tagName !== 'A' || !link.hasAttribute('download')) return;
  clicked.push({ href: link.getAttribute('href')!, download: link.download });
  event.preventDefault(); // the test browser has nowhere to save it
};

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-exports-ui-'));
  ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), log: silentLogger, appVersion: '0.0.0-test' });
  seedDemo(ctx.store); // 300 audit entries; costs table v1 with one row
  downloads = new DownloadOffers();
  ctx.exports = downloads;
  clicked = [];
  document.addEventListener('click', recordDownload, true);
  const stores = createAppStores(createBridge((method, request) => dispatch(method, request, ctx), () => () => undefined));
  render(
    <StoresContext.Provider value={stores}>
      <AuditScreen />
      <MappingsScreen route={parseRoute('#/mappings?flow=exact-procore&set=costs')} />
    </StoresContext.Provider>,
  );
});

afterEach(() => {
  document.removeEventListener('click', recordDownload, true);
  cleanup();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Export CSV in the browser host', () => {
  it('Audit history: starts the download and says so; no file lands in the data folder', async () => {
    const [auditExport] = await screen.findAllByRole('button', { name: 'Export CSV' });
    fireEvent.click(auditExport!);
    const said = await screen.findByText(/^Downloading audit-/);
    expect(said.textContent).toMatch(/^Downloading audit-[\dT-]+Z\.csv \(300 entries\): your browser saves it in its downloads folder\.$/);
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.href).toMatch(/^\/downloads\/[A-Za-z0-9_-]{43}$/);
    expect(said.textContent).toContain(clicked[0]!.download);
    // The link the page followed is the one main offered, and it streams the whole log.
    const job = downloads.take(clicked[0]!.href.replace('/downloads/', ''))!;
    expect(job.fileName).toBe(clicked[0]!.download);
    expect(job.rows).toBe(300);
    expect(existsSync(join(dataDir, 'exports'))).toBe(false);
  });

  it('Mappings: the table downloads the same way', async () => {
    await screen.findByRole('button', { name: 'Import CSV' });
    const buttons = screen.getAllByRole('button', { name: 'Export CSV' });
    fireEvent.click(buttons.at(-1)!);
    const said = await screen.findByText(/^Downloading mappings-/);
    expect(said.textContent).toMatch(/^Downloading mappings-exact-procore-costs-v1-[\dT-]+Z\.csv \(1 row\): your browser saves it/);
    expect(clicked.map((c) => c.download)).toEqual([said.textContent!.split(' ')[1]]);
    expect(downloads.pending).toBe(1);
  });
});
