/**
 * Exact decimal arithmetic for money, with no dependency and no binary floating point.
 *
 * A `Decimal` is a bigint count of 10^-6 units (six decimals: enough for unit prices and
 * quantities; amounts are rounded to cents only when a caller asks). Rounding is always
 * half away from zero ("half-up" as accountants mean it: 0.005 -> 0.01, -0.005 -> -0.01).
 * Why not big.js / a float: see docs/decisions/0001-money-as-bigint-decimal.md.
 *
 * `Money` is the wire/storage shape: `{ amount: '1234.50', currency: 'EUR' }`, the amount
 * always with exactly two decimals (all six systems settle in two-decimal currencies).
 */

/** Decimal places held exactly by `Decimal`. */
export const DECIMAL_SCALE = 6;
/** 10^0 … 10^(2 × DECIMAL_SCALE) as bigints: rounding and formatting run per amount, often. */
const POWERS_OF_TEN: readonly bigint[] = Array.from({ length: 2 * DECIMAL_SCALE + 1 }, (_, i) => 10n ** BigInt(i));
const pow10 = (exponent: number): bigint => POWERS_OF_TEN[exponent] ?? 10n ** BigInt(exponent);
const UNITS_PER_ONE = pow10(DECIMAL_SCALE);
/** Decimal places of a `Money` amount. */
export const MONEY_DECIMALS = 2;

export class InvalidDecimalError extends Error {
  override readonly name = 'InvalidDecimalError';
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`"${truncateForMessage(input)}" is not a valid decimal amount: ${reason}`);
  }
}

export class CurrencyMismatchError extends Error {
  override readonly name = 'CurrencyMismatchError';
  constructor(
    readonly left: string,
    readonly right: string,
  ) {
    super(
      `Cannot combine amounts in different currencies (${left} and ${right}); convert one of them first.`,
    );
  }
}

export class InvalidCurrencyError extends Error {
  override readonly name = 'InvalidCurrencyError';
  constructor(readonly input: string) {
    super(
      `"${truncateForMessage(input)}" is not a currency code; expected three capital letters such as EUR or USD.`,
    );
  }
}

function truncateForMessage(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const PLAIN_DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

/** Divides by a positive power of ten, rounding half away from zero. */
function divideRoundingHalfAwayFromZero(value: bigint, divisor: bigint): bigint {
  const quotient = value / divisor; // truncates toward zero
  const remainder = value % divisor;
  const twiceRemainder = 2n * (remainder < 0n ? -remainder : remainder);
  if (twiceRemainder >= divisor) return value < 0n ? quotient - 1n : quotient + 1n;
  return quotient;
}

function assertDecimalPlaces(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > DECIMAL_SCALE) {
    throw new RangeError(`Decimal places must be an integer from 0 to ${DECIMAL_SCALE}, got ${decimals}.`);
  }
}

export class Decimal {
  static readonly ZERO = new Decimal(0n);

  /** `units` counts 10^-DECIMAL_SCALE; use the static constructors. */
  private constructor(readonly units: bigint) {}

  /**
   * Parses a plain decimal string: "1234.5", "-0.01", "+7", ".5". Rejects exponent forms,
   * thousands separators, decimal commas and more than six significant decimal places, each
   * with a message that says what was wrong.
   */
  static parse(text: string): Decimal {
    if (typeof text !== 'string') throw new InvalidDecimalError(String(text), 'expected a string');
    const trimmed = text.trim();
    if (trimmed === '') throw new InvalidDecimalError(text, 'it is empty');
    // Plain text is by far the common case; the other shapes are only told apart to explain
    // the refusal (none of them can match PLAIN_DECIMAL).
    const match = PLAIN_DECIMAL.exec(trimmed);
    if (!match) {
      if (/^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(trimmed)) {
        throw new InvalidDecimalError(text, 'exponent notation is not accepted; write it out, e.g. 1000.00');
      }
      if (/^[+-]?[\d.,\s']+$/.test(trimmed) && /[,\s']/.test(trimmed)) {
        throw new InvalidDecimalError(
          text,
          'use a plain number with a dot for decimals and no thousands separators, e.g. 1234.50',
        );
      }
      throw new InvalidDecimalError(text, 'it is not a number');
    }
    const integerDigits = match[2] ?? '';
    const fractionDigits = match[3] ?? '';
    if (integerDigits + fractionDigits === '') throw new InvalidDecimalError(text, 'it is not a number');
    const significantFraction = fractionDigits.replace(/0+$/, '');
    if (significantFraction.length > DECIMAL_SCALE) {
      throw new InvalidDecimalError(text, `it has more than ${DECIMAL_SCALE} decimal places`);
    }
    const magnitude =
      BigInt(integerDigits || '0') * UNITS_PER_ONE +
      BigInt(significantFraction.padEnd(DECIMAL_SCALE, '0') || '0');
    return new Decimal(match[1] === '-' ? -magnitude : magnitude);
  }

  /**
   * Converts a number that JSON.parse already produced (some APIs send amounts as JSON
   * numbers). Uses the shortest round-trip text of the double, which is exactly the digits
   * the API sent for any amount with up to 15 significant digits.
   */
  static fromJsonNumber(value: number): Decimal {
    if (!Number.isFinite(value)) throw new InvalidDecimalError(String(value), 'it is not a finite number');
    return Decimal.parse(String(value));
  }

  static fromUnits(units: bigint): Decimal {
    return new Decimal(units);
  }

  /** From integer minor units (cents). */
  static fromCents(cents: bigint): Decimal {
    return new Decimal(cents * pow10(DECIMAL_SCALE - MONEY_DECIMALS));
  }

  static sum(values: Iterable<Decimal>): Decimal {
    let total = 0n;
    for (const value of values) total += value.units;
    return new Decimal(total);
  }

  plus(other: Decimal): Decimal {
    return new Decimal(this.units + other.units);
  }

  minus(other: Decimal): Decimal {
    return new Decimal(this.units - other.units);
  }

  /**
   * Multiplies (e.g. quantity × unit price) and rounds the exact product ONCE to `decimals`
   * places. Pass 2 for a line amount: rounding to 6 places first and then to cents could
   * round twice (0.0049995 -> 0.005000 -> 0.01 instead of 0.00).
   */
  times(other: Decimal, decimals: number = DECIMAL_SCALE): Decimal {
    assertDecimalPlaces(decimals);
    const exactAtDoubleScale = this.units * other.units;
    const dropped = pow10(2 * DECIMAL_SCALE - decimals);
    const rounded = divideRoundingHalfAwayFromZero(exactAtDoubleScale, dropped);
    return new Decimal(rounded * pow10(DECIMAL_SCALE - decimals));
  }

  negate(): Decimal {
    return new Decimal(-this.units);
  }

  abs(): Decimal {
    return this.units < 0n ? this.negate() : this;
  }

  /** -1, 0 or 1. */
  compare(other: Decimal): -1 | 0 | 1 {
    if (this.units === other.units) return 0;
    return this.units < other.units ? -1 : 1;
  }

  equals(other: Decimal): boolean {
    return this.units === other.units;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  /** Rounds half away from zero to `decimals` places. */
  round(decimals: number): Decimal {
    assertDecimalPlaces(decimals);
    const step = pow10(DECIMAL_SCALE - decimals);
    return new Decimal(divideRoundingHalfAwayFromZero(this.units, step) * step);
  }

  roundToCents(): Decimal {
    return this.round(MONEY_DECIMALS);
  }

  /** Integer minor units after rounding to cents. */
  toCents(): bigint {
    return this.roundToCents().units / pow10(DECIMAL_SCALE - MONEY_DECIMALS);
  }

  /** Text with exactly `decimals` places, rounded half away from zero: format(2) -> "-12.50". */
  format(decimals: number): string {
    const rounded = this.round(decimals).units;
    const magnitude = rounded < 0n ? -rounded : rounded;
    const integerPart = magnitude / UNITS_PER_ONE;
    const fraction = (magnitude % UNITS_PER_ONE).toString().padStart(DECIMAL_SCALE, '0').slice(0, decimals);
    const sign = rounded < 0n ? '-' : '';
    return decimals === 0 ? `${sign}${integerPart}` : `${sign}${integerPart}.${fraction}`;
  }

  /** Exactly two decimals, rounded half away from zero. */
  toMoneyString(): string {
    return this.format(MONEY_DECIMALS);
  }

  /** The exact value, without trailing zeros: "1234.5", "-0.000001", "7". */
  toString(): string {
    const magnitude = this.units < 0n ? -this.units : this.units;
    const integerPart = magnitude / UNITS_PER_ONE;
    const fraction = (magnitude % UNITS_PER_ONE).toString().padStart(DECIMAL_SCALE, '0').replace(/0+$/, '');
    const sign = this.units < 0n ? '-' : '';
    return fraction === '' ? `${sign}${integerPart}` : `${sign}${integerPart}.${fraction}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

// ---------------------------------------------------------------------------------------
// Money

export interface Money {
  /** Exactly two decimals, e.g. "1234.50" or "-0.01". */
  readonly amount: string;
  /** ISO 4217 code, e.g. "EUR". */
  readonly currency: string;
}

/** ISO 4217's currencies in use (ICU's list; "XXX", "BTC" and retired codes are not among them). */
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is a currency in use, e.g. "EUR" (not merely three capitals such as "XXX"). */
export function isKnownCurrency(code: string): boolean {
  return KNOWN_CURRENCIES.has(code);
}

function checkedCurrency(currency: string): string {
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    throw new InvalidCurrencyError(String(currency));
  return currency;
}

function toDecimal(value: string | Decimal): Decimal {
  return typeof value === 'string' ? Decimal.parse(value) : value;
}

/**
 * Builds Money from an amount that is already in cents ("12.5" and "12.50" are fine).
 * An amount with fractions of a cent is refused rather than silently rounded: use
 * `roundedMoney` when rounding is what the business rule says.
 */
export function money(amount: string | Decimal, currency: string): Money {
  const value = toDecimal(amount);
  if (!value.equals(value.roundToCents())) {
    throw new InvalidDecimalError(
      value.toString(),
      `a ${checkedCurrency(currency)} amount cannot have fractions of a cent; round it explicitly`,
    );
  }
  return { amount: value.toMoneyString(), currency: checkedCurrency(currency) };
}

/** Builds Money, rounding half away from zero to cents. */
export function roundedMoney(amount: string | Decimal, currency: string): Money {
  return { amount: toDecimal(amount).toMoneyString(), currency: checkedCurrency(currency) };
}

export function moneyToDecimal(value: Money): Decimal {
  return Decimal.parse(value.amount);
}

function sameCurrency(left: Money, right: Money): string {
  if (left.currency !== right.currency) throw new CurrencyMismatchError(left.currency, right.currency);
  return checkedCurrency(left.currency);
}

export function addMoney(left: Money, right: Money): Money {
  const currency = sameCurrency(left, right);
  return money(moneyToDecimal(left).plus(moneyToDecimal(right)), currency);
}

export function subtractMoney(left: Money, right: Money): Money {
  const currency = sameCurrency(left, right);
  return money(moneyToDecimal(left).minus(moneyToDecimal(right)), currency);
}

/** Sums amounts of one currency; the currency is required so an empty list has a total. */
export function sumMoney(values: Iterable<Money>, currency: string): Money {
  const expected: Money = { amount: '0.00', currency: checkedCurrency(currency) };
  let total = Decimal.ZERO;
  for (const value of values) {
    sameCurrency(expected, value);
    total = total.plus(moneyToDecimal(value));
  }
  return money(total, currency);
}

export function negateMoney(value: Money): Money {
  return money(moneyToDecimal(value).negate(), value.currency);
}

export function compareMoney(left: Money, right: Money): -1 | 0 | 1 {
  sameCurrency(left, right);
  return moneyToDecimal(left).compare(moneyToDecimal(right));
}

export function moneyEquals(left: Money, right: Money): boolean {
  return left.currency === right.currency && moneyToDecimal(left).equals(moneyToDecimal(right));
}

export function isZeroMoney(value: Money): boolean {
  return moneyToDecimal(value).isZero();
}

/** quantity × unit price, rounded once, half away from zero, to cents. */
export function lineAmount(quantity: string | Decimal, unitPrice: string | Decimal, currency: string): Money {
  return money(toDecimal(quantity).times(toDecimal(unitPrice), MONEY_DECIMALS), currency);
}
