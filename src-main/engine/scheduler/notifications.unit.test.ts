import { describe, expect, it } from 'vitest';
import { clientSecretRefusedNotice, noticeFor, signInAgainNotice, signInExpiringNotice } from './notifications';
import type { RunOutcome, SchedulerEvent } from './scheduler';

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
const AT = Date.UTC(2026, 0, 14, 14, 5);
const finished = (outcome: RunOutcome, consecutiveFailures = 0): SchedulerEvent => ({ type: 'run-finished', flow: 'exact-procore', trigger: 'schedule', startedAt: AT, endedAt: AT, outcome, nextRunAt: AT, consecutiveFailures });

describe('noticeFor', () => {
  it('stays quiet for successes and for single failures', () => {
    expect(noticeFor(finished({ status: 'succeeded' }), time)).toBeNull();
    expect(noticeFor(finished({ status: 'failed', error: 'x' }, 1), time)).toBeNull();
    expect(noticeFor({ type: 'run-started', flow: 'exact-procore', trigger: 'manual', at: AT }, time)).toBeNull();
  });

  it('notifies once when failures reach the threshold, with the next attempt', () => {
    expect(noticeFor(finished({ status: 'failed', error: 'Exact Online is unreachable' }, 3), time)).toEqual({
      title: 'Syncing exact-procore keeps failing',
      body: '3 runs in a row failed: Exact Online is unreachable. Next attempt at 14:05.',
    });
    expect(noticeFor(finished({ status: 'failed' }, 4), time)).toBeNull();
  });

  it('names the parked records as finance does, with their value', () => {
    const names = ['PO 20011 · Bouwmaterialen Groothandel Koster B.V. · €39,854.50', 'Invoice F2026-00063 · Bouwmaterialen Groothandel Koster B.V. · €76,527.93'];
    expect(noticeFor(finished({ status: 'succeeded', parked: 5, parkedNames: names, parkedValue: '€355,149.71' }), time)).toEqual({
      title: '5 record(s) need your attention',
      body: `${names[0]}; ${names[1]}; and 3 more (€355,149.71 in all). They wait in Pending validation until a mapping is fixed.`,
    });
    expect(noticeFor(finished({ status: 'succeeded', parked: 1, parkedNames: [names[0]!], parkedValue: '€39,854.50' }), time)?.body).toBe(
      `${names[0]} (€39,854.50 in all). It waits in Pending validation until a mapping is fixed.`,
    );
  });

  it('tells about parked records and about connections needing a new sign-in (that first)', () => {
    expect(noticeFor(finished({ status: 'succeeded', parked: 2 }), time)?.title).toBe('2 record(s) need your attention');
    expect(noticeFor(finished({ status: 'failed', parked: 2, needsReauth: ['Exact Online (sandbox)'] }, 3), time)).toEqual({
      title: 'Sign in again to keep syncing',
      body: 'Exact Online (sandbox) needs you to sign in again. Open ml-connector → Connections.',
    });
  });
});

describe('a refused client secret', () => {
  it('asks for the current client secret (before any other news), in the same words as the keep-alive', () => {
    expect(noticeFor(finished({ status: 'failed', parked: 2, needsReauth: ['Procore'], clientSecretRefused: ['Exact Online'] }, 3), time)).toEqual({
      title: 'Update the client secret to keep syncing',
      body: 'Exact Online refused the app’s client secret. Enter the current one under Connections (Edit), or connect again. Nothing is synced with it until then.',
    });
    expect(clientSecretRefusedNotice(['Exact Online'])).toEqual(noticeFor(finished({ status: 'failed', clientSecretRefused: ['Exact Online'] }, 1), time));
  });
});

describe('sign-in notices (token keep-alive)', () => {
  it('names the connection and the date its sign-in lapses, in the same words as a run that found it dead', () => {
    const lapses = Date.UTC(2026, 11, 21, 10, 0);
    expect(signInExpiringNotice('Exact Online', lapses, (ms) => new Date(ms).toISOString().slice(0, 10))).toEqual({
      title: 'Exact Online sign-in expires soon',
      body: 'Exact Online sign-in expires on 2026-12-21 unless ml-connector runs and refreshes it; keep the app open or sign in again (Connections).',
    });
    expect(signInAgainNotice(['Exact Online'])).toEqual(noticeFor(finished({ status: 'failed', needsReauth: ['Exact Online'] }, 1), time));
  });
});
