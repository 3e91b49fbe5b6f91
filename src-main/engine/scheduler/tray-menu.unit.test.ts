import { describe, expect, it } from 'vitest';
import type { FlowStatus } from './scheduler';
import { quitWhenAllWindowsClosed, trayMenuModel } from './tray-menu';

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
const AT = Date.UTC(2026, 0, 14, 14, 5);
const flow = (over: Partial<FlowStatus>): FlowStatus => ({ flow: 'exact-procore', state: 'idle', nextRunAt: AT, lastRun: null, consecutiveFailures: 0, waitReason: null, ...over });
const actions = (m: ReturnType<typeof trayMenuModel>) => m.items.flatMap((i) => (i.kind === 'action' ? [`${i.action}:${i.label}:${i.enabled ? 'on' : 'off'}`] : []));

describe('trayMenuModel', () => {
  it('idle: shows the next sync, offers Sync now and Pause', () => {
    const m = trayMenuModel([flow({})], false, time);
    expect(m.items[0]).toEqual({ kind: 'status', label: 'Next sync at 14:05' });
    expect(m.tooltip).toBe('ml-connector — Next sync at 14:05');
    expect(actions(m)).toEqual(['sync-now:Sync now:on', 'pause:Pause syncing:on', 'open:Open ml-connector:on', 'quit:Quit:on']);
  });

  it('running: Sync now is disabled (a click would only join the run)', () => {
    const m = trayMenuModel([flow({ state: 'running', nextRunAt: null })], false, time);
    expect(m.items[0]).toEqual({ kind: 'status', label: 'Syncing…' });
    expect(actions(m)[0]).toBe('sync-now:Syncing…:off');
  });

  it('paused: offers Resume, even while the last run is still finishing', () => {
    expect(actions(trayMenuModel([flow({ state: 'paused', nextRunAt: null })], true, time))).toContain('resume:Resume syncing:on');
    expect(actions(trayMenuModel([flow({ state: 'running', nextRunAt: null })], true, time))).toContain('resume:Resume syncing:on');
  });

  it('explains backoff and budget waits with the next attempt time', () => {
    expect(trayMenuModel([flow({ state: 'backoff', consecutiveFailures: 3 })], false, time).items[0]).toEqual({ kind: 'status', label: 'Last sync failed (3×); retrying at 14:05' });
    expect(trayMenuModel([flow({ state: 'waiting-for-budget' })], false, time).items[0]).toEqual({ kind: 'status', label: 'API limit reached; next sync at 14:05' });
  });

  it('names each flow when there are several, and disables flow actions when there are none', () => {
    const m = trayMenuModel([flow({}), flow({ flow: 'coupa-intacct', state: 'paused', nextRunAt: null })], false, time);
    expect(m.items.slice(0, 2)).toEqual([
      { kind: 'status', label: 'exact-procore: Next sync at 14:05' },
      { kind: 'status', label: 'coupa-intacct: Paused' },
    ]);
    expect(actions(trayMenuModel([], false, time)).slice(0, 2)).toEqual(['sync-now:Sync now:off', 'pause:Pause syncing:off']);
  });
});

describe('start at login and closing the window', () => {
  it('offers "Start at login" with its state where the OS has login items, and hides it elsewhere', () => {
    const toggles = (m: ReturnType<typeof trayMenuModel>) => m.items.filter((i) => i.kind === 'toggle');
    expect(toggles(trayMenuModel([flow({})], false, time, true))).toEqual([{ kind: 'toggle', action: 'start-at-login', label: 'Start at login', checked: true }]);
    expect(toggles(trayMenuModel([flow({})], false, time, false))[0]).toMatchObject({ checked: false });
    expect(toggles(trayMenuModel([flow({})], false, time, null))).toEqual([]);
  });

  it('keeps the app in the tray when the last window closes while background sync runs', () => {
    expect(quitWhenAllWindowsClosed('win32', true)).toBe(false);
    expect(quitWhenAllWindowsClosed('linux', true)).toBe(false);
    expect(quitWhenAllWindowsClosed('win32', false)).toBe(true);
    expect(quitWhenAllWindowsClosed('darwin', false)).toBe(false);
  });
});
