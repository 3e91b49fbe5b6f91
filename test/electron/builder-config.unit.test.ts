import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';

/**
 * electron-builder.yml is checked against the JSON schema electron-builder itself ships
 * (app-builder-lib/scheme.json), plus target names, which the schema types only as strings:
 * those are read from the same schema's documented target lists.
 */
const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
// js-yaml comes with electron-builder (no extra dependency); it has no bundled types.
const yaml = require('js-yaml') as { load(text: string): unknown };
const schema = require('app-builder-lib/scheme.json') as SchemaWithTargets;

interface SchemaWithTargets {
  definitions: Record<
    'LinuxConfiguration' | 'WindowsConfiguration' | 'MacConfiguration',
    { properties: { target: { description: string } } }
  >;
}

type Config = Record<string, unknown>;

const loadConfig = (): Config =>
  yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Config;

function compileSchema(): ValidateFunction {
  // strict:false: the schema uses keywords/unions Ajv's strict mode rejects; it still enforces
  // additionalProperties:false, types and enums, which is what catches a broken config.
  const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
  return ajv.compile(schema);
}

/** `nsis`, `dmg`, `AppImage`… as listed in the schema's description of each platform's target. */
function documentedTargets(platform: keyof SchemaWithTargets['definitions']): Set<string> {
  const firstLine = schema.definitions[platform].properties.target.description.split('\n')[0] ?? '';
  return new Set([...firstLine.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
}

const PLATFORMS = {
  win: 'WindowsConfiguration',
  mac: 'MacConfiguration',
  linux: 'LinuxConfiguration',
} as const;

/** Unknown target names, as "linux: NotATarget". */
function unknownTargets(config: Config): string[] {
  const problems: string[] = [];
  for (const [key, definition] of Object.entries(PLATFORMS)) {
    const section = config[key] as { target?: unknown } | undefined;
    const targets = section?.target === undefined ? [] : [section.target].flat();
    const known = documentedTargets(definition);
    for (const target of targets) {
      const name = typeof target === 'string' ? target : (target as { target: string }).target;
      if (!known.has(name)) problems.push(`${key}: ${name}`);
    }
  }
  return problems;
}

describe('electron-builder.yml', () => {
  const validate = compileSchema();

  it('is valid against electron-builder’s own schema and uses only documented target names', () => {
    const config = loadConfig();
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(unknownTargets(config)).toEqual([]);
  });

  it('builds the requested installers, with the native addons outside the asar', () => {
    const config = loadConfig();
    expect(config['appId']).toMatch(/^[a-z0-9.-]+$/);
    expect(config['productName']).toBe('ml-connector');
    expect(config['npmRebuild']).toBe(true);
    expect((config['win'] as { target: string[] }).target).toEqual(['nsis']);
    expect((config['mac'] as { target: string[] }).target).toEqual(['dmg']);
    expect((config['linux'] as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    const unpack = config['asarUnpack'] as string[];
    expect(unpack.some((glob) => glob.includes('better-sqlite3') && glob.endsWith('.node'))).toBe(true);
    expect(unpack.some((glob) => glob.includes('keytar') && glob.endsWith('.node'))).toBe(true);
  });

  it('the schema check fails an unknown top-level key (so the check above means something)', () => {
    const broken = { ...loadConfig(), notAnElectronBuilderOption: true };
    expect(validate(broken)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('notAnElectronBuilderOption');
  });

  it('the schema check fails a wrong type', () => {
    expect(validate({ ...loadConfig(), npmRebuild: 'yes' })).toBe(false);
  });

  it('the target check fails a misspelt target name', () => {
    const config = loadConfig();
    const broken = {
      ...config,
      linux: { ...(config['linux'] as object), target: ['AppImage', 'appimage-typo'] },
    };
    expect(unknownTargets(broken)).toEqual(['linux: appimage-typo']);
    const brokenWin = { ...config, win: { target: [{ target: 'nsis-typo', arch: ['x64'] }] } };
    expect(validate(brokenWin)).toBe(true);
    expect(unknownTargets(brokenWin)).toEqual(['win: nsis-typo']);
  });
});
