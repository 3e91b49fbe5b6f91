import { useId } from 'react';
import type { RecordComparisonView } from '../../src-shared/ipc';
import { formatAmount, formatDay, formatJson } from './format';

type ValueKind = RecordComparisonView['fields'][number]['kind'];

/** A value as the user reads it: amounts with currency in their locale, days as dates. */
function shown(kind: ValueKind, value: string | null, currency: string | null): string {
  if (value === null || value === '') return '—';
  if (kind === 'amount') return currency ? formatAmount(value, currency) : value;
  if (kind === 'quantity')
    return new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 }).format(
      value as Intl.StringNumericLiteral,
    );
  if (kind === 'date') return formatDay(value);
  return value;
}

const numeric = (kind: ValueKind) => kind === 'amount' || kind === 'quantity';

/** A cell that differs from the other side: highlighted, and said in words for screen readers. */
function Value({
  kind,
  value,
  currency,
  differs,
  side,
}: {
  kind: ValueKind;
  value: string | null;
  currency: string | null;
  differs: boolean;
  side: string;
}) {
  return (
    <td
      className={`${numeric(kind) ? 'num' : ''}${differs ? ' differs' : ''}`}
      data-differs={differs || undefined}
    >
      {shown(kind, value, currency)}
      {differs ? <span className="visually-hidden"> (differs in {side})</span> : null}
    </td>
  );
}

/**
 * The record view: the source document beside what the target holds (or was sent), as labelled
 * fields and lines, with the differences highlighted. Raw JSON only behind "Technical details".
 */
export function RecordView({
  comparison,
  technical,
  title,
}: {
  comparison: RecordComparisonView | null;
  /** Raw payloads, shown only when the user opens "Technical details". */
  technical: { label: string; value: unknown }[];
  /** Accessible name of the view, e.g. "PO 20011 · Koster B.V.". */
  title: string;
}) {
  const id = useId();
  const present = technical.filter((t) => t.value !== null && t.value !== undefined);
  // Fields that differ, and lines that differ in a compared column or are on one side only.
  const differences = comparison
    ? comparison.fields.filter((f) => f.differs).length +
      comparison.lines.filter((l) => l.differs.length > 0).length
    : 0;
  const written = comparison !== null && comparison.fields.some((f) => f.target !== null);
  return (
    <div className="record-view" role="group" aria-label={title}>
      {comparison === null ? (
        <p className="hint">
          This record cannot be shown field by field; its raw data is under Technical details.
        </p>
      ) : (
        <>
          <p className="hint" id={`${id}-summary`}>
            {!written
              ? `Not in ${comparison.targetTitle} yet: the ${comparison.sourceTitle} document as read.`
              : differences === 0
                ? `${comparison.sourceTitle} and ${comparison.targetTitle} agree on every compared field and line.`
                : `${differences} difference${differences === 1 ? '' : 's'} between ${comparison.sourceTitle} and ${comparison.targetTitle}, highlighted below.`}
          </p>
          <table className="table compare-fields">
            <caption className="visually-hidden">Fields of {title}</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">{comparison.sourceTitle}</th>
                {written ? <th scope="col">{comparison.targetTitle}</th> : null}
              </tr>
            </thead>
            <tbody>
              {comparison.fields.map((f) => (
                <tr key={f.label}>
                  <th scope="row">{f.label}</th>
                  <Value
                    kind={f.kind}
                    value={f.source}
                    currency={f.currency}
                    differs={f.differs}
                    side={comparison.targetTitle}
                  />
                  {written ? (
                    <Value
                      kind={f.kind}
                      value={f.target}
                      currency={f.currency}
                      differs={f.differs}
                      side={comparison.sourceTitle}
                    />
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
          {comparison.lines.length > 0 ? (
            <div className="table-scroll" tabIndex={0} role="region" aria-label={`Lines of ${title}`}>
              <table className="table compare-lines">
                <caption className="visually-hidden">
                  {written
                    ? `Lines of ${title}: each column shows ${comparison.sourceTitle} then ${comparison.targetTitle}`
                    : `Lines of ${title} in ${comparison.sourceTitle}`}
                </caption>
                <thead>
                  <tr>
                    <th scope="col" rowSpan={written ? 2 : 1}>
                      Line
                    </th>
                    {comparison.lineColumns.map((c) => (
                      <th
                        scope={written ? 'colgroup' : 'col'}
                        colSpan={written ? 2 : 1}
                        key={c.id}
                        className={numeric(c.kind) ? 'num' : ''}
                      >
                        {c.label}
                      </th>
                    ))}
                  </tr>
                  {written ? (
                    <tr>
                      {comparison.lineColumns.flatMap((c) => [
                        <th scope="col" key={`${c.id}-s`} className={`side ${numeric(c.kind) ? 'num' : ''}`}>
                          {comparison.sourceTitle}
                        </th>,
                        <th scope="col" key={`${c.id}-t`} className={`side ${numeric(c.kind) ? 'num' : ''}`}>
                          {comparison.targetTitle}
                        </th>,
                      ])}
                    </tr>
                  ) : null}
                </thead>
                <tbody>
                  {comparison.lines.map((line, index) => {
                    const onlyOneSide = written && (line.source === null || line.target === null);
                    return (
                      <tr key={line.key} className={onlyOneSide ? 'one-side' : undefined}>
                        <th scope="row" className="num">
                          {index + 1}
                          {onlyOneSide ? (
                            <span className="hint">
                              {' '}
                              {line.source === null
                                ? `only in ${comparison.targetTitle}`
                                : `only in ${comparison.sourceTitle}`}
                            </span>
                          ) : null}
                        </th>
                        {comparison.lineColumns.flatMap((c) => {
                          const differs = written && line.differs.includes(c.id) && c.compared;
                          const source = (
                            <Value
                              key={`${c.id}-s`}
                              kind={c.kind}
                              value={line.source?.[c.id] ?? null}
                              currency={comparison.currency}
                              differs={differs}
                              side={comparison.targetTitle}
                            />
                          );
                          if (!written) return [source];
                          return [
                            source,
                            <Value
                              key={`${c.id}-t`}
                              kind={c.kind}
                              value={line.target?.[c.id] ?? null}
                              currency={comparison.currency}
                              differs={differs}
                              side={comparison.sourceTitle}
                            />,
                          ];
                        })}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      )}
      {present.length > 0 ? (
        <details className="technical">
          <summary>Technical details</summary>
          {present.map((t) => (
            <section key={t.label} aria-label={t.label}>
              <h4 className="small-heading">{t.label}</h4>
              <pre tabIndex={0}>{formatJson(t.value)}</pre>
            </section>
          ))}
        </details>
      ) : null}
    </div>
  );
}
