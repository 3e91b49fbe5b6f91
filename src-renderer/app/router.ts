import { useSyncExternalStore } from 'react';

/** The screens, in navigation order. Hash routes work the same from file:// (Electron) and http. */
export const SCREENS = [
  { id: 'dashboard', title: 'Dashboard' },
  { id: 'connections', title: 'Connections' },
  { id: 'mappings', title: 'Mappings' },
  { id: 'pending', title: 'Pending validation' },
  { id: 'audit', title: 'Audit history' },
  { id: 'reconciliation', title: 'Reconciliation' },
  { id: 'settings', title: 'Settings' },
] as const;
export type ScreenId = (typeof SCREENS)[number]['id'];

export interface Route {
  screen: ScreenId;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const screen = SCREENS.find((s) => s.id === path)?.id ?? 'dashboard';
  return { screen, params: new URLSearchParams(query) };
}

export function routeHref(screen: ScreenId, params?: Record<string, string>): string {
  const query = params ? new URLSearchParams(params).toString() : '';
  return `#/${screen}${query ? `?${query}` : ''}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
