import { Fragment, useEffect, useId, useRef, type KeyboardEvent } from 'react';
import { referenceOptionText, type MappingSetDefinition, type MappingSourceKey } from '../../src-shared/ipc';
import { SYSTEM_TITLES } from '../../src-shared/domain/systems';
import { useSlice, useStores } from '../app/services';
import { StateMessage } from '../ui/StateMessage';

/** "Create this vendor in Procore" in the words of the table's definition. */
export function createCounterpartyLabel(definition: MappingSetDefinition, words: 'this' | 'a' = 'this'): string {
  const c = definition.createsCounterparty!;
  return `Create ${words} ${c.noun} in ${SYSTEM_TITLES[c.system]}`;
}

/** The source value a key names, as people read it: "supplier 40030". */
function describeSourceKey(definition: MappingSetDefinition, sourceKey: MappingSourceKey): string {
  return definition.sourceFields
    .map((f) => sourceKey[f.name])
    .filter((v): v is string => v !== null && v !== undefined)
    .join(' / ');
}

/**
 * The button that offers to create the target counterparty of an unmapped source value (a
 * Procore vendor for an Exact supplier). Nothing is created before the dialog is confirmed.
 */
export function CreateCounterpartyButton({
  definition,
  sourceKey,
  words = 'this',
  className = 'secondary small',
}: {
  definition: MappingSetDefinition;
  sourceKey: MappingSourceKey;
  words?: 'this' | 'a';
  className?: string;
}) {
  const { counterparty } = useStores();
  if (!definition.createsCounterparty) return null;
  const value = describeSourceKey(definition, sourceKey);
  const source = definition.sourceFields[0]?.label ?? 'source';
  return (
    <button
      type="button"
      className={className}
      aria-label={`${createCounterpartyLabel(definition, words)} for ${source.toLowerCase()} ${value}`}
      aria-haspopup="dialog"
      onClick={(e) => {
        lastOpener = e.currentTarget;
        void counterparty.getState().start({ definition, sourceKey, sourceLabel: `${source} ${value}` });
      }}
    >
      {createCounterpartyLabel(definition, words)}
    </button>
  );
}

/** Where focus goes back when the dialog closes. */
let lastOpener: HTMLElement | null = null;

/**
 * The confirmation: what the new record gets (read from the source system now), records in the
 * target that may be the same one, then Create, and the outcome in the same place. `onDone`
 * runs once it was created (the screen reloads what changed).
 */
export function CounterpartyDialog({ onDone }: { onDone: () => void }) {
  const { counterparty } = useStores();
  const state = useSlice(counterparty, (s) => s);
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const { request, status, preview, result, error } = state;

  useEffect(() => {
    if (request) dialog.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [request, status]);

  if (!request) return null;
  const definition = request.definition;
  const system = definition.createsCounterparty ? SYSTEM_TITLES[definition.createsCounterparty.system] : '';
  const close = () => {
    const done = status === 'done';
    counterparty.getState().close();
    if (done) onDone();
    const opener = lastOpener;
    lastOpener = null;
    // The row may be gone (its records were released): then the page heading takes focus.
    (opener?.isConnected ? opener : document.querySelector<HTMLElement>('h1'))?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' && status !== 'creating') {
      event.preventDefault();
      close();
    } else if (event.key === 'Tab') {
      // Keep the focus inside the dialog while it is open.
      const focusable = [...(dialog.current?.querySelectorAll<HTMLElement>('button:not([disabled]), [tabindex="0"]') ?? [])];
      const first = focusable[0];
      const last = focusable.at(-1);
      if (!first || !last) return;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  return (
    <div className="dialog-backdrop">
      <div ref={dialog} className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} onKeyDown={onKeyDown}>
        <h2 id={titleId} tabIndex={-1}>
          {preview?.title ?? `${createCounterpartyLabel(definition)} for ${request.sourceLabel.toLowerCase()}`}
        </h2>
        {status === 'loading' ? (
          <StateMessage kind="loading" title={`Reading ${request.sourceLabel.toLowerCase()} and the ${definition.createsCounterparty?.noun ?? 'record'}s in ${system}…`} />
        ) : status === 'error' ? (
          <StateMessage kind="error" title="Nothing was created">
            {error}
          </StateMessage>
        ) : preview ? (
          <>
            <p className="hint">From {preview.source}. Nothing is created until you confirm.</p>
            {preview.fields.length > 0 ? (
              <dl className="facts">
                {preview.fields.map((f) => (
                  <Fragment key={f.label}>
                    <dt>{f.label}</dt>
                    <dd>{f.value}</dd>
                  </Fragment>
                ))}
              </dl>
            ) : null}
            {preview.similar.length > 0 ? (
              <div className="banner" role="note">
                <p>
                  {system} already has {preview.similar.length === 1 ? 'a record that may be this one' : 'records that may be this one'}:
                </p>
                <ul>
                  {preview.similar.map((s) => (
                    <li key={s.value}>
                      {referenceOptionText(s)} ({s.detail ? `${s.detail}, ` : ''}id {s.value})
                    </li>
                  ))}
                </ul>
                <p>To use one of them, close this and pick it in the {definition.title} table instead.</p>
              </div>
            ) : null}
            {preview.blocked ? (
              <p className="notice notice-error" role="alert">
                {preview.blocked}
              </p>
            ) : null}
            {status === 'done' && result ? (
              <p className="notice notice-success" role="status">
                {result.message} {result.requeueMessage}
              </p>
            ) : error ? (
              <p className="notice notice-error" role="alert">
                {error}
              </p>
            ) : (
              <p className="notice" role="status">
                {status === 'creating' ? `Creating it in ${system}…` : ''}
              </p>
            )}
          </>
        ) : null}
        <div className="dialog-actions">
          {status === 'done' ? (
            <button type="button" data-autofocus onClick={close}>
              Close
            </button>
          ) : (
            <>
              {preview && !preview.blocked ? (
                <button
                  type="button"
                  data-autofocus
                  disabled={status === 'creating'}
                  onClick={() => void counterparty.getState().confirm()}
                >
                  {preview.title.replace(/ “.*” /, ' ')}
                </button>
              ) : null}
              <button
                type="button"
                className="secondary"
                data-autofocus={!preview || preview.blocked ? '' : undefined}
                disabled={status === 'creating'}
                onClick={close}
              >
                Cancel
              </button>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
