import fc from 'fast-check';
import { anyWireDate, centsText, corruptRows, decimalText, extremeNumber, hostileText, wrongType, type Json } from './hostile';

/**
 * Procore wire rows as its REST API sends them (F3, F2): commitments (purchase order / work order
 * contracts) with their lines, subcontractor invoices (requisitions) with their G703 items, and
 * direct costs with their lines; valid first, then corrupted. Money is a decimal string.
 */

export const PROCORE_PROJECT = '77';
/** Vendors: 501 and 502 are mapped (502 inactive in the ERP), 503 is not. */
export const PROCORE_VENDORS = [
  { id: 501, name: 'Meijer Piling' },
  { id: 502, name: 'Staalbouw Oost' },
  { id: 503, name: 'شركة البناء' },
] as const;
/** Cost codes: 01-100 and 03-300 are mapped, 99-999 is not. */
export const PROCORE_COST_CODES = [
  { id: 11, full_code: '01-100', name: 'Funderingen' },
  { id: 13, full_code: '03-300', name: 'Beton' },
  { id: 19, full_code: '99-999', name: 'Diversen' },
] as const;

const isoInstant = fc.integer({ min: 946_684_800_000, max: 1_893_456_000_000 }).map((ms) => new Date(ms).toISOString());
const isoDay = isoInstant.map((i) => i.slice(0, 10));
/** Money as Procore sends it: a string with 0–2 decimals mostly, sometimes more (must park, never round). */
const moneyText = fc.oneof({ weight: 5, arbitrary: centsText(true) }, { weight: 1, arbitrary: decimalText({ negative: true }) });
const fieldValues = fc.oneof(wrongType, anyWireDate, extremeNumber, fc.constantFrom('', '12.345', '1e3', '-0', '1,000.00', 'NaN'), hostileText);

const codedLine = fc.record({
  id: fc.integer({ min: 1, max: 1e9 }),
  description: fc.oneof(fc.constant('Heipalen'), hostileText),
  amount: moneyText,
  code: fc.constantFrom(...PROCORE_COST_CODES),
  type: fc.constantFrom({ id: 1, code: 'S' }, { id: 2, code: 'M' }),
});

export const LINE_FIELDS = ['id', 'description', 'amount', 'cost_code', 'line_item_type', 'line_item_type_id', 'cost_code_id', 'quantity', 'unit_cost'] as const;
export const COMMITMENT_FIELDS = ['id', 'number', 'title', 'status', 'executed', 'contract_date', 'retainage_percent', 'vendor', 'grand_total', 'revised_contract', 'approved_change_orders', 'updated_at', 'origin_id'] as const;

export interface ProcoreCommitmentWire {
  row: Json;
  lines: Json[];
}

/** Corrupts one field of the first line of a few documents. */
function spoilLines<T extends { lines: Json[] }>(docs: T[], fields: readonly string[], max: number): fc.Arbitrary<T[]> {
  return fc.array(fc.record({ doc: fc.nat({ max: docs.length - 1 }), field: fc.constantFrom(...fields), value: fc.oneof(wrongType, extremeNumber, moneyText, fc.constantFrom('12.345', '')) }), { maxLength: max }).map((edits) => {
    const copy = docs.map((d) => ({ ...d, lines: d.lines.map((l) => ({ ...l })) }));
    for (const e of edits) {
      const line = copy[e.doc]!.lines[0];
      if (!line) continue;
      if (typeof e.value === 'symbol') delete line[e.field];
      else line[e.field] = e.value;
    }
    return copy;
  });
}

/** A page of commitments (1–5), each with 1–3 lines whose amounts add up to its grand total; some spoiled. */
export const procoreCommitmentPage = fc
  .array(
    fc.record({
      id: fc.integer({ min: 1, max: 1e9 }),
      number: fc.oneof(fc.integer({ min: 1, max: 999 }).map((n) => `SC-${n}`), hostileText.filter((t) => t.trim() !== '')),
      title: fc.oneof(fc.constant('Piling'), hostileText),
      status: fc.constantFrom('Approved', 'Approved', 'Draft', 'Void', 'Complete'),
      executed: fc.boolean(),
      date: isoDay,
      vendor: fc.constantFrom(...PROCORE_VENDORS),
      updated: isoInstant,
      lines: fc.array(codedLine, { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((cs) =>
    cs.map((c): ProcoreCommitmentWire => {
      const lines = c.lines.map((l) => ({ id: l.id, description: l.description, amount: l.amount, cost_code_id: l.code.id, cost_code: { ...l.code }, line_item_type_id: l.type.id, line_item_type: { ...l.type } }));
      const total = lines.reduce((t, l) => t + Math.round(Number(l.amount) * 100), 0);
      const exact = lines.every((l) => /^-?\d+(\.\d{1,2})?$/.test(l.amount));
      const grand = exact ? `${total < 0 ? '-' : ''}${Math.floor(Math.abs(total) / 100)}.${String(Math.abs(total) % 100).padStart(2, '0')}` : lines[0]!.amount;
      return {
        row: { id: c.id, number: c.number, title: c.title, status: c.status, executed: c.executed, contract_date: c.date, vendor: { ...c.vendor }, grand_total: grand, revised_contract: grand, approved_change_orders: '0.00', pending_change_orders: '0.00', total_payments: '0.00', updated_at: c.updated },
        lines,
      };
    }),
  )
  .chain((docs) =>
    fc.tuple(corruptRows(docs.map((d) => d.row), COMMITMENT_FIELDS, fieldValues, 2), spoilLines(docs, LINE_FIELDS, 2)).map(([{ rows }, spoiled]) => spoiled.map((d, i) => ({ row: rows[i]!, lines: d.lines }))),
  );

export const REQUISITION_FIELDS = ['id', 'commitment_id', 'number', 'invoice_number', 'status', 'billing_date', 'period_end', 'total_claimed_amount', 'vendor_name', 'updated_at', 'final'] as const;
export const ITEM_FIELDS = ['id', 'line_item_id', 'cost_code_id', 'description_of_work', 'scheduled_value', 'work_completed_this_period', 'materials_presently_stored', 'work_completed_retainage_retained_this_period', 'work_completed_retainage_released_this_period'] as const;

export interface ProcoreRequisitionWire {
  row: Json;
  lines: Json[];
  /** The commitment it bills (number, vendor): what the read learns from the project's commitments. */
  commitment: { id: number; number: string; vendor: { id: number; name: string } };
}

/** A page of pay applications (1–4), each with 1–3 contract items adding up to its total claimed; some spoiled. */
export const procoreRequisitionPage = fc
  .array(
    fc.record({
      id: fc.integer({ min: 1, max: 1e9 }),
      commitmentId: fc.integer({ min: 1, max: 1e9 }),
      commitmentNumber: fc.integer({ min: 1, max: 999 }).map((n) => `SC-${n}`),
      number: fc.integer({ min: 1, max: 40 }),
      invoice: fc.option(fc.oneof(fc.constant('F-2026-001'), hostileText)),
      vendor: fc.constantFrom(...PROCORE_VENDORS),
      billing: isoDay,
      updated: isoInstant,
      items: fc.array(
        fc.record({ id: fc.integer({ min: 1, max: 1e9 }), code: fc.constantFrom(...PROCORE_COST_CODES), work: moneyText, stored: fc.option(centsText()), retained: fc.option(centsText()), released: fc.option(centsText()) }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((rs) =>
    rs.map((r): ProcoreRequisitionWire => {
      const lines = r.items.map((it) => ({
        id: it.id,
        line_item_id: it.id + 1,
        cost_code_id: it.code.id,
        description_of_work: 'Heipalen',
        scheduled_value: '100000.00',
        work_completed_this_period: it.work,
        materials_presently_stored: it.stored,
        work_completed_retainage_retained_this_period: it.retained,
        work_completed_retainage_released_this_period: it.released,
      }));
      return {
        row: { id: r.id, commitment_id: r.commitmentId, commitment_type: 'WorkOrderContract', number: r.number, invoice_number: r.invoice, status: 'approved', billing_date: r.billing, requisition_end: r.billing, vendor_name: r.vendor.name, updated_at: r.updated },
        lines,
        commitment: { id: r.commitmentId, number: r.commitmentNumber, vendor: { ...r.vendor } },
      };
    }),
  )
  .chain((docs) =>
    fc.tuple(corruptRows(docs.map((d) => d.row), REQUISITION_FIELDS, fieldValues, 2), spoilLines(docs, ITEM_FIELDS, 2)).map(([{ rows }, spoiled]) => spoiled.map((d, i) => ({ ...d, row: rows[i]!, lines: d.lines }))),
  );
