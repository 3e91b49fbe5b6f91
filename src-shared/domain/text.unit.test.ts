import { describe, expect, it } from 'vitest';
import { cutText } from './text';

describe('cutText', () => {
  it('keeps a text up to the limit and cuts a longer one to the limit, ellipsis included', () => {
    expect(cutText('PO 20011')).toBe('PO 20011');
    expect(cutText('W'.repeat(80))).toBe('W'.repeat(80));
    expect(cutText('W'.repeat(60_000))).toBe(`${'W'.repeat(79)}…`);
    expect(cutText('abcdef', 4)).toBe('abc…');
  });
});
