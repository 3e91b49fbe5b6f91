import {
  scheduleSettingsSchema,
  type ActiveHoursSetting,
  type FlowOverview,
  type ScheduleSettings,
  type ScheduleView,
} from '../../src-shared/ipc';
import { FLOWS } from '../engine/flows/registry';
import type { ActiveHours } from '../engine/scheduler/active-hours';
import type { Scheduler } from '../engine/scheduler/scheduler';
import type { Store } from '../store';

/**
 * Each flow's background schedule as the user sets it on the Settings screen, kept in the
 * store's settings table (key `schedule:<flow>`). The engine reads it when it starts; a save
 * while the engine runs is applied to its scheduler at once.
 */

/** The flows that run in the background, with the names the screens show. */
export const FLOW_TITLES: Readonly<Record<string, string>> = Object.fromEntries(FLOWS.map((f) => [f.id, f.title]));

export const DEFAULT_SCHEDULE: ScheduleSettings = { everyMinutes: 15, paused: false, activeHours: null };

const settingsKey = (flow: string): string => `schedule:${flow}`;

export function isScheduledFlow(flow: string): boolean {
  return Object.hasOwn(FLOW_TITLES, flow);
}

/** The saved schedule, or the default when none was saved (or it no longer passes validation). */
export function readScheduleSettings(store: Store, flow: string): ScheduleSettings {
  const parsed = scheduleSettingsSchema.safeParse(store.settings.get(settingsKey(flow)));
  return parsed.success ? parsed.data : DEFAULT_SCHEDULE;
}

export function writeScheduleSettings(store: Store, flow: string, settings: ScheduleSettings): void {
  store.settings.set(settingsKey(flow), scheduleSettingsSchema.parse(settings));
}

/** ISO weekdays (1 = Monday … 7 = Sunday) to the scheduler's getDay() numbers (0 = Sunday). */
export function toSchedulerActiveHours(hours: ActiveHoursSetting | null): ActiveHours | undefined {
  return hours ? { from: hours.from, to: hours.to, days: hours.days.map((day) => day % 7) } : undefined;
}

/**
 * Applies saved settings to a running scheduler: cadence, hours, then pause or resume. A flow
 * the scheduler does not have (it cannot run yet) takes them from the store when it joins.
 */
export function applyScheduleSettings(scheduler: Scheduler, flow: string, settings: ScheduleSettings): void {
  if (!scheduler.has(flow)) return;
  scheduler.reschedule(flow, { everyMinutes: settings.everyMinutes, activeHours: toSchedulerActiveHours(settings.activeHours) });
  if (settings.paused) scheduler.pause(flow);
  else scheduler.resume(flow);
}

/**
 * What `schedules.get` (and the Dashboard's flow card) shows for a flow. The state is
 * 'not-running', with the reason in words, when nothing runs scheduled syncs of the flow here:
 * no engine in this process, an engine whose schedule was not started (only "Sync now"), or a
 * flow that cannot run yet (`unavailable`: what to connect).
 */
export function scheduleView(store: Store, flow: string, scheduler: Scheduler | null, unavailable: string | null = null): ScheduleView {
  const settings = readScheduleSettings(store, flow);
  const status = scheduler?.isStarted() ? scheduler.status().find((s) => s.flow === flow) : undefined;
  const reason = status
    ? null
    : !scheduler
      ? 'None here: scheduled syncs run in the desktop app and in `ml-connector serve`, not in this window. The schedule is saved and applies there.'
      : !scheduler.isStarted()
        ? 'None here: this window syncs only when you press “Sync now”. The schedule is saved and applies in the desktop app and in `ml-connector serve`.'
        : `None yet: ${unavailable ?? 'the flow cannot run in this window.'}`;
  return {
    flow,
    title: FLOW_TITLES[flow] ?? flow,
    ...settings,
    nextRunAt: status?.nextRunAt == null ? null : new Date(status.nextRunAt).toISOString(),
    state: status?.state ?? 'not-running',
    reason,
  };
}

type ConnectionBudgetView = NonNullable<FlowOverview['connections'][number]['budget']>;

/**
 * A connection's request budget as the Dashboard shows it (used / left in its window, next safe
 * run); nothing when no scheduler runs or it spaces no polls by this connection.
 */
export function connectionBudgetView(scheduler: Scheduler | null, connectionId: string): { budget: ConnectionBudgetView } | Record<string, never> {
  const status = scheduler?.budgetStatus().find((b) => b.connectionId === connectionId);
  if (!status) return {};
  return {
    budget: {
      window: status.window,
      used: status.used,
      left: Number.isFinite(status.left) ? status.left : null,
      limit: status.limit,
      nextSafeRunAt: new Date(status.nextSafeRunAt).toISOString(),
    },
  };
}
