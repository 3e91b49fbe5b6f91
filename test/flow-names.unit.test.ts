import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { FLOWS } from '../src-main/engine/flows/registry';
import { importsOf, readProjectSources, resolveRelative, type SourceFile } from './support/layering';

/**
 * Flows are plugins (decision 0017): no file outside engine/flows/<flow-id>/, the connectors and
 * the sandbox names a particular flow, except the registry. Comments may name flows (examples);
 * code may not: no string literal that is a flow id, no import into a flow's folder.
 */
const root = resolve(import.meta.dirname, '..');
const FLOW_IDS = [...new Set([...FLOWS.map((f) => f.id), 'exact-procore', 'exact-monday', 'exact-coupa', 'procore-acumatica', 'procore-intacct'])];

const allowed = (path: string): boolean =>
  /^src-main\/engine\/flows\/[^/]+\//.test(path) ||
  path === 'src-main/engine/flows/registry.ts' ||
  path.startsWith('src-main/connectors/') ||
  path.startsWith('src-main/sandbox/') ||
  /\.test\.tsx?$/.test(path) ||
  !/^src-(main|shared|renderer)\//.test(path);

/** String literals and template pieces of a file, from its syntax tree (comments are not in it). */
function literalsOf(file: SourceFile): string[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, false, file.path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) out.push(node.text);
    // Module specifiers are checked as imports below, by the folder they resolve to.
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

export function flowNameViolations(files: SourceFile[]): string[] {
  const known = new Set(files.map((f) => f.path));
  const violations: string[] = [];
  for (const file of files) {
    if (allowed(file.path)) continue;
    for (const literal of literalsOf(file))
      for (const id of FLOW_IDS) if (literal.includes(id)) violations.push(`${file.path} names flow "${id}" in code`);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const target = resolveRelative(file.path, spec, known);
      if (target && /^src-main\/engine\/flows\/[^/]+\//.test(target) && !target.startsWith('src-main/engine/flows/shared/'))
        violations.push(`${file.path} imports ${target} (a flow's folder)`);
    }
  }
  return violations;
}

describe('flows are plugins: only the registry names a flow', () => {
  it('no file outside a flow folder, the connectors and the sandbox names a flow in code', () => {
    expect(flowNameViolations(readProjectSources(root))).toEqual([]);
  });

  it('catches a flow id in a string and an import of a flow folder; comments and allowed places pass', () => {
    expect(flowNameViolations([{ path: 'src-main/host/x.ts', text: "const f = 'exact-monday';" }])).toEqual(['src-main/host/x.ts names flow "exact-monday" in code']);
    expect(flowNameViolations([{ path: 'src-renderer/x.tsx', text: 'const t = `sync ${"a"} exact-procore`;' }])).toHaveLength(1);
    expect(flowNameViolations([{ path: 'src-main/host/x.ts', text: "import { F1_FLOW } from '../engine/flows/exact-procore/mappings';" }])).toEqual([
      'src-main/host/x.ts imports src-main/engine/flows/exact-procore/mappings (a flow\'s folder)',
    ]);
    expect(flowNameViolations([{ path: 'src-main/host/x.ts', text: '// e.g. exact-procore\n/* procore-intacct */ const a = 1;' }])).toEqual([]);
    expect(flowNameViolations([{ path: 'src-main/engine/flows/exact-monday/index.ts', text: "const id = 'exact-monday';" }])).toEqual([]);
  });
});
