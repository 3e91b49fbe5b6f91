// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridge, type IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { ScheduleSettingsCard } from './ScheduleSettings';

/** The Schedules card against the real handlers and a temp SQLite file (no engine running). */
let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-schedule-ui-'));
  ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), log: silentLogger, appVersion: '0.0.0-test' });
  const stores = createAppStores(createBridge((method, request) => dispatch(method, request, ctx), () => () => undefined));
  render(
    <StoresContext.Provider value={stores}>
      <ScheduleSettingsCard />
    </StoresContext.Provider>,
  );
});

afterEach(() => {
  cleanup();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const savedSchedule = () =>
  dispatch('schedules.get', {}, ctx).then((r) => (r.ok ? (r.value as IpcResponse<'schedules.get'>).schedules[0] : null));

/** F1's schedule form (every flow of the registry has one). */
const f1 = async () => within(await screen.findByRole('form', { name: 'Exact Online → Procore' }));

describe('Schedules card', () => {
  it('saves the interval, active hours and weekdays, and pauses and resumes', async () => {
    const form = await f1();
    const every = form.getByLabelText('Run every (minutes)') as HTMLInputElement;
    expect(every.value).toBe('15');
    fireEvent.change(every, { target: { value: '30' } });
    fireEvent.click(form.getByLabelText('Only run within active hours'));
    fireEvent.change(form.getByLabelText('From'), { target: { value: '06:30' } });
    fireEvent.click(form.getByLabelText('Friday')); // on by default: working days
    fireEvent.click(form.getByLabelText('Sunday'));
    fireEvent.click(form.getByRole('button', { name: 'Save schedule' }));
    await waitFor(() => expect(form.getByRole('status').textContent).toBe('Saved.'));
    expect(await savedSchedule()).toMatchObject({
      everyMinutes: 30,
      paused: false,
      activeHours: { from: '06:30', to: '19:00', days: [1, 2, 3, 4, 7] },
    });

    fireEvent.click(form.getByRole('button', { name: 'Pause' }));
    await form.findByRole('button', { name: 'Resume' });
    expect(form.getByText('Next run: None (scheduled runs are paused; “Sync now” still works)')).toBeTruthy();
    expect((await savedSchedule())?.paused).toBe(true);
    fireEvent.click(form.getByRole('button', { name: 'Resume' }));
    await form.findByRole('button', { name: 'Pause' });
    expect((await savedSchedule())?.paused).toBe(false);
  });

  it('shows why a schedule was refused and keeps the saved one', async () => {
    const form = await f1();
    fireEvent.change(form.getByLabelText('Run every (minutes)'), { target: { value: '2' } });
    fireEvent.click(form.getByRole('button', { name: 'Save schedule' }));
    // The label the user sees, not the request field ("Invalid schedules.save request: everyMinutes: …").
    expect((await form.findByRole('alert')).textContent).toBe('Run every: must be at least 5 minutes.');

    fireEvent.change(form.getByLabelText('Run every (minutes)'), { target: { value: '20' } });
    fireEvent.click(form.getByLabelText('Only run within active hours'));
    fireEvent.change(form.getByLabelText('To'), { target: { value: '07:00' } });
    fireEvent.click(form.getByRole('button', { name: 'Save schedule' }));
    await waitFor(() => expect(form.getByRole('alert').textContent).toMatch(/from must be before to, or the window runs past midnight/));
    expect((await savedSchedule())?.everyMinutes).toBe(15);
  });
});
