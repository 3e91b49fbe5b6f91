import { describe, expect, it } from 'vitest';
import {
  CurrencyMismatchError,
  Decimal,
  InvalidCurrencyError,
  InvalidDecimalError,
  addMoney,
  compareMoney,
  isZeroMoney,
  lineAmount,
  money,
  moneyEquals,
  negateMoney,
  roundedMoney,
  subtractMoney,
  sumMoney,
} from './money';

const d = (text: string) => Decimal.parse(text);

describe('Decimal.parse', () => {
  it.each([
    ['1234.5', '1234.5'],
    ['-0.01', '-0.01'],
    ['+7', '7'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['  42.10  ', '42.1'],
    ['0.000001', '0.000001'],
    ['12.3400000000', '12.34'],
    ['-0', '0'],
    ['007.50', '7.5'],
  ])('reads %j exactly as %s', (input, expected) => {
    expect(d(input).toString()).toBe(expected);
  });

  it.each([
    ['1e3', /exponent notation/],
    ['-2.5E-3', /exponent notation/],
    ['1,234.50', /thousands separators/],
    ['12,50', /thousands separators/],
    ['1 234', /thousands separators/],
    ['abc', /not a number/],
    ['eur', /not a number/],
    ['1.2.3', /not a number/],
    ['-', /not a number/],
    ['.', /not a number/],
    ['', /empty/],
    ['NaN', /not a number/],
    ['0.0000001', /more than 6 decimal places/],
  ])('rejects %j with a clear reason', (input, reason) => {
    expect(() => d(input)).toThrow(InvalidDecimalError);
    expect(() => d(input)).toThrow(reason);
  });

  it('names the bad input in the error message', () => {
    expect(() => d('12,50')).toThrow('"12,50" is not a valid decimal amount');
  });

  it('converts JSON numbers by their shortest text, never by binary value', () => {
    expect(Decimal.fromJsonNumber(0.1).toString()).toBe('0.1');
    expect(Decimal.fromJsonNumber(1234.56).toString()).toBe('1234.56');
    expect(() => Decimal.fromJsonNumber(Number.NaN)).toThrow(InvalidDecimalError);
    expect(() => Decimal.fromJsonNumber(1e21)).toThrow(/exponent notation/);
  });
});

describe('Decimal arithmetic', () => {
  it('0.1 + 0.2 is exactly 0.3', () => {
    expect(d('0.1').plus(d('0.2')).equals(d('0.3'))).toBe(true);
    expect(d('0.1').plus(d('0.2')).toString()).toBe('0.3');
  });

  it('3 × 33.33 is exactly 99.99 and a third of 100 does not reappear as 100', () => {
    expect(d('3').times(d('33.33')).toMoneyString()).toBe('99.99');
    expect(Decimal.sum([d('33.33'), d('33.33'), d('33.34')]).toMoneyString()).toBe('100.00');
  });

  it('rounds half away from zero, also for negatives', () => {
    expect(d('0.005').roundToCents().toString()).toBe('0.01');
    expect(d('-0.005').roundToCents().toString()).toBe('-0.01');
    expect(d('-0.004999').roundToCents().toMoneyString()).toBe('0.00');
    expect(d('2.675').toMoneyString()).toBe('2.68'); // a float would say 2.67
    expect(d('-2.675').toMoneyString()).toBe('-2.68');
    expect(d('1.0049').toMoneyString()).toBe('1.00');
    expect(d('-12.5').format(0)).toBe('-13');
  });

  it('rounds a product once, not twice', () => {
    // exact 0.0049995: rounding to 6 places first (0.005000) and then to cents would give 0.01.
    expect(d('0.99999').times(d('0.005'), 2).toMoneyString()).toBe('0.00');
    expect(d('0.99999').times(d('0.005')).toString()).toBe('0.005');
  });

  it('keeps amounts above 2^53 cents exact', () => {
    const big = d('90071992547409.93'); // 2^53 + 1 cents
    expect(big.toCents()).toBe(9007199254740993n);
    expect(big.plus(d('0.01')).toString()).toBe('90071992547409.94');
    expect(Decimal.fromCents(123456789012345678901n).toMoneyString()).toBe('1234567890123456789.01');
    expect(d('123456789012345678.12').times(d('3')).toString()).toBe('370370367037037034.36');
  });

  it('compares, negates and tests sign', () => {
    expect(d('1.10').compare(d('1.1'))).toBe(0);
    expect(d('-1').compare(d('0.01'))).toBe(-1);
    expect(d('2').compare(d('1.999999'))).toBe(1);
    expect(d('-3.5').abs().toString()).toBe('3.5');
    expect(d('3.5').negate().isNegative()).toBe(true);
    expect(d('0.000').isZero()).toBe(true);
    expect(Decimal.sum([]).isZero()).toBe(true);
  });

  it('formats with a fixed number of places and serialises to JSON as a string', () => {
    expect(d('-0.5').toMoneyString()).toBe('-0.50');
    expect(d('0.001').toMoneyString()).toBe('0.00');
    expect(d('-0.001').toMoneyString()).toBe('0.00');
    expect(JSON.stringify({ amount: d('10.10') })).toBe('{"amount":"10.1"}');
    expect(() => d('1').round(7)).toThrow(RangeError);
  });
});

describe('Money', () => {
  it('normalises to two decimals and refuses fractions of a cent', () => {
    expect(money('12.5', 'EUR')).toEqual({ amount: '12.50', currency: 'EUR' });
    expect(() => money('12.345', 'EUR')).toThrow(/fractions of a cent/);
    expect(roundedMoney('12.345', 'EUR')).toEqual({ amount: '12.35', currency: 'EUR' });
  });

  it('refuses bad currency codes', () => {
    expect(() => money('1', 'eur')).toThrow(InvalidCurrencyError);
    expect(() => money('1', 'EURO')).toThrow(/three capital letters/);
  });

  it('adds and subtracts within one currency only', () => {
    expect(addMoney(money('0.10', 'EUR'), money('0.20', 'EUR'))).toEqual(money('0.30', 'EUR'));
    expect(subtractMoney(money('0.10', 'EUR'), money('0.20', 'EUR'))).toEqual(money('-0.10', 'EUR'));
    expect(() => addMoney(money('1', 'EUR'), money('1', 'USD'))).toThrow(CurrencyMismatchError);
    expect(() => addMoney(money('1', 'EUR'), money('1', 'USD'))).toThrow(
      'different currencies (EUR and USD)',
    );
  });

  it('sums to the cent and refuses a stray currency', () => {
    const lines = Array.from({ length: 1000 }, () => money('0.01', 'USD'));
    expect(sumMoney(lines, 'USD')).toEqual(money('10.00', 'USD'));
    expect(sumMoney([], 'USD')).toEqual(money('0', 'USD'));
    expect(() => sumMoney([money('1', 'USD'), money('1', 'EUR')], 'USD')).toThrow(CurrencyMismatchError);
  });

  it('computes a line amount from quantity × unit price', () => {
    expect(lineAmount('3', '33.33', 'EUR')).toEqual(money('99.99', 'EUR'));
    expect(lineAmount('2.5', '0.333333', 'EUR')).toEqual(money('0.83', 'EUR'));
    expect(lineAmount('-1.5', '0.01', 'EUR')).toEqual(money('-0.02', 'EUR'));
  });

  it('compares, negates and tests zero', () => {
    expect(compareMoney(money('1.00', 'EUR'), money('1', 'EUR'))).toBe(0);
    expect(moneyEquals(money('1', 'EUR'), money('1', 'USD'))).toBe(false);
    expect(negateMoney(money('12.5', 'EUR'))).toEqual(money('-12.50', 'EUR'));
    expect(isZeroMoney(money('-0.00', 'EUR'))).toBe(true);
    expect(() => compareMoney(money('1', 'EUR'), money('1', 'USD'))).toThrow(CurrencyMismatchError);
  });
});
