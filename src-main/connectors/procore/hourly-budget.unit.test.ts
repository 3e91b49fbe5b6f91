import { describe, expect, it } from 'vitest';
import { createManualClock, parseProcoreRateLimits, silentLogger } from '../_kit';
import type { ManualClock } from '../_kit';
import { createProcoreConnector, type ProcoreConnector } from './index';

// The connector's budget as the scheduler reads it, without network: calls are counted with
// acquire() (what every request does first) and the server's headers applied with observe()
// (what every response does), both on the budget the connector exposes.

/** Each connector gets its own company, so its budget (`procore:<id>`) is its own. */
let nextCompanyId = 770_000_000 + (process.pid % 1000) * 100;

function connector(clock: ManualClock, companyId = String(nextCompanyId++)): ProcoreConnector {
  return createProcoreConnector(
    {
      baseUrl: 'https://api.procore.com',
      allowedHosts: ['api.procore.com'],
      logger: silentLogger,
      tokens: {
        getAccessToken: () => Promise.reject(new Error('no network in this test')),
        handleUnauthorized: () => Promise.reject(new Error('no network in this test')),
      },
    },
    {
      companyId,
      apiBaseUrl: 'https://api.procore.com',
      authBaseUrl: 'https://login.procore.com',
      rateLimits: { hourly: 1000, spikePer10s: 25 },
      clock,
    },
  );
}

/** X-Rate-Limit-* headers as Procore sends them (reset in Unix seconds). */
function headers(limit: number | null, remaining: number, resetAtMs: number): Record<string, string> {
  return {
    ...(limit === null ? {} : { 'x-rate-limit-limit': String(limit) }),
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(Math.ceil(resetAtMs / 1000)),
  };
}

async function spend(c: ProcoreConnector, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) await c.budget.acquire();
}

describe('ProcoreConnector budget', () => {
  it('exposes the company budget, shared by every connector of the same company', () => {
    const clock = createManualClock();
    const first = connector(clock, '770999001');
    const second = connector(clock, '770999001');
    expect(first.budget.key).toBe('procore:770999001');
    expect(second.budget).toBe(first.budget);
    expect(connector(clock).budget).not.toBe(first.budget);
  });

  it('counts the hour locally with the configured limit before any header is seen', async () => {
    const clock = createManualClock();
    const c = connector(clock);
    expect(c.hourlyBudget()).toEqual({
      name: 'hourly',
      limit: 1000,
      used: 0,
      remaining: 1000,
      resetAt: null,
      source: 'local',
    });
    const firstCallAt = clock.now();
    await spend(c, 3);
    expect(c.hourlyBudget()).toEqual({
      name: 'hourly',
      limit: 1000,
      used: 3,
      remaining: 997,
      resetAt: firstCallAt + 3_600_000,
      source: 'local',
    });
  });

  it('keeps its own hourly count when the headers describe the 10-second spike window', async () => {
    const clock = createManualClock();
    const c = connector(clock);
    await spend(c, 3);
    c.budget.observe(parseProcoreRateLimits(headers(25, 22, clock.now() + 10_000)));
    expect(c.hourlyBudget()).toMatchObject({ limit: 1000, used: 3, remaining: 997, source: 'local' });
  });

  it('takes the server figures when the headers describe the hourly window, and counts calls after them', async () => {
    const clock = createManualClock();
    const c = connector(clock);
    await spend(c, 3);
    const resetAt = Math.ceil((clock.now() + 30 * 60_000) / 1000) * 1000;
    // The company's real limit differs from the configured one: the headers win.
    c.budget.observe(parseProcoreRateLimits(headers(3600, 40, resetAt)));
    expect(c.hourlyBudget()).toEqual({
      name: 'hourly',
      limit: 3600,
      used: 3560,
      remaining: 40,
      resetAt,
      source: 'server',
    });
    await spend(c, 2);
    expect(c.hourlyBudget()).toMatchObject({ used: 3562, remaining: 38 });
    // Past the server's reset its figures no longer hold: our own count is back.
    clock.advance(31 * 60_000);
    expect(c.hourlyBudget()).toMatchObject({ limit: 1000, used: 5, source: 'local' });
  });

  it('fills in the configured limit when the server leaves X-Rate-Limit-Limit out', () => {
    const clock = createManualClock();
    const c = connector(clock);
    c.budget.observe(parseProcoreRateLimits(headers(null, 120, clock.now() + 20 * 60_000)));
    expect(c.hourlyBudget()).toMatchObject({ limit: 1000, used: 880, remaining: 120, source: 'server' });
  });
});
