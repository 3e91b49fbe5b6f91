import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPC_METHOD_NAMES } from '../../src-shared/ipc';

/**
 * The Electron shell cannot run here, so its hardening is checked on the source: a change that
 * loosens a webPreference or drops a guard fails this test (see ARCHITECTURE §4).
 */
const root = join(import.meta.dirname, '..', '..');
const electronDir = join(root, 'src-main', 'electron');
const shellFiles = [
  ...readdirSync(electronDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => join(electronDir, name)),
  join(root, 'src-main', 'main.ts'),
];
const sources = new Map(shellFiles.map((file) => [file, readFileSync(file, 'utf8')]));
const all = [...sources.values()].join('\n');
const windowSource = readFileSync(join(electronDir, 'window.ts'), 'utf8');

/** The object literal passed as webPreferences (balanced braces). */
function webPreferencesBlock(source: string): string {
  const start = source.indexOf('webPreferences:');
  expect(start).toBeGreaterThan(-1);
  const open = source.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '{') depth++;
    if (source[i] === '}' && --depth === 0) return source.slice(open, i + 1);
  }
  throw new Error('unbalanced webPreferences block');
}

describe('Electron shell hardening (source scan)', () => {
  it('scans the shell files it is meant to', () => {
    expect(shellFiles.map((f) => f.slice(root.length + 1)).sort()).toEqual(
      expect.arrayContaining([
        'src-main/electron/ipc.ts',
        'src-main/electron/preload.ts',
        'src-main/electron/window.ts',
        'src-main/main.ts',
      ]),
    );
  });

  it('creates windows only in window.ts, with the hardened webPreferences', () => {
    for (const [file, source] of sources) {
      if (!file.endsWith('window.ts')) expect(source, file).not.toMatch(/new BrowserWindow\(/);
    }
    expect(windowSource.match(/new BrowserWindow\(/g)).toHaveLength(1);
    const prefs = webPreferencesBlock(windowSource);
    expect(prefs).toMatch(/contextIsolation:\s*true\b/);
    expect(prefs).toMatch(/sandbox:\s*true\b/);
    expect(prefs).toMatch(/nodeIntegration:\s*false\b/);
    expect(prefs).toMatch(/webSecurity:\s*true\b/);
  });

  it('never loosens a protection anywhere in the shell', () => {
    const forbidden = [
      /contextIsolation:\s*false/,
      /sandbox:\s*false/,
      /nodeIntegration(InWorker|InSubFrames)?:\s*true/,
      /webSecurity:\s*false/,
      /allowRunningInsecureContent:\s*true/,
      /webviewTag:\s*true/,
      /enableRemoteModule/,
      /disable-web-security/,
      /action:\s*'allow'/,
    ];
    for (const pattern of forbidden) expect(all, String(pattern)).not.toMatch(pattern);
  });

  it('blocks navigation and new windows, opening only allow-listed URLs externally', () => {
    expect(windowSource).toMatch(/'will-navigate',\s*\(event\)\s*=>\s*event\.preventDefault\(\)/);
    expect(windowSource).toMatch(
      /setWindowOpenHandler\([\s\S]*?isAllowedExternalUrl\(url[\s\S]*?return \{ action: 'deny' \}/,
    );
    expect(windowSource).toMatch(/onHeadersReceived[\s\S]*?'Content-Security-Policy': \[RENDERER_CSP\]/);
    // shell.openExternal only behind the allow-list check.
    const openExternalCalls = all.match(/shell\.openExternal\(/g) ?? [];
    expect(openExternalCalls).toHaveLength(1);
    expect(windowSource).toMatch(
      /if \(isAllowedExternalUrl\(url, allowList\)\) void shell\.openExternal\(url\)/,
    );
  });

  it('registers IPC through the sender-checking registration and exposes only the generated bridge', () => {
    const ipcSource = sources.get(join(electronDir, 'ipc.ts'))!;
    expect(ipcSource).toContain('registerIpcHandlers(ipcMain');
    expect(all).not.toMatch(/ipcMain\.(handle|on)\(/);
    const preload = sources.get(join(electronDir, 'preload.ts'))!;
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toMatch(/exposeInMainWorld\('mlConnector', bridge\)/);
    expect(preload).toContain('createBridge(');
    // No method is wired by hand: names come from the contract list.
    for (const method of IPC_METHOD_NAMES) expect(preload).not.toContain(`'${method}'`);
  });
});
