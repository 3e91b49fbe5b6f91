/**
 * Which scheduler events deserve a desktop notification (issue 6): a connection needs signing in
 * again, records were parked, or runs keep failing. Never for a plain success, and a failure
 * streak notifies once (when it reaches the threshold), not on every retry. The token keep-alive
 * (host/token-keep-alive.ts) uses the sign-in notices below.
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
  if (outcome.clientSecretRefused && outcome.clientSecretRefused.length > 0) return clientSecretRefusedNotice(outcome.clientSecretRefused);
  if (outcome.needsReauth && outcome.needsReauth.length > 0) return signInAgainNotice(outcome.needsReauth);
  if (outcome.status === 'failed' && event.consecutiveFailures === threshold)
    return {
      title: `Syncing ${event.flow} keeps failing`,
      body: `${threshold} runs in a row failed${outcome.error ? `: ${outcome.error}` : ''}.${event.nextRunAt === null ? '' : ` Next attempt at ${formatTime(event.nextRunAt)}.`}`,
    };
  if ((outcome.parked ?? 0) > 0) {
    const parked = outcome.parked ?? 0;
    const names = outcome.parkedNames ?? [];
    const more = parked - names.length;
    const which = names.length === 0 ? 'They wait' : `${names.join('; ')}${more > 0 ? `; and ${more} more` : ''}${outcome.parkedValue ? ` (${outcome.parkedValue} in all)` : ''}. ${parked === 1 ? 'It waits' : 'They wait'}`;
    return { title: `${parked} record(s) need your attention`, body: `${which} in Pending validation until a mapping is fixed.` };
  }
  return null;
}

/** A connection's grant died (a run or the token keep-alive found out): only a new sign-in helps. */
export function signInAgainNotice(connectionLabels: readonly string[]): Notice {
  return { title: 'Sign in again to keep syncing', body: `${connectionLabels.join(' and ')} needs you to sign in again. Open ml-connector → Connections.` };
}

/**
 * The provider refused the app's client secret (a run or the token keep-alive found out): no
 * sign-in token call is made until the user enters the current secret or connects again.
 */
export function clientSecretRefusedNotice(connectionLabels: readonly string[]): Notice {
  return {
    title: 'Update the client secret to keep syncing',
    body: `${connectionLabels.join(' and ')} refused the app\u2019s client secret. Enter the current one under Connections (Edit), or connect again. Nothing is synced with it until then.`,
  };
}

/**
 * A connection's sign-in (Exact's refresh token) is about to expire because it could not be
 * renewed: the keep-alive shows this once per expiry date, not on every check.
 */
export function signInExpiringNotice(connectionLabel: string, expiresAt: number, formatDateTime: (epochMs: number) => string): Notice {
  return { title: `${connectionLabel} sign-in expires soon`, body: signInExpiringWarning(connectionLabel, expiresAt, formatDateTime) };
}

/** The same words for the dashboard's warning line and the notification. */
export function signInExpiringWarning(connectionLabel: string, expiresAt: number, formatDateTime: (epochMs: number) => string): string {
  return `${connectionLabel} sign-in expires on ${formatDateTime(expiresAt)} unless ml-connector runs and refreshes it; keep the app open or sign in again (Connections).`;
}
