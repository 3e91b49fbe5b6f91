// Stages the Electron app in dist/electron-app (electron-builder's "two package.json" layout):
//
//   dist/electron-app/package.json   runtime manifest: main.js + the native modules only
//   dist/electron-app/main.js        src-main/main.ts bundled (ESM); native modules external
//   dist/electron-app/preload.cjs    src-main/electron/preload.ts bundled (CommonJS: sandboxed)
//   dist/electron-app/renderer/      copy of dist/renderer (run `npm run build:renderer` first)
//
// `electron-builder install-app-deps` then installs better-sqlite3 and keytar INTO THIS FOLDER,
// built for Electron, so the project's node_modules keep their Node builds for tests.
// See docs/decisions/0002-native-modules.md.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// An output folder may be given (tests stage into a temp folder); the default is what
// electron-builder.yml's directories.app points at.
const out = resolve(process.argv[2] ?? join(root, 'dist', 'electron-app'));
const NATIVE_MODULES = ['better-sqlite3', 'keytar'];
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

mkdirSync(out, { recursive: true });
// Keep out/node_modules (the Electron builds of the native modules); replace everything else.
for (const generated of [
  'main.js',
  'main.js.map',
  'preload.cjs',
  'preload.cjs.map',
  'renderer',
  'package.json',
]) {
  rmSync(join(out, generated), { recursive: true, force: true });
}

await build({
  entryPoints: [join(root, 'src-main', 'main.ts')],
  outfile: join(out, 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: true,
  external: ['electron', ...NATIVE_MODULES],
  // Bundled CommonJS dependencies call require(); give the ES module one.
  banner: {
    js: "import { createRequire as __mlcCreateRequire } from 'node:module'; const require = __mlcCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

await build({
  entryPoints: [join(root, 'src-main', 'electron', 'preload.ts')],
  outfile: join(out, 'preload.cjs'),
  bundle: true,
  platform: 'browser',
  format: 'cjs',
  target: 'chrome140',
  sourcemap: true,
  external: ['electron'],
  logLevel: 'warning',
});

const rendererBuild = join(root, 'dist', 'renderer');
if (existsSync(join(rendererBuild, 'index.html'))) {
  cpSync(rendererBuild, join(out, 'renderer'), { recursive: true });
} else {
  console.warn(
    'dist/renderer is missing: run `npm run build:renderer` before starting or packaging the app.',
  );
}

const dependencies = Object.fromEntries(NATIVE_MODULES.map((name) => [name, rootPackage.dependencies[name]]));
writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify(
    {
      name: rootPackage.name,
      productName: 'ml-connector',
      version: rootPackage.version,
      description: rootPackage.description,
      license: rootPackage.license,
      author: 'ml-connector',
      type: 'module',
      main: 'main.js',
      dependencies,
    },
    null,
    2,
  )}\n`,
);
console.log(`Staged the Electron app in ${out}`);
