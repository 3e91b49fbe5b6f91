import { describe, expect, it } from 'vitest';
import {
  FROM_THE_START,
  MAX_VERSIONS_AT_INSTANT,
  ProcoreCursorError,
  ScopeWalk,
  StreamCursor,
  instantOf,
  isoSecond,
  rowVersion,
} from './cursor';

const T = Date.parse('2026-05-01T10:00:00Z');

describe('StreamCursor', () => {
  it('round-trips per-scope checkpoints, and refuses another stream’s cursor or garbage', () => {
    const cursor = StreamCursor.parse(null, 'requisitions')
      .with('p:1', { instantMs: T, seen: new Set(['7:abc', '8:def']) })
      .with('p:2', { instantMs: null, seen: new Set() });
    const text = cursor.toString();
    const back = StreamCursor.parse(text, 'requisitions');
    expect(back.get('p:1')).toEqual({ instantMs: T, seen: new Set(['7:abc', '8:def']) });
    expect(back.get('p:2')).toEqual({ instantMs: null, seen: new Set() });
    expect(back.toString()).toBe(text);
    expect(() => StreamCursor.parse(text, 'vendors')).toThrow(ProcoreCursorError);
    expect(() => StreamCursor.parse('2026-01-01T00:00:00Z', 'vendors')).toThrow(/not readable/);
    expect(StreamCursor.parse('', 'vendors').get('active').instantMs).toBeNull();
  });

  it('keeps only the instant when more records than it can hold share it', () => {
    const seen = new Set(Array.from({ length: MAX_VERSIONS_AT_INSTANT + 1 }, (_, i) => `${i}:x`));
    const text = StreamCursor.parse(null, 's').with('a', { instantMs: T, seen }).toString();
    expect(StreamCursor.parse(text, 's').get('a')).toEqual({ instantMs: T, seen: new Set() });
  });
});

describe('ScopeWalk', () => {
  const upper = '2026-05-01T12:00:00Z';

  it('starts from the beginning, then moves to the newest updated_at and the versions at it', () => {
    const walk = new ScopeWalk({ instantMs: null, seen: new Set() }, upper);
    expect(walk.window()).toEqual({ from: FROM_THE_START, to: upper });
    expect(walk.judge(T - 5000, 'a:1')).toBe('new');
    expect(walk.judge(T, 'b:1')).toBe('new');
    expect(walk.judge(T, 'c:1')).toBe('new');
    expect(walk.checkpoint()).toEqual({ instantMs: T, seen: new Set(['b:1', 'c:1']) });
  });

  it('reads the checkpoint instant again (>=) and drops only what it already read there, in the same version', () => {
    const walk = new ScopeWalk({ instantMs: T, seen: new Set(['b:1']) }, upper);
    expect(walk.window().from).toBe('2026-05-01T10:00:00Z');
    expect(walk.judge(T, 'b:1')).toBe('already-read');
    expect(walk.judge(T, 'b:2')).toBe('new'); // changed again within the same second
    expect(walk.judge(T, 'd:1')).toBe('new'); // committed later with the same updated_at
    expect(walk.judge(T - 1000, 'a:1')).toBe('already-read');
    expect(walk.checkpoint()).toEqual({ instantMs: T, seen: new Set(['b:1', 'b:2', 'd:1']) });
  });

  it('leaves rows past the upper bound (its whole second included) to the next walk', () => {
    const walk = new ScopeWalk({ instantMs: null, seen: new Set() }, isoSecond(T));
    expect(walk.judge(T + 999, 'a:1')).toBe('new');
    expect(walk.judge(T + 1000, 'b:1')).toBe('after-window');
    expect(walk.checkpoint().instantMs).toBe(T + 999);
  });

  it('keeps the previous checkpoint when the Total changed during the walk', () => {
    const previous = { instantMs: T, seen: new Set(['b:1']) };
    const walk = new ScopeWalk(previous, upper);
    walk.noteTotal(10);
    walk.judge(T + 60_000, 'e:1');
    walk.noteTotal(9);
    expect(walk.stable).toBe(false);
    expect(walk.checkpoint()).toBe(previous);
  });

  it('a row without updated_at is returned but cannot move the checkpoint', () => {
    const walk = new ScopeWalk({ instantMs: null, seen: new Set() }, upper);
    expect(walk.judge(null, 'x:1')).toBe('new');
    expect(walk.checkpoint().instantMs).toBeNull();
  });
});

describe('helpers', () => {
  it('instantOf reads Procore timestamps and refuses anything else', () => {
    expect(instantOf('2026-05-01T10:00:00Z')).toBe(T);
    expect(instantOf('2026-05-01T12:00:00+02:00')).toBe(T);
    expect(instantOf('2026-05-01')).toBeNull();
    expect(instantOf(null)).toBeNull();
  });

  it('rowVersion depends on the row’s content, not only its id', () => {
    expect(rowVersion('7', { a: 1 })).toBe(rowVersion('7', { a: 1 }));
    expect(rowVersion('7', { a: 1 })).not.toBe(rowVersion('7', { a: 2 }));
    expect(rowVersion('7', { a: 1 })).toMatch(/^7:[0-9a-f]{16}$/);
  });
});
