import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';

/**
 * A small evaluator for formula columns (monday formula column docs: settings
 * `{"formula":"{numbers_col} * {rate_col}"}`, result in `FormulaValue.display_value`). It covers
 * what the sandbox's boards use: column references `{id}`, decimal literals, `+ - *`,
 * parentheses and `ROUND(x, places)`, all in exact decimals (never binary floats). Anything it
 * cannot compute (an empty or non-numeric reference, an unsupported function) reads as "",
 * which is what monday's display_value gives for a formula it cannot serve.
 */
export function evaluateFormula(formula: string, columnText: (columnId: string) => string): string {
  try {
    const parser = new Parser(tokenise(formula), columnText);
    const result = parser.expression();
    parser.expectEnd();
    return result.toString();
  } catch (err) {
    if (err instanceof FormulaUnavailable || err instanceof InvalidDecimalError) return '';
    throw err;
  }
}

class FormulaUnavailable extends Error {}

type Token = { kind: 'number' | 'ref' | 'name'; text: string } | { kind: 'op'; text: '+' | '-' | '*' | '(' | ')' | ',' };

function tokenise(formula: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?)|\{([A-Za-z0-9_]+)\}|([A-Za-z_]+)|([+\-*(),]))/y;
  let at = 0;
  while (at < formula.length) {
    if (/^\s*$/.test(formula.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(formula);
    if (!m) throw new FormulaUnavailable(`cannot read the formula at "${formula.slice(at)}"`);
    at = pattern.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'number', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'ref', text: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: 'name', text: m[3].toUpperCase() });
    else tokens.push({ kind: 'op', text: m[4] as '+' | '-' | '*' | '(' | ')' | ',' });
  }
  return tokens;
}

class Parser {
  private at = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly columnText: (columnId: string) => string,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private take(op?: string): Token {
    const token = this.tokens[this.at];
    if (!token || (op !== undefined && token.text !== op)) throw new FormulaUnavailable(`expected ${op ?? 'more'}`);
    this.at += 1;
    return token;
  }

  expectEnd(): void {
    if (this.at !== this.tokens.length) throw new FormulaUnavailable('unexpected text after the formula');
  }

  expression(): Decimal {
    let value = this.term();
    for (let t = this.peek(); t?.kind === 'op' && (t.text === '+' || t.text === '-'); t = this.peek()) {
      this.take();
      value = t.text === '+' ? value.plus(this.term()) : value.minus(this.term());
    }
    return value;
  }

  private term(): Decimal {
    let value = this.factor();
    while (this.peek()?.text === '*') {
      this.take();
      value = value.times(this.factor());
    }
    return value;
  }

  private factor(): Decimal {
    const token = this.take();
    if (token.kind === 'number') return Decimal.parse(token.text);
    if (token.kind === 'ref') {
      const text = this.columnText(token.text);
      if (text.trim() === '') throw new FormulaUnavailable(`{${token.text}} is empty`);
      return Decimal.parse(text);
    }
    if (token.text === '-') return this.factor().negate();
    if (token.text === '(') {
      const value = this.expression();
      this.take(')');
      return value;
    }
    if (token.kind === 'name' && token.text === 'ROUND') {
      this.take('(');
      const value = this.expression();
      this.take(',');
      const places = Number(this.take().text);
      this.take(')');
      if (!Number.isInteger(places) || places < 0 || places > 6) throw new FormulaUnavailable('ROUND takes 0 to 6 places');
      return value.round(places);
    }
    throw new FormulaUnavailable(`"${token.text}" is not supported by the sandbox's formula columns`);
  }
}
