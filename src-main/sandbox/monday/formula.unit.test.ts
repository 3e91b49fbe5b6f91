import { describe, expect, it } from 'vitest';
import { evaluateFormula } from './formula';

const texts: Record<string, string> = { amount: '1234.50', rate: '1.21', empty: '', word: 'Steel' };
const evaluate = (formula: string): string => evaluateFormula(formula, (id) => texts[id] ?? '');

describe('monday formula columns (display_value)', () => {
  it('computes references, literals, + - * and parentheses in exact decimals', () => {
    expect(evaluate('{amount} * {rate}')).toBe('1493.745');
    expect(evaluate('({amount} - 34.5) * 2 + 1')).toBe('2401');
    expect(evaluate('-{amount}')).toBe('-1234.5');
    // 0.1 + 0.2 is exactly 0.3: no binary floats.
    expect(evaluate('0.1 + 0.2')).toBe('0.3');
  });

  it('ROUND(x, places) rounds half away from zero', () => {
    expect(evaluate('ROUND({amount} * 1.21, 2)')).toBe('1493.75');
    expect(evaluate('round({amount}, 0)')).toBe('1235');
  });

  it('reads "" when it cannot compute: empty or non-numeric reference, unknown function, broken text', () => {
    for (const formula of ['{empty} * 2', '{word} + 1', 'CONCATENATE({word}, "x")', '{amount} *', '{amount} / 2', '(1 + 2']) expect(evaluate(formula)).toBe('');
  });
});
