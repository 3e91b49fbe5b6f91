/**
 * Layering rules of ARCHITECTURE.md §3, checked on resolved import paths (the ESLint zones say
 * the same thing on import strings; this check cannot be fooled by a clever relative path).
 */
import ts from 'typescript';
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface SourceFile {
  /** Path relative to the project root, with forward slashes. */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (spec: string): boolean => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0] ?? spec);
const isTest = (p: string): boolean => /\.test\.tsx?$/.test(p) || p.startsWith('test/');
/** Packages src-shared may use: pure TypeScript with no platform APIs. */
const SHARED_ALLOWED_PACKAGES = new Set(['zod']);

export function importsOf(file: SourceFile): string[] {
  const info = ts.preProcessFile(file.text, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** Resolves a relative specifier against the set of known files (extensionless imports). */
export function resolveRelative(fromPath: string, spec: string, known: Set<string>): string | null {
  const base = join(dirname(fromPath), spec).split(sep).join('/');
  const candidates = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`];
  if (base.endsWith('.js')) candidates.push(base.replace(/\.js$/, '.ts'));
  for (const c of candidates) if (known.has(c)) return c;
  return base; // unknown file: still classify by its path
}

export function checkLayering(files: SourceFile[]): Violation[] {
  const known = new Set(files.map((f) => f.path));
  const violations: Violation[] = [];
  for (const file of files) {
    const p = file.path;
    for (const spec of importsOf(file)) {
      const relativeImport = spec.startsWith('.');
      const target = relativeImport ? resolveRelative(p, spec, known) : null;
      const add = (rule: string): void => {
        violations.push({ file: p, specifier: spec, rule });
      };

      // Electron stays in its shell: everything else must run under plain Node.
      if (spec === 'electron' || spec.startsWith('electron/')) {
        if (!(p.startsWith('src-main/electron/') || p === 'src-main/main.ts'))
          add('only src-main/electron/** and src-main/main.ts may import electron');
        continue;
      }
      if (isTest(p)) continue; // tests may reach across layers to set things up

      if (p.startsWith('src-shared/')) {
        if (relativeImport && target && !target.startsWith('src-shared/'))
          add('src-shared imports nothing outside itself');
        else if (!relativeImport && isNodeBuiltin(spec)) add('src-shared must not use node APIs');
        else if (!relativeImport && !SHARED_ALLOWED_PACKAGES.has(spec))
          add(`src-shared may only use the packages ${[...SHARED_ALLOWED_PACKAGES].join(', ')}`);
      }
      if (p.startsWith('src-renderer/')) {
        if (target?.startsWith('src-main/')) add('the renderer imports only src-shared (not src-main)');
        if (!relativeImport && isNodeBuiltin(spec)) add('the renderer must not use node APIs');
      }
      const connector = /^src-main\/connectors\/([^/]+)\//.exec(p)?.[1];
      if (connector && target) {
        const ok =
          target.startsWith('src-shared/') ||
          target.startsWith('src-main/connectors/_kit/') ||
          target.startsWith(`src-main/connectors/${connector}/`) ||
          (connector !== '_kit' && /^src-main\/connectors\/[^/]+(\.ts)?$/.test(target)); // the Connector interface
        if (!ok)
          add(
            connector === '_kit'
              ? '_kit knows no connector, store, engine or credentials'
              : 'a connector imports only _kit, its own folder and src-shared',
          );
      }
      if (p.startsWith('src-main/sandbox/') && target?.startsWith('src-main/connectors/'))
        add('a simulator shares no code with the connectors');
      if (p.startsWith('src-main/engine/') && target?.startsWith('src-main/connectors/')) {
        // Allowed: connectors/<file>.ts (interface, registry), a connector's public index, _kit.
        const ok =
          /^src-main\/connectors\/[^/]+(\.ts)?$/.test(target) ||
          /^src-main\/connectors\/[^/]+\/index(\.ts)?$/.test(target) ||
          target.startsWith('src-main/connectors/_kit/');
        if (!ok) add("the engine uses the connector interface and registry, never a connector's internals");
      }
    }
  }
  return violations;
}

/** All TypeScript sources of the three layers plus tests, read from disk. */
export function readProjectSources(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts'))
        out.push({ path: relative(root, full).split(sep).join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  for (const top of ['src-shared', 'src-main', 'src-renderer', 'test', 'bench']) walk(resolve(root, top));
  return out;
}
