import fc from 'fast-check';
import type { PurchaseInvoice, PurchaseOrder } from '../../../src-shared/domain/records';
import { EXACT_COST_CENTERS, EXACT_GL } from './exact';
import { decimalText, hostileText, unknownCurrency } from './hostile';

/**
 * Source-neutral records as a planner receives them (from a snapshot, a replay, or a connector
 * that let something through): amounts with 0–6 decimals, zero and negative quantities, hostile
 * texts and unknown currencies. What the planner must do with them: plan them carrying the money
 * exactly, or park them with a reason — never round silently.
 */

const isoDate = fc.integer({ min: 946_684_800_000, max: 1_893_456_000_000 }).map((ms) => new Date(ms).toISOString().slice(0, 10));
const code = <T extends string>(values: readonly T[]) => fc.option(fc.constantFrom(...values), { freq: 6 });
const supplier = fc.constantFrom({ sourceId: 'sup-1', code: '25', name: 'Bouwmaterialen Koster B.V.' }, { sourceId: 'sup-2', code: '1001', name: 'Kraanverhuur De Vries' }, { sourceId: 'sup-3', code: '77', name: 'شركة البناء' });
const amount = fc.oneof({ weight: 3, arbitrary: decimalText({ decimals: fc.constantFrom(0, 1, 2), negative: true }) }, { weight: 2, arbitrary: decimalText({ negative: true }) });
const currency = fc.oneof({ weight: 5, arbitrary: fc.constant('EUR') }, { weight: 1, arbitrary: unknownCurrency });
const text = fc.oneof(fc.constant('Beton C30/37'), hostileText);

export const domainPurchaseOrder: fc.Arbitrary<PurchaseOrder> = fc
  .record({
    sourceId: fc.uuid(),
    number: fc.integer({ min: 1, max: 99_999_999 }).map(String),
    supplier,
    orderDate: isoDate,
    description: text,
    currency,
    status: fc.constantFrom('open', 'partial', 'complete', 'cancelled'),
    lines: fc.array(
      fc.record({
        sourceLineId: fc.uuid(),
        itemCode: fc.option(fc.constant('BETON')),
        glAccountCode: code(EXACT_GL),
        costCenterCode: code(EXACT_COST_CENTERS),
        costUnitCode: fc.constant(null),
        projectCode: code(['P100', 'P200'] as const),
        description: text,
        quantity: fc.oneof(decimalText({ negative: true }), fc.constantFrom('0', '-1', '0.000001')),
        unitPrice: decimalText(),
        unit: fc.option(fc.constant('m3')),
        amount,
        vatAmount: decimalText({ decimals: fc.constantFrom(0, 2) }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    sourceVersion: fc.integer({ min: 1 }).map(String),
    receiptDate: fc.option(isoDate),
  })
  .map((po) => ({ kind: 'purchase-order' as const, ...po, lines: po.lines.map((l, i) => ({ ...l, lineNumber: i + 1 })) }));

export const domainPurchaseInvoice: fc.Arbitrary<PurchaseInvoice> = fc
  .record({
    sourceId: fc.uuid(),
    entryNumber: fc.integer({ min: 1, max: 99_999_999 }).map(String),
    invoiceNumber: fc.oneof(fc.constant('INV-2024-001'), hostileText.filter((t) => t.trim() !== '')),
    supplier,
    invoiceDate: isoDate,
    dueDate: fc.option(isoDate),
    description: text,
    currency,
    documentType: fc.constantFrom('invoice', 'credit-note'),
    purchaseOrderNumber: fc.constant(null),
    lines: fc.array(
      fc.record({
        sourceLineId: fc.uuid(),
        glAccountCode: code(EXACT_GL),
        costCenterCode: code(EXACT_COST_CENTERS),
        costUnitCode: fc.constant(null),
        projectCode: code(['P100', 'P200'] as const),
        description: text,
        amount,
        vatAmount: decimalText({ decimals: fc.constantFrom(0, 2) }),
        quantity: fc.option(fc.oneof(decimalText({ negative: true }), fc.constant('0'))),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    sourceVersion: isoDate.map((d) => `${d}T00:00:00.000Z`),
  })
  .map((inv) => ({ kind: 'purchase-invoice' as const, ...inv, lines: inv.lines.map((l, i) => ({ ...l, lineNumber: i + 1 })) }));
