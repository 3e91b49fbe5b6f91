import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { StoresContext } from './app/services';
import { connectBridge } from './ipc/client';
import { createAppStores, subscribeToEvents } from './stores';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
try {
  const stores = createAppStores(connectBridge());
  subscribeToEvents(stores);
  root.render(
    <StrictMode>
      <StoresContext.Provider value={stores}>
        <App />
      </StoresContext.Provider>
    </StrictMode>,
  );
} catch (error) {
  // No bridge (e.g. the page was opened without its token): say what to do instead of a blank window.
  root.render(
    <main className="content">
      <h1>ml-connector cannot start</h1>
      <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
    </main>,
  );
}
