import { Menu, nativeImage, Notification, powerMonitor, Tray, type MenuItemConstructorOptions } from 'electron';
import { noticeFor } from '../engine/scheduler/notifications';
import type { Scheduler } from '../engine/scheduler/scheduler';
import { trayMenuModel, type TrayAction } from '../engine/scheduler/tray-menu';
import type { EngineApi } from '../host/context';
import { startEngineSchedule } from '../host/engine-api';

/**
 * The tray icon (issue 6): status line, "Sync now", "Pause syncing"/"Resume", "Open
 * ml-connector", "Quit". Wiring only: what it shows comes from trayMenuModel (tested under
 * Node); every click goes to the scheduler or the given callbacks.
 */
export interface AppTrayOptions {
  /** Absolute path of a tray icon image; default: a small built-in dot. */
  iconPath?: string;
  scheduler: Scheduler;
  onOpen(): void;
  onQuit(): void;
  /** Login-item control where the OS offers it (macOS, Windows); absent elsewhere. */
  startAtLogin?: { get(): boolean; set(on: boolean): void };
}

export interface AppTray {
  destroy(): void;
}

/** 16×16 blue dot (PNG) until the app ships its own tray artwork. */
const DEFAULT_ICON = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAN0lEQVR42mNgoAWQz9/0HxumSDNRhhDSjNcQYjVjNYRUzRiGjBpABQMojkaqJCSqJGWqZCZSAQAHr150v4JXmwAAAABJRU5ErkJggg==';

const clockTime = (epochMs: number): string => new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function createAppTray(options: AppTrayOptions): AppTray {
  const { scheduler } = options;
  const tray = new Tray(options.iconPath ? nativeImage.createFromPath(options.iconPath) : nativeImage.createFromDataURL(DEFAULT_ICON));

  const actions: Record<TrayAction, () => void> = {
    'sync-now': () => {
      for (const flow of scheduler.status()) void scheduler.runNow(flow.flow);
    },
    pause: () => scheduler.pause(),
    resume: () => scheduler.resume(),
    open: options.onOpen,
    quit: options.onQuit,
    'start-at-login': () => {
      options.startAtLogin?.set(!options.startAtLogin.get());
      refresh();
    },
  };

  const refresh = (): void => {
    const model = trayMenuModel(scheduler.status(), scheduler.isPaused(), clockTime, options.startAtLogin?.get() ?? null);
    const template = model.items.map((item): MenuItemConstructorOptions => {
      if (item.kind === 'separator') return { type: 'separator' };
      if (item.kind === 'status') return { label: item.label, enabled: false };
      if (item.kind === 'toggle') return { label: item.label, type: 'checkbox', checked: item.checked, click: actions[item.action] };
      return { label: item.label, enabled: item.enabled, click: actions[item.action] };
    });
    tray.setToolTip(model.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(template));
  };

  refresh();
  const unsubscribe = scheduler.subscribe(refresh);
  // "Next sync at …" is computed when shown; refresh each minute so it never lies for long.
  const minuteTimer = setInterval(refresh, 60_000);
  return {
    destroy: () => {
      clearInterval(minuteTimer);
      unsubscribe();
      tray.destroy();
    },
  };
}

export interface BackgroundSync {
  /** Stops scheduling and waits for a run in progress (call before closing the engine). */
  stop(): Promise<void>;
}

/**
 * Starts the engine's schedule with a tray, wakes it when the machine resumes from sleep (one
 * catch-up run for the ticks it missed) and shows the notifications noticeFor() picks (parked
 * records, sign-in needed, repeated failures). Null when there is no engine to schedule.
 */
export function startBackgroundSync(engine: EngineApi | undefined, options: Omit<AppTrayOptions, 'scheduler'>): BackgroundSync | null {
  // Planned from the runs recorded in the data folder, as in `serve` (host/engine-api.ts).
  const scheduler = startEngineSchedule(engine);
  if (!scheduler) return null;
  const wake = (): void => scheduler.wake();
  powerMonitor.on('resume', wake);
  const tray = createAppTray({ ...options, scheduler });
  const unsubscribeNotices = scheduler.subscribe((event) => {
    const notice = noticeFor(event, clockTime);
    if (notice && Notification.isSupported()) new Notification(notice).show();
  });
  return {
    stop: async () => {
      unsubscribeNotices();
      powerMonitor.off('resume', wake);
      tray.destroy();
      await scheduler.stop();
    },
  };
}
