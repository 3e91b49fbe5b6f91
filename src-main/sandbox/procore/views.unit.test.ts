import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src-shared/domain/money';
import { percentage, percentOf } from './views';

describe('retainage and percentage arithmetic', () => {
  it('percentOf rounds half up to the cent once, exactly', () => {
    expect(percentOf(Decimal.parse('15200.25'), Decimal.parse('5.00')).toMoneyString()).toBe('760.01'); // 760.0125
    expect(percentOf(Decimal.parse('0.10'), Decimal.parse('5')).toMoneyString()).toBe('0.01'); // 0.005 → 0.01
    expect(percentOf(Decimal.parse('-0.10'), Decimal.parse('5')).toMoneyString()).toBe('-0.01');
    expect(percentOf(Decimal.parse('99999999.99'), Decimal.parse('10.00')).toMoneyString()).toBe(
      '10000000.00',
    );
  });

  it('percentage is part/whole × 100 with two decimals, and 0.00 for an empty whole', () => {
    expect(percentage(Decimal.parse('1'), Decimal.parse('3'))).toBe('33.33');
    expect(percentage(Decimal.parse('2'), Decimal.parse('3'))).toBe('66.67');
    expect(percentage(Decimal.parse('5'), Decimal.ZERO)).toBe('0.00');
  });
});
