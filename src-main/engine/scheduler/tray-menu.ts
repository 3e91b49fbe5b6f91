/**
 * What the tray shows, as plain data (tested under Node); src-main/electron/tray.ts only turns
 * it into an Electron Menu. One status line, then "Sync now", "Pause syncing"/"Resume",
 * "Open ml-connector" and "Quit".
 */
import type { FlowStatus } from './scheduler';

export type TrayAction = 'sync-now' | 'pause' | 'resume' | 'open' | 'quit' | 'start-at-login';

export type TrayMenuItem =
  | { kind: 'status'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { kind: 'toggle'; action: TrayAction; label: string; checked: boolean };

export interface TrayModel {
  tooltip: string;
  items: TrayMenuItem[];
}

/** Plain-words state of one flow, e.g. "Next sync at 14:05". */
export function describeFlow(status: FlowStatus, formatTime: (epochMs: number) => string): string {
  const at = (ms: number | null): string => (ms === null ? 'later' : formatTime(ms));
  switch (status.state) {
    case 'running':
      return 'Syncing…';
    case 'paused':
      return 'Paused';
    case 'backoff':
      return `Last sync failed (${status.consecutiveFailures}×); retrying at ${at(status.nextRunAt)}`;
    case 'waiting-for-budget':
      return `API limit reached; next sync at ${at(status.nextRunAt)}`;
    case 'idle':
      return status.nextRunAt === null ? 'Idle' : `Next sync at ${at(status.nextRunAt)}`;
  }
}

/**
 * `paused`: the scheduler's isPaused() (a paused flow still shows 'running' until its run ends).
 * `startAtLogin`: whether the OS starts the app at login; null where the OS offers no login
 * items to Electron (Linux), which hides the entry.
 */
export function trayMenuModel(
  flows: readonly FlowStatus[],
  paused: boolean,
  formatTime: (epochMs: number) => string,
  startAtLogin: boolean | null = null,
): TrayModel {
  const running = flows.some((f) => f.state === 'running');
  const statusLines = flows.length === 0 ? ['No flows scheduled'] : flows.map((f) => (flows.length === 1 ? describeFlow(f, formatTime) : `${f.flow}: ${describeFlow(f, formatTime)}`));
  return {
    tooltip: `ml-connector — ${statusLines.join('; ')}`,
    items: [
      ...statusLines.map((label): TrayMenuItem => ({ kind: 'status', label })),
      { kind: 'separator' },
      { kind: 'action', action: 'sync-now', label: running ? 'Syncing…' : 'Sync now', enabled: flows.length > 0 && !running },
      paused
        ? { kind: 'action', action: 'resume', label: 'Resume syncing', enabled: true }
        : { kind: 'action', action: 'pause', label: 'Pause syncing', enabled: flows.length > 0 },
      { kind: 'separator' },
      ...(startAtLogin === null ? [] : [{ kind: 'toggle', action: 'start-at-login', label: 'Start at login', checked: startAtLogin } satisfies TrayMenuItem]),
      { kind: 'action', action: 'open', label: 'Open ml-connector', enabled: true },
      { kind: 'action', action: 'quit', label: 'Quit', enabled: true },
    ],
  };
}

/**
 * Closing the last window keeps the app running in the tray while background sync is on
 * (the schedule must go on); without it the app quits as usual (except on macOS, where apps
 * stay active until the user quits them).
 */
export function quitWhenAllWindowsClosed(platform: string, backgroundSyncRunning: boolean): boolean {
  return !backgroundSyncRunning && platform !== 'darwin';
}
