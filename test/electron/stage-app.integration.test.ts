import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * build/stage-electron-app.mjs (npm run build:main) bundles the shell the way Electron loads it.
 * Electron cannot start here, so this checks the artefacts: a sandboxed preload may require only
 * 'electron', and the native modules must stay external (installed for Electron in the staged
 * folder, docs/decisions/0002-native-modules.md).
 */
const root = join(import.meta.dirname, '..', '..');
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'mlc-stage-'));
  execFileSync(process.execPath, [join(root, 'build', 'stage-electron-app.mjs'), out], {
    cwd: root,
    stdio: 'pipe',
  });
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const requires = (source: string) => [...source.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);

describe('staged Electron app', () => {
  it('the preload is CommonJS that requires nothing but electron, and carries no zod', () => {
    const preload = readFileSync(join(out, 'preload.cjs'), 'utf8');
    expect(new Set(requires(preload))).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld("mlConnector"');
    expect(preload).not.toMatch(/ZodError|\$ZodType/);
  });

  it('main.js leaves electron and the native modules external and bundles the rest', () => {
    const main = readFileSync(join(out, 'main.js'), 'utf8');
    for (const external of ['electron', 'better-sqlite3'])
      expect(main).toMatch(new RegExp(`from ["']${external}["']`));
    expect(main).toMatch(/import\(["']keytar["']\)/);
    // zod and the handlers are inside the bundle, not imported from node_modules at runtime.
    expect(main).not.toMatch(/from ["']zod["']/);
    expect(main).toContain('connections.save');
  });

  it('package.json is the runtime manifest: main.js plus exactly the two native modules', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'ml-connector',
      main: 'main.js',
      type: 'module',
      version: rootManifest.version,
    });
    expect(manifest.dependencies).toEqual({
      'better-sqlite3': rootManifest.dependencies['better-sqlite3'],
      keytar: rootManifest.dependencies['keytar'],
    });
  });
});
