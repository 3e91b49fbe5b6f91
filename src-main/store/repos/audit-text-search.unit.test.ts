import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput, AuditFilter } from '../../../src-shared/domain/audit';
import { openTempStore } from '../../../test/store/temp-store';
import type { Store } from '../db';

/**
 * The audit text filter answers the same whether an entry is in the trigram index or in the
 * unindexed tail searched with LIKE: every query below is compared with a plain JavaScript
 * reference (ASCII case folded, as LIKE does) with none, part and all of the log indexed.
 */

let temp: ReturnType<typeof openTempStore>;
let store: Store;
beforeEach(() => {
  temp = openTempStore();
  store = temp.store;
});
afterEach(() => temp.cleanup());

const MESSAGES = [
  'Commitment for PO 26-0012 written',
  'GL 4400 / cost center KST-12 has no cost code mapping',
  'Procore refused the commitment: the project is CLOSED',
  'Café Müller: supplier SUP-0042 has no vendor',
  'Rate 100_% applied; path C:\\exports\\po "quoted"',
  'ÉTÉ invoice, straße 5',
];

function entry(i: number): AuditEntryInput {
  return {
    flow: i % 4 === 0 ? 'F2' : 'F1',
    runId: `run-${Math.floor(i / 50)}`,
    entity: i % 3 === 0 ? 'direct-cost' : 'commitment',
    sourceId: i % 11 === 0 ? null : `PO-${String(i).padStart(5, '0')}`,
    step: i % 7 === 0 ? 'failed' : 'written',
    status: i % 7 === 0 ? 'failed' : 'ok',
    mappingVersion: 1,
    targetSystem: 'procore',
    targetId: i % 5 === 0 ? null : String(880_000 + i),
    amount: '1.00',
    currency: 'EUR',
    sourceSnapshot: null,
    targetPayload: null,
    result: null,
    message: MESSAGES[i % MESSAGES.length]!,
    // Every 13th entry names its record (migration 0007): its label's words are searched too.
    ...(i % 13 === 0
      ? {
          label: { documentType: 'Purchase order', shortType: 'PO', number: `7${i}`, counterparty: 'Bouwmaterialen Groothandel Koster B.V.', counterpartyCode: '40030', project: 'P26-001 Kantoorpand Zuidas', date: null, amount: '1.00', currency: 'EUR' },
          targetLabel: { system: 'Procore', documentType: 'Commitment', number: `7${i}`, id: `56294995${i}`, counterparty: null, project: null, amount: '1.00', currency: 'EUR' },
        }
      : {}),
  };
}

/** The label's words as the generated column label_text joins them. */
function labelText(e: AuditEntryInput): string {
  if (!e.label) return '';
  return [`${e.label.shortType} ${e.label.number}`, e.label.counterparty, e.label.counterpartyCode, e.label.project, e.targetLabel?.number, e.targetLabel?.id].join(' ');
}

const ROWS = 600;
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The reference: newest first, every filter applied in JavaScript. */
function expected(filter: AuditFilter): number[] {
  const term = asciiLower(filter.text!.trim());
  const seqs: number[] = [];
  for (let i = ROWS; i >= 1; i -= 1) {
    const e = entry(i);
    if (filter.flow && e.flow !== filter.flow) continue;
    if (filter.status && e.status !== filter.status) continue;
    if (filter.entity && e.entity !== filter.entity) continue;
    const fields = [e.sourceId ?? '', e.targetId ?? '', e.message, labelText(e)].map(asciiLower);
    if (fields.some((f) => f.includes(term))) seqs.push(i);
  }
  return seqs;
}

/** Every match through the UI's paging: newest pages of `limit`, following beforeSeq. */
function pagedNewestFirst(filter: AuditFilter, limit: number): number[] {
  const seqs: number[] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = store.audit.query(filter, { limit, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
    seqs.push(...page.entries.map((e) => e.seq));
    if (!page.hasMore) return seqs;
    beforeSeq = page.entries.at(-1)!.seq;
  }
}

const FILTERS: AuditFilter[] = [
  { text: 'po-0001' }, // rare, in source ids
  { text: 'PO-00600' }, // the newest entry only
  { text: '88030' }, // target ids
  { text: 'kst-12 HAS' }, // ASCII case folded
  { text: 'closed' },
  { text: 'café müller' }, // non-ASCII letters compared as they are (LIKE folds ASCII only)
  { text: 'CAFÉ' },
  { text: 'été' }, // does not match 'ÉTÉ': non-ASCII case is not folded by LIKE, nor here
  { text: '100_%' }, // LIKE wildcards taken literally
  { text: 'C:\\exports' },
  { text: '"quoted"' }, // quotes are not FTS syntax
  { text: 'has no' },
  { text: '  written  ' }, // trimmed
  { text: 'nowhere at all' },
  { text: 'PO' }, // too short for trigrams: LIKE everywhere
  { text: 'has no', status: 'failed' },
  { text: 'PO-00', flow: 'F2', entity: 'direct-cost' },
  { text: 'written', flow: 'F1' },
  { text: 'koster' }, // a supplier's name, only in labels
  { text: 'PO 7390' }, // a document number as finance writes it
  { text: 'kantoorpand', status: 'failed' },
  { text: '56294995390' }, // a target document's id
];

function assertAllFiltersMatchTheReference(): void {
  for (const filter of FILTERS) {
    const want = expected(filter);
    if (/koster|PO 7390|kantoorpand|56294995390/.test(filter.text!)) expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0);
    const label = JSON.stringify(filter);
    expect(pagedNewestFirst(filter, 7), label).toEqual(want);
    expect(store.audit.count(filter), label).toBe(want.length);
    expect([...store.audit.iterate(filter, 5)].map((e) => e.seq), label).toEqual([...want].reverse());
    // A newer page (afterSeq) is the one nearest the bound, returned newest first.
    if (want.length > 3) {
      const bound = want.at(-1)!;
      const newer = store.audit.query(filter, { afterSeq: bound, limit: 2 });
      expect(newer.entries.map((e) => e.seq), label).toEqual(want.slice(-3, -1));
    }
  }
}

describe('audit text filter with the trigram index', () => {
  beforeEach(() => {
    store.audit.appendMany(Array.from({ length: ROWS }, (_, k) => entry(k + 1)));
  });

  it('starts empty and is filled in batches up to the newest entry', () => {
    expect(store.audit.textIndexProgress()).toEqual({ indexedThrough: 0, behind: ROWS });
    expect(store.audit.indexTextBatch(250)).toBe(250);
    expect(store.audit.textIndexProgress()).toEqual({ indexedThrough: 250, behind: ROWS - 250 });
    expect(store.audit.indexTextBatch(1000)).toBe(ROWS - 250);
    expect(store.audit.indexTextBatch(1000)).toBe(0);
    expect(store.audit.textIndexProgress()).toEqual({ indexedThrough: ROWS, behind: 0 });
    store.audit.appendMany([entry(ROWS + 1)]);
    expect(store.audit.textIndexProgress().behind).toBe(1);
    expect(() => store.audit.indexTextBatch(0)).toThrow(/positive integer/);
  });

  it('finds the same entries with nothing, part or all of the log indexed', () => {
    assertAllFiltersMatchTheReference();
    store.audit.indexTextBatch(317);
    assertAllFiltersMatchTheReference();
    while (store.audit.indexTextBatch(100) > 0);
    assertAllFiltersMatchTheReference();
  });

  it('answers an indexed term from the index, and a short term or a common term with other filters by LIKE', () => {
    while (store.audit.indexTextBatch(1000) > 0);
    const plan = (filter: AuditFilter) => store.audit.queryPlan(filter, { limit: 50 }).join(' | ');
    expect(plan({ text: 'PO-0001' })).toMatch(/VIRTUAL TABLE/);
    expect(plan({ text: 'PO-0001' })).not.toMatch(/SCAN audit_log/);
    expect(plan({ text: 'PO' })).not.toMatch(/VIRTUAL TABLE/);
    expect(plan({ text: 'PO-0001', status: 'failed' })).toMatch(/VIRTUAL TABLE/);
  });

  it('keeps the index out of the audit chain: verification ignores it', () => {
    while (store.audit.indexTextBatch(1000) > 0);
    expect(store.audit.verifyAuditChain()).toEqual({ ok: true, checked: ROWS });
  });
});
