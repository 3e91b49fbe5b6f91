import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { checkLayering, readProjectSources, type SourceFile } from './support/layering';

const root = resolve(import.meta.dirname, '..');

describe('layering rules (ARCHITECTURE.md §3)', () => {
  it('the project has no layering violations', () => {
    const files = readProjectSources(root);
    expect(files.length).toBeGreaterThan(10);
    expect(checkLayering(files)).toEqual([]);
  });

  // Each rule is proven able to fail, on synthetic files.
  const cases: [string, SourceFile, string][] = [
    ['src-shared importing node', { path: 'src-shared/domain/x.ts', text: "import { readFileSync } from 'node:fs';" }, 'node'],
    ['src-shared importing src-main', { path: 'src-shared/ipc/x.ts', text: "import { a } from '../../src-main/store/db';" }, 'outside itself'],
    ['src-shared importing react', { path: 'src-shared/ipc/x.ts', text: "import React from 'react';" }, 'packages'],
    ['renderer importing src-main', { path: 'src-renderer/App.tsx', text: "import { openStore } from '../src-main/store/db';" }, 'renderer'],
    ['renderer importing node', { path: 'src-renderer/App.tsx', text: "import path from 'path';" }, 'node APIs'],
    ['connector importing the store', { path: 'src-main/connectors/procore/client.ts', text: "import { openStore } from '../../store/db';" }, 'connector'],
    ['connector importing the engine', { path: 'src-main/connectors/procore/client.ts', text: "export * from '../../engine/run';" }, 'connector'],
    ['connector importing another connector', { path: 'src-main/connectors/procore/client.ts', text: "import { x } from '../exact-online/wire';" }, 'connector'],
    ['electron outside the shell', { path: 'src-main/host/cli.ts', text: "import { app } from 'electron';" }, 'electron'],
    ['electron via dynamic import', { path: 'src-main/engine/run.ts', text: "const e = await import('electron');" }, 'electron'],
    ['sandbox importing a connector', { path: 'src-main/sandbox/procore/routes.ts', text: "import { x } from '../../connectors/procore/wire';" }, 'simulator'],
    ['engine importing connector internals', { path: 'src-main/engine/flow.ts', text: "import { x } from '../connectors/procore/client';" }, 'engine'],
  ];
  for (const [name, file, ruleFragment] of cases) {
    it(`detects ${name}`, () => {
      const v = checkLayering([file]);
      expect(v).toHaveLength(1);
      expect(v[0]!.rule).toContain(ruleFragment);
    });
  }

  it('allows what the rules allow', () => {
    const ok: SourceFile[] = [
      { path: 'src-main/electron/window.ts', text: "import { BrowserWindow } from 'electron';" },
      { path: 'src-main/main.ts', text: "import { app } from 'electron';" },
      { path: 'src-shared/ipc/contract.ts', text: "import { z } from 'zod'; import type { Money } from '../domain/money';" },
      { path: 'src-renderer/App.tsx', text: "import { createBridge } from '../src-shared/ipc/bridge';" },
      { path: 'src-main/connectors/procore/client.ts', text: "import { HttpClient } from '../_kit/http'; import type { Money } from '../../../src-shared/domain/money';" },
      { path: 'src-main/engine/flow.ts', text: "import type { Connector } from '../connectors/registry';" },
      { path: 'src-main/engine/flow.ts', text: "import type { ProcoreConnector } from '../connectors/procore';" },
    ];
    expect(checkLayering(ok)).toEqual([]);
  });
});
