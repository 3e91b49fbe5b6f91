import { describe, expect, it } from 'vitest';
import { explain, reconcile, type ReconInput } from './reconcile';

const record = (over: Partial<ReconInput>): ReconInput => ({
  sourceId: 'po-1',
  documentType: 'Purchase order',
  documentNumber: '20010',
  counterparty: 'Koster B.V.',
  project: 'Zuidas',
  currency: 'EUR',
  targetKey: 'po-1',
  expected: '100.00',
  actual: '100.00',
  confirmed: '100.00',
  parkedReason: null,
  deletedAtSource: false,
  lineCount: 2,
  ...over,
});

describe('explain: every difference gets its cause', () => {
  it.each<[string, Partial<ReconInput>, string | null]>([
    ['equal amounts agree', {}, null],
    ['a record closed at zero after its source was deleted agrees', { expected: null, actual: '0.00', deletedAtSource: true }, null],
    ['the source was deleted and the target still holds it', { expected: null, actual: '50.00', deletedAtSource: true }, 'deleted-at-source'],
    ['the source waits in Pending validation', { actual: null, confirmed: null, parkedReason: 'GL 4990 has no mapping' }, 'parked'],
    ['never synced', { actual: null, confirmed: null }, 'not-yet-synced'],
    ['written, then deleted in the target by hand', { actual: null }, 'changed-in-target'],
    ['written, then changed in the target by hand', { actual: '120.00' }, 'changed-in-target'],
    ['changed at the source after the last sync', { expected: '130.00', actual: '100.00', confirmed: '100.00' }, 'not-yet-synced'],
    ['a cent per line apart, nothing else known', { expected: '100.02', actual: '100.00', confirmed: '99.00' }, 'rounding'],
    ['anything else', { expected: '150.00', actual: '100.00', confirmed: '99.00' }, 'unexplained'],
    ['in the target only (made there by hand), whatever it holds', { expected: null, actual: '0.00', confirmed: null, targetOnly: true }, 'target-only'],
  ])('%s', (_, over, cause) => {
    expect(explain(record(over)).cause).toBe(cause);
  });

  it('the difference is target minus source, to the cent, never through a float', () => {
    expect(explain(record({ expected: '0.30', actual: '0.10', confirmed: '0.10' })).difference).toBe('-0.20');
  });
});

describe('reconcile: totals per document, project, counterparty and flow', () => {
  it('sums each side exactly, counts differing documents and causes, lists differences first', () => {
    const report = reconcile({ flow: 'f', title: 'F', generatedAt: '2026-12-03T00:00:00Z', apiCalls: {} }, [
      record({ sourceId: 'a', documentNumber: '1', targetKey: 'a/P1', project: 'P1', expected: '0.10', actual: '0.10' }),
      record({ sourceId: 'a', documentNumber: '1', targetKey: 'a/P2', project: 'P2', expected: '0.20', actual: '0.20' }),
      record({ sourceId: 'b', documentNumber: '2', project: 'P1', counterparty: 'Other', expected: '10.00', actual: null, confirmed: null, parkedReason: 'no vendor' }),
      record({ sourceId: 'c', documentNumber: '3', project: 'P2', expected: '5.00', actual: '7.50', confirmed: '1.00' }),
    ]);
    expect(report.records.map((r) => r.documentNumber)).toEqual(['2', '3', '1', '1']);
    expect(report.totals).toEqual([
      expect.objectContaining({ expected: '15.30', actual: '7.80', difference: '-7.50', documents: 3, differing: 2, unexplained: 1, causes: { parked: 1, unexplained: 1 } }),
    ]);
    expect(report.documents.find((d) => d.key === 'a')).toMatchObject({ label: 'Purchase order 1', expected: '0.30', actual: '0.30', differing: 0 });
    expect(report.byProject.map((g) => [g.label, g.difference])).toEqual([
      ['P1', '-10.00'],
      ['P2', '2.50'],
    ]);
    expect(report.records[0]!.explanation).toBe('waits in Pending validation: no vendor');
    expect(report.unexplained).toBe(1);
  });
});

describe('reconcile: records in the target only', () => {
  it('are explained in words naming both systems when the flow names them, and counted as differing, never unexplained', () => {
    const only = record({ sourceId: 'item-9', documentType: 'monday.com item', documentNumber: 'Typed by hand on board Purchase orders (no key)', counterparty: null, project: null, expected: null, actual: '12.50', confirmed: null, targetOnly: true });
    const named = reconcile({ flow: 'f', title: 'F', generatedAt: '2026-12-03T00:00:00Z', apiCalls: {}, systems: { source: 'Exact Online', target: 'monday.com' } }, [record({}), only]);
    expect(named.records[0]).toMatchObject({ sourceId: 'item-9', cause: 'target-only', difference: '12.50', explanation: 'in monday.com only — not from Exact Online' });
    expect(named.totals[0]).toMatchObject({ expected: '100.00', actual: '112.50', differing: 1, unexplained: 0, causes: { 'target-only': 1 } });
    expect(named.unexplained).toBe(0);
    const unnamed = reconcile({ flow: 'f', title: 'F', generatedAt: '2026-12-03T00:00:00Z', apiCalls: {} }, [only]);
    expect(unnamed.records[0]!.explanation).toBe('in the target only — not from the source');
    // Without the flag the same record is what it always was (other flows are unaffected).
    const { targetOnly: _flag, ...plain } = only;
    expect(explain(plain).cause).toBe('not-yet-synced');
  });
});
