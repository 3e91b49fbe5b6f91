import { parse } from 'csv-parse/sync';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput, AuditFilter } from '../../src-shared/domain/audit';
import { openTempStore } from '../../test/store/temp-store';
import { exportAuditCsv, neutraliseCell } from './audit-csv';
import type { Store } from './db';

let temp: ReturnType<typeof openTempStore>;
let store: Store;
beforeEach(() => {
  temp = openTempStore();
  store = temp.store;
});
afterEach(() => temp.cleanup());

function entry(overrides: Partial<AuditEntryInput>): AuditEntryInput {
  return {
    flow: 'F1',
    runId: 'run-1',
    entity: 'purchase-order',
    sourceId: 'PO-1',
    step: 'written',
    status: 'ok',
    mappingVersion: 4,
    targetSystem: 'procore',
    targetId: '77',
    amount: '100.00',
    currency: 'EUR',
    sourceSnapshot: { id: 'PO-1', lines: [{ amount: '100.00' }] },
    targetPayload: null,
    result: { id: 77 },
    message: 'Commitment created',
    ...overrides,
  };
}

async function exportToFile(
  filter: AuditFilter,
): Promise<{ bytes: Buffer; rows: Record<string, string>[]; written: number }> {
  const file = path.join(temp.dataDir, 'audit.csv');
  const { rows: written } = await exportAuditCsv(store, filter, fs.createWriteStream(file));
  const bytes = fs.readFileSync(file);
  const rows = parse(bytes, { bom: true, columns: true }) as Record<string, string>[];
  return { bytes, rows, written };
}

describe('exportAuditCsv', () => {
  beforeEach(() => {
    store.audit.appendMany([
      entry({ sourceId: '=HYPERLINK("http://evil.example","x")', message: '+1+1' }),
      entry({ sourceId: 'PO-2', amount: '-12.50', message: '-2+3', targetId: '@SUM(A1:A9)' }),
      entry({ sourceId: 'PO-3', message: '\tcmd', result: -5 }),
      entry({ sourceId: 'PO-4', message: '\rcmd', amount: null, currency: null, mappingVersion: null }),
      entry({ sourceId: 'PO-5', message: 'Kostenplaats “café” — 日本 € ok, with "quotes"\nand a new line' }),
      entry({ sourceId: 'PO-6', flow: 'F2' }),
    ]);
  });

  it('starts with a UTF-8 BOM and has one row per matching entry', async () => {
    const { bytes, rows, written } = await exportToFile({ flow: 'F1' });
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(rows).toHaveLength(store.audit.count({ flow: 'F1' }));
    expect(written).toBe(5);
    expect(rows.map((r) => r['seq'])).toEqual(['1', '2', '3', '4', '5']);
  });

  it('names each record as finance does: document, counterparty, project, date, amount and the target document', async () => {
    store.audit.append(
      entry({
        sourceId: 'a6d34bd3-4d45-454d-a129-39b9f5b9bf58',
        targetId: '562949953421312',
        amount: '39854.50',
        label: { documentType: 'Purchase order', shortType: 'PO', number: '20011', counterparty: '=Koster B.V.', counterpartyCode: '40030', project: 'P26-001 Kantoorpand Zuidas', date: '2026-06-12', amount: '39854.50', currency: 'EUR' },
        targetLabel: { system: 'Procore', documentType: 'Commitment', number: '20011', id: '562949953421312', counterparty: null, project: null, amount: '39854.50', currency: 'EUR' },
      }),
    );
    const { rows } = await exportToFile({ text: 'a6d34bd3' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      document_type: 'Purchase order',
      document_number: '20011',
      counterparty: "'=Koster B.V.", // still Excel-safe
      counterparty_code: '40030',
      project: 'P26-001 Kantoorpand Zuidas',
      document_date: '2026-06-12',
      document_amount: '39854.50',
      document_currency: 'EUR',
      target_document: 'Procore commitment',
      target_document_number: '20011',
      target_document_id: '562949953421312',
    });
    // Entries without a label leave the columns empty; a caller can name them from their snapshots.
    const file = path.join(temp.dataDir, 'named.csv');
    await exportAuditCsv(store, { text: 'PO-2' }, fs.createWriteStream(file), () => ({ documentType: 'Purchase order', shortType: 'PO', number: 'from snapshot', counterparty: null, counterpartyCode: null, project: null, date: null, amount: null, currency: null }));
    const named = parse(fs.readFileSync(file), { bom: true, columns: true }) as Record<string, string>[];
    expect(named.map((r) => [r['document_number'], r['target_document']])).toEqual([['from snapshot', '']]);
  });

  it('neutralises formula injection in every text column', async () => {
    const { rows } = await exportToFile({});
    expect(rows[0]!['source_id']).toBe('\'=HYPERLINK("http://evil.example","x")');
    expect(rows[0]!['message']).toBe("'+1+1");
    expect(rows[1]!['message']).toBe("'-2+3");
    expect(rows[1]!['target_id']).toBe("'@SUM(A1:A9)");
    expect(rows[2]!['message']).toBe("'\tcmd");
    expect(rows[2]!['result']).toBe("'-5");
    expect(rows[3]!['message']).toBe("'\rcmd");
  });

  it('keeps amounts exact, negative amounts as plain numbers, times in ISO 8601 and JSON compact', async () => {
    const { rows } = await exportToFile({});
    expect(rows[1]!['amount']).toBe('-12.50');
    expect(rows[0]!['amount']).toBe('100.00');
    expect(rows[3]!['amount']).toBe('');
    expect(rows[3]!['mapping_version']).toBe('');
    expect(rows[0]!['at']).toBe('2026-03-01T08:00:00.000Z');
    expect(rows[0]!['source_snapshot']).toBe('{"id":"PO-1","lines":[{"amount":"100.00"}]}');
    expect(rows[0]!['target_payload']).toBe('');
    expect(rows[0]!['hash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps non-ASCII text, quotes and line breaks intact', async () => {
    const { rows } = await exportToFile({ text: 'PO-5' });
    expect(rows).toHaveLength(1);
    expect(rows[0]!['message']).toBe('Kostenplaats “café” — 日本 € ok, with "quotes"\nand a new line');
  });

  it('writes only a header when nothing matches', async () => {
    const { rows, bytes } = await exportToFile({ flow: 'F9' });
    expect(rows).toHaveLength(0);
    expect(bytes.toString('utf8')).toMatch(/^\uFEFFseq,at,flow,/);
  });

  it('reads entries only as fast as the destination drains (backpressure, constant memory)', async () => {
    store.audit.appendMany(Array.from({ length: 3000 }, (_, i) => entry({ sourceId: `BULK-${i}` })));
    let pulled = 0;
    const counting = {
      audit: {
        *iterate(filter: AuditFilter) {
          for (const e of store.audit.iterate(filter)) {
            pulled += 1;
            yield e;
          }
        },
      },
    };
    let held: (() => void) | undefined;
    let released = false;
    let bytes = 0;
    const stalled = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (released) callback();
        else held = callback; // the first chunk is not acknowledged until released below
      },
    });
    const done = exportAuditCsv(counting, {}, stalled);
    for (let i = 0; i < 50; i += 1) await new Promise((resolve) => setImmediate(resolve));
    const pulledWhileStalled = pulled;
    expect(pulledWhileStalled).toBeGreaterThan(0);
    expect(pulledWhileStalled).toBeLessThan(200);

    // Release the destination: everything flows.
    released = true;
    held?.();
    const result = await done;
    expect(result.rows).toBe(3006);
    expect(pulled).toBe(3006);
    expect(bytes).toBeGreaterThan(3006 * 100);
  });
});

describe('neutraliseCell', () => {
  it('leaves plain numbers alone only in numeric columns', () => {
    expect(neutraliseCell('-12.50', 'amount')).toBe('-12.50');
    expect(neutraliseCell('-12.50', 'message')).toBe("'-12.50");
    expect(neutraliseCell('-1+2', 'amount')).toBe("'-1+2");
    expect(neutraliseCell('Commitment', 'message')).toBe('Commitment');
  });
});
