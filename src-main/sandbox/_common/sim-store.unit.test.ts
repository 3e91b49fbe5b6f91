import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SimStore } from './sim-store';

const dirs: string[] = [];
function storeFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-store-'));
  dirs.push(dir);
  return join(dir, 'store.sqlite');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SimStore nested transactions (savepoints)', () => {
  it('undoes only the failing inner transaction, in SQLite and in the mirror; the outer one commits', () => {
    const file = storeFile();
    const store = new SimStore(file);
    const lines = store.collection<{ n: number }>('lines');
    lines.put('a', { n: 1 });
    store.setMeta('next', 10);

    store.transaction(() => {
      lines.put('b', { n: 2 });
      store.setMeta('next', 11);
      expect(() =>
        store.transaction(() => {
          lines.put('c', { n: 3 });
          lines.put('a', { n: 100 });
          store.setMeta('next', 12);
          store.setMeta('fresh', true);
          throw new Error('item rejected');
        }),
      ).toThrow('item rejected');
      // Inside the outer transaction, the mirror shows the outer writes only.
      expect(lines.all()).toEqual([{ n: 1 }, { n: 2 }]);
      expect(store.getMeta('next')).toBe(11);
      expect(store.getMeta('fresh')).toBeUndefined();
      store.transaction(() => lines.put('d', { n: 4 }));
    });

    expect(lines.all()).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
    store.close();
    const reopened = new SimStore(file);
    expect(reopened.collection('lines').all()).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
    expect(reopened.getMeta('next')).toBe(11);
    expect(reopened.getMeta('fresh')).toBeUndefined();
    reopened.close();
  });

  it('an outer rollback also undoes what a committed inner transaction wrote, meta included', () => {
    const file = storeFile();
    const store = new SimStore(file);
    const lines = store.collection<{ n: number }>('lines');
    store.setMeta('next', 1);
    expect(() =>
      store.transaction(() => {
        store.transaction(() => {
          lines.put('a', { n: 1 });
          store.setMeta('next', 2);
        });
        throw new Error('whole call failed');
      }),
    ).toThrow('whole call failed');
    expect(lines.size).toBe(0);
    expect(store.getMeta('next')).toBe(1);
    store.close();
    const reopened = new SimStore(file);
    expect(reopened.collection('lines').size).toBe(0);
    expect(reopened.getMeta('next')).toBe(1);
    reopened.close();
  });

  it('meta set in a transaction is stored when it commits; getMeta always returns a fresh copy', () => {
    const file = storeFile();
    const store = new SimStore(file);
    store.transaction(() => {
      for (let n = 1; n <= 5; n += 1) store.setMeta('counter', { n });
    });
    const got = store.getMeta<{ n: number }>('counter');
    expect(got).toEqual({ n: 5 });
    if (got) got.n = 99; // changing what getMeta returned changes nothing stored
    expect(store.getMeta('counter')).toEqual({ n: 5 });
    expect(SimStore.readMeta(file, 'counter')).toEqual({ n: 5 });
    expect(() => store.setMeta('nothing', undefined)).toThrow('cannot store undefined as meta nothing');
    store.close();
  });
});

describe('SimStore mirror copies', () => {
  it('holds exactly what a restart loads, for plain data and for values JSON changes', () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 2 });
    const values: Record<string, unknown> = {
      plain: { id: 4294967297, name: 'x', tags: ['a', 'b'], nested: { ok: true, none: null } },
      undefinedMember: { keep: 1, drop: undefined },
      negativeZero: { n: -0 },
      integerKeys: { b: 1, 2: 'two', a: 3, 1: 'one' },
      date: { at: new Date(Date.UTC(2026, 0, 2)) },
      notFinite: { nan: Number.NaN, inf: Number.POSITIVE_INFINITY },
      arrayWithHoles: { list: [1, undefined, () => 1] },
      instance: { amount: new Money(1250) },
      withToJson: { value: { toJSON: () => 'as text' } },
      protoKey: JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as unknown,
      nullProto,
      functionMember: { f: () => 1, n: 1 },
    };
    const file = storeFile();
    const store = new SimStore(file);
    const records = store.collection<unknown>('records');
    for (const [id, value] of Object.entries(values)) records.put(id, value);
    store.close();
    const reopened = new SimStore(file);
    try {
      for (const [id, value] of Object.entries(values)) {
        const expected = JSON.parse(JSON.stringify(value)) as unknown;
        expect(reopened.collection('records').get(id), id).toStrictEqual(expected);
        const mirrored = records.get(id);
        expect(mirrored, id).toStrictEqual(expected);
        expect(Object.keys(mirrored as object), id).toEqual(Object.keys(expected as object));
      }
      expect(Object.getPrototypeOf(records.get('protoKey'))).toBe(Object.prototype);
    } finally {
      reopened.close();
    }
  });
});

describe('SimStore record order', () => {
  it('a record added after the last one was deleted still comes last, also after a restart', () => {
    const file = storeFile();
    const store = new SimStore(file);
    const items = store.collection<{ n: number }>('items');
    items.put('x', { n: 1 });
    items.put('y', { n: 2 });
    items.delete('y');
    items.put('z', { n: 3 });
    items.put('y', { n: 4 });
    items.put('x', { n: 10 }); // an update keeps its place
    const expected = [{ n: 10 }, { n: 3 }, { n: 4 }];
    expect(items.all()).toEqual(expected);
    store.close();
    const reopened = new SimStore(file);
    expect(reopened.collection('items').all()).toEqual(expected);
    reopened.close();
  });
});

describe('SimStore durability', () => {
  it('a committed write survives a SIGKILL of the process right after the commit (synchronous=OFF)', async () => {
    const file = storeFile();
    const moduleUrl = pathToFileURL(join(import.meta.dirname, 'sim-store.ts')).href;
    const script = `
      const { SimStore } = await import(${JSON.stringify(moduleUrl)});
      const store = new SimStore(${JSON.stringify(file)});
      store.transaction(() => {
        for (let i = 0; i < 500; i += 1) store.collection('bills').put(i, { i, amount: '12.50' });
        store.setMeta('next_id', 500);
      });
      process.stdout.write('committed\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('committed')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited with ${String(code)} before committing`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const reopened = new SimStore(file);
    expect(reopened.collection('bills').size).toBe(500);
    expect(reopened.collection('bills').get(499)).toEqual({ i: 499, amount: '12.50' });
    expect(reopened.getMeta('next_id')).toBe(500);
    reopened.close();
  }, 20_000);
});
