import type { ReactNode } from 'react';

/** The designed loading / empty / error states (never a blank area). */
export function StateMessage({
  kind,
  title,
  children,
  action,
}: {
  kind: 'loading' | 'empty' | 'error' | 'info';
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div
      className={`state state-${kind}`}
      role={kind === 'error' ? 'alert' : 'status'}
      aria-busy={kind === 'loading' ? true : undefined}
    >
      <p className="state-title">{title}</p>
      {children ? <div className="state-body">{children}</div> : null}
      {action ? <div className="state-action">{action}</div> : null}
    </div>
  );
}

/** A one-line outcome of an action (saved, exported, failed), announced to screen readers. */
export function Notice({ notice }: { notice: { kind: 'success' | 'error'; text: string } | null }) {
  return (
    <p
      className={`notice ${notice ? `notice-${notice.kind}` : ''}`}
      role={notice?.kind === 'error' ? 'alert' : 'status'}
    >
      {notice?.text ?? ''}
    </p>
  );
}
