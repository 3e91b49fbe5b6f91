/**
 * Which scheduler events deserve a desktop notification (issue 6): a connection needs signing in
 * again, records were parked, or runs keep failing. Never for a plain success, and a failure
 * streak notifies once (when it reaches the threshold), not on every retry.
 */
import type { SchedulerEvent } from './scheduler';

export interface Notice {
  title: string;
  body: string;
}

export const REPEATED_FAILURE_THRESHOLD = 3;

export function noticeFor(event: SchedulerEvent, formatTime: (epochMs: number) => string, threshold = REPEATED_FAILURE_THRESHOLD): Notice | null {
  if (event.type !== 'run-finished') return null;
  const { outcome } = event;
  if (outcome.needsReauth && outcome.needsReauth.length > 0)
    return { title: 'Sign in again to keep syncing', body: `${outcome.needsReauth.join(' and ')} needs you to sign in again. Open ml-connector → Connections.` };
  if (outcome.status === 'failed' && event.consecutiveFailures === threshold)
    return {
      title: `Syncing ${event.flow} keeps failing`,
      body: `${threshold} runs in a row failed${outcome.error ? `: ${outcome.error}` : ''}.${event.nextRunAt === null ? '' : ` Next attempt at ${formatTime(event.nextRunAt)}.`}`,
    };
  if ((outcome.parked ?? 0) > 0)
    return { title: `${outcome.parked} record(s) need your attention`, body: 'They wait in Pending validation until a mapping is fixed.' };
  return null;
}
