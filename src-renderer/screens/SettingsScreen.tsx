import { useEffect, useState } from 'react';
import type { IpcResponse } from '../../src-shared/ipc';
import { useSlice, useStores } from '../app/services';
import { messageOf, unwrap } from '../ipc/call';
import { ScreenHeading } from '../ui/ScreenHeading';
import { formatCount } from '../ui/format';
import { StateMessage } from '../ui/StateMessage';
import { ScheduleSettingsCard } from './ScheduleSettings';

export function SettingsScreen() {
  const { dashboard, bridge } = useStores();
  const app = useSlice(dashboard, (s) => s.app);
  const [verdict, setVerdict] = useState<IpcResponse<'audit.verify'> | string | null>(null);
  const [verifying, setVerifying] = useState(false);

  useEffect(() => {
    if (dashboard.getState().app === null) void dashboard.getState().load();
  }, [dashboard]);

  const verify = async () => {
    setVerifying(true);
    try {
      setVerdict(await unwrap(bridge['audit.verify']()));
    } catch (error) {
      setVerdict(messageOf(error));
    } finally {
      setVerifying(false);
    }
  };

  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenHeading title="Settings">Where the app keeps its data, and when it syncs.</ScreenHeading>
      <section className="card" aria-labelledby="data-title">
        <h2 id="data-title">Data folder</h2>
        {app === null ? (
          <StateMessage kind="loading" title="Loading…" />
        ) : (
          <dl className="facts">
            <dt>Location</dt>
            <dd>
              <code>{app.dataDir}</code>
            </dd>
            <dt>Database version</dt>
            <dd>{app.schemaVersion}</dd>
            <dt>App version</dt>
            <dd>{app.appVersion}</dd>
            <dt>Audit entries</dt>
            <dd>{formatCount(app.counts.auditEntries)}</dd>
            <dt>Last audit entry</dt>
            <dd>{app.auditHead ? `#${app.auditHead.seq}, hash ${app.auditHead.hash}` : 'none yet'}</dd>
          </dl>
        )}
        <p className="hint">
          To use another folder, start the app with <code>--data-dir</code> or the{' '}
          <code>ML_CONNECTOR_DATA_DIR</code> environment variable. Moving it from this screen is not available
          yet.
        </p>
        <button type="button" onClick={() => void verify()} disabled={verifying}>
          Verify audit log
        </button>
        <p role="status" className="notice">
          {verdict === null
            ? ''
            : typeof verdict === 'string'
              ? verdict
              : verdict.intact
                ? `The audit log is intact (${formatCount(verdict.checked)} entries checked).`
                : `Problem at entry ${verdict.firstBadSeq}: ${verdict.reason}`}
        </p>
      </section>
      <ScheduleSettingsCard />
    </section>
  );
}
