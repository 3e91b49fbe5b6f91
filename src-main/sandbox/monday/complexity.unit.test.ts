import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ComplexityBudget, DEFAULT_COMPLEXITY_MODEL, queryCost } from './complexity';
import { buildMondaySchema } from './schema';

const schema = buildMondaySchema();
const cost = (query: string, variables?: Record<string, unknown>): number =>
  queryCost(schema, parse(query), undefined, variables, DEFAULT_COMPLEXITY_MODEL);

describe('monday complexity model', () => {
  it('charges scalars 1 and objects 10 plus children', () => {
    // boards(ids: [1]) → list of 1: 10 + id 1 + name 1
    expect(cost('{ boards(ids: [1]) { id name } }')).toBe(12);
  });

  it('multiplies a list by the number of ids (before its limit), by its limit, or by the page size of the enclosing items_page', () => {
    expect(cost('{ boards(limit: 3) { id } }')).toBe(3 * 11);
    expect(cost('{ boards(ids: [1, 2], limit: 25) { id } }')).toBe(2 * 11);
    // monday: "IDs are considered before the limit argument": 4 ids with limit 3 cost 4 boards.
    expect(cost('{ boards(ids: [1, 2, 3, 4], limit: 3) { id } }')).toBe(4 * 11);
    // No limit given: the SDL default (boards limit: Int = 25) sizes the list.
    expect(cost('{ boards { id } }')).toBe(25 * 11);
    // items_page(limit: 100) sizes `items`: 10 + 10 + 100 × (10 + 1)
    expect(cost('{ boards(ids: [1]) { items_page(limit: 100) { items { id } } } }')).toBe(10 + 10 + 100 * 11);
  });

  it('reads limits from variables and counts fragments and inline fragments', () => {
    const viaVariable = cost('query ($l: Int!) { next_items_page(cursor: "c", limit: $l) { items { id } } }', { l: 7 });
    expect(viaVariable).toBe(10 + 7 * 11);
    const withFragment = cost('query { items(ids: [1]) { ...f } } fragment f on Item { id name }');
    expect(withFragment).toBe(12);
  });

  it('charges a root mutation 30,000 plus what it selects (create_item { id } = 30001, as monday\'s budget error quotes), per alias; the complexity probe is free', () => {
    const one = cost('mutation { create_item(board_id: 1, item_name: "a") { id } }');
    const two = cost('mutation { a: create_item(board_id: 1, item_name: "a") { id } b: create_item(board_id: 1, item_name: "b") { id } complexity { query } }');
    expect(one).toBe(30_001);
    expect(two).toBe(2 * one);
  });
});

describe('monday per-minute budget', () => {
  it('opens the window at the first call, refuses what does not fit without charging, and refills after 60 s', () => {
    let now = 1_000_000;
    const budget = new ComplexityBudget(() => now);
    const account = { key: 'account:1', limit: 100 };
    expect(budget.charge(account, 60)).toEqual({ before: 100, after: 40, query: 60, reset_in_x_seconds: 60 });
    now += 30_000;
    expect(budget.charge(account, 50)).toBeNull();
    expect(budget.peek(account)).toEqual({ remaining: 40, resetInSeconds: 30 });
    expect(budget.charge({ key: 'app:7:read', limit: 100 }, 50)?.before).toBe(100);
    now += 30_000;
    expect(budget.charge(account, 50)?.before).toBe(100);
  });

  it('keeps what each window used, per budget, for the sandbox state (a refusal charges nothing)', () => {
    let now = 0;
    const budget = new ComplexityBudget(() => now);
    const account = { key: 'account:1', limit: 100 };
    budget.charge(account, 60);
    budget.charge(account, 50);
    budget.charge(account, 30);
    now += 60_000;
    budget.charge(account, 10);
    expect(budget.usage()).toEqual([
      { key: 'account:1', limit: 100, startedAt: 0, used: 90 },
      { key: 'account:1', limit: 100, startedAt: 60_000, used: 10 },
    ]);
  });
});
