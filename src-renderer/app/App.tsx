import { AuditScreen } from '../screens/AuditScreen';
import { ConnectionsScreen } from '../screens/ConnectionsScreen';
import { DashboardScreen } from '../screens/DashboardScreen';
import { MappingsScreen } from '../screens/MappingsScreen';
import { PendingScreen } from '../screens/PendingScreen';
import { ReconciliationScreen } from '../screens/ReconciliationScreen';
import { SettingsScreen } from '../screens/SettingsScreen';
import { parseRoute, routeHref, SCREENS, useHash } from './router';

/** The window: a skip link, the navigation and the current screen. */
export function App() {
  const route = parseRoute(useHash());
  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('screen-title')?.focus();
        }}
      >
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <p className="brand">ml-connector</p>
        <ul>
          {SCREENS.map((screen) => (
            <li key={screen.id}>
              <a href={routeHref(screen.id)} aria-current={route.screen === screen.id ? 'page' : undefined}>
                {screen.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content">
        {route.screen === 'dashboard' ? <DashboardScreen /> : null}
        {route.screen === 'connections' ? <ConnectionsScreen /> : null}
        {route.screen === 'mappings' ? <MappingsScreen route={route} /> : null}
        {route.screen === 'pending' ? <PendingScreen /> : null}
        {route.screen === 'audit' ? <AuditScreen /> : null}
        {route.screen === 'reconciliation' ? <ReconciliationScreen /> : null}
        {route.screen === 'settings' ? <SettingsScreen /> : null}
      </main>
    </div>
  );
}
