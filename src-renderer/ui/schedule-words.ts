import type { ScheduleView } from '../../src-shared/ipc';
import { formatDateTime } from './format';

/** "15 minutes", "1 hour", "2 hours", "day". */
export function cadenceWords(everyMinutes: number): string {
  if (everyMinutes === 1440) return 'day';
  if (everyMinutes % 60 === 0) return everyMinutes === 60 ? 'hour' : `${everyMinutes / 60} hours`;
  return `${everyMinutes} minutes`;
}

/**
 * When a flow runs next, in the same words on the Dashboard and the Settings screen (both get
 * the same ScheduleView from main): the time in the user's locale, or why there is none.
 */
export function nextRunWords(view: Pick<ScheduleView, 'paused' | 'nextRunAt' | 'state' | 'everyMinutes'> & { reason?: string | null | undefined }): string {
  if (view.state === 'running') return 'Running now';
  if (view.paused) return 'None (scheduled runs are paused; “Sync now” still works)';
  if (view.nextRunAt !== null) {
    const when = formatDateTime(view.nextRunAt);
    if (view.state === 'waiting-for-budget') return `${when}, once the API request budget allows`;
    if (view.state === 'backoff') return `${when}, trying again after a failed run`;
    return `${when} (every ${cadenceWords(view.everyMinutes)})`;
  }
  if (view.state === 'not-running') return view.reason ?? 'None: this window does not run scheduled syncs.';
  return 'Being planned';
}
