import { Decimal } from '../../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder } from '../../../src-shared/domain/records';
import type { CoupaSupplier } from '../../../src-main/connectors/coupa';
import { DEFAULT_POLICY, type CoupaView, type CreditNoteOriginal, type F5Mappings } from '../../../src-main/engine/flows/exact-coupa/model';
import { invoiceLabel, planInvoice, planPurchaseOrder, purchaseOrderLabel } from '../../../src-main/engine/flows/exact-coupa/plan';
import { exactPurchaseStreams } from '../connectors/exact-reads';
import type { FlowFuzzSpec, Verdict } from '../fuzz-kit';

/**
 * F5 (Exact Online → Coupa) in the fuzz suite: Exact's purchase orders and purchase entries as
 * generated, malformed pages, read by the Exact connector's mappers (shared with F1) and planned
 * by F5's planner against a fake Coupa view (suppliers 25 and 1001 active with one remit-to;
 * 77 not in Coupa; no purchase orders in Coupa, so an entry for an order parks).
 */


const F5_MAPPINGS: F5Mappings = {
  version: 1,
  policy: DEFAULT_POLICY,
  accounts: new Map([
    ['4000|CC1', { glAccount: '4000', costCenter: 'CC1' }],
    ['4100|CC1', { glAccount: '4100', costCenter: 'CC1' }],
    ['4000|CC2', { glAccount: '4000', costCenter: 'CC2' }],
    ['4100|', { glAccount: '4100', costCenter: null }],
  ]),
  supplierLinks: new Map(),
  remitTos: new Map(),
  creditNotes: new Map(),
};

const supplier = (number: string, name: string): CoupaSupplier => ({
  id: `c-${number}`,
  number,
  name,
  displayName: null,
  status: 'active',
  poEmail: null,
  taxId: null,
  paymentTermCode: null,
  primaryContact: null,
  remitTos: [{ id: `r-${number}`, code: `RT-${number}`, name: null, active: true }],
  updatedAt: null,
});
const SUPPLIERS = [supplier('25', 'Bouwmaterialen Koster B.V.'), supplier('1001', 'Kraanverhuur De Vries')];

const COUPA: CoupaView = {
  supplierByNumber: (n) => SUPPLIERS.find((s) => s.number === n) ?? null,
  supplierByName: (name) => SUPPLIERS.find((s) => s.name.toLowerCase() === name.toLowerCase()) ?? null,
  purchaseOrder: () => null,
  invoice: () => null,
  addressCodes: () => new Set(['HQ', 'P100']),
};

/** Every credit note's original is known (mapping row), so credit notes plan too. */
const ORIGINALS = { get: (): CreditNoteOriginal => ({ ok: true, invoiceNumber: 'F2024-001', invoiceDate: '2024-01-15', via: 'mapping' }) } as unknown as ReadonlyMap<string, CreditNoteOriginal>;
const NOTHING_SENT: ReadonlyMap<string, unknown> = new Map();

function planF5(record: PurchaseOrder | PurchaseInvoice, verdict: Verdict): void {
  if (record.kind === 'purchase-order') {
    const label = purchaseOrderLabel(record);
    const result = planPurchaseOrder(record, F5_MAPPINGS, COUPA, NOTHING_SENT);
    if (!result.ok) return verdict.planParked(record.sourceId, label, result.issues as never, record);
    for (const w of result.writes) {
      if (w.containerId === 'cancelled') continue;
      for (const line of record.lines) {
        const planned = w.lines.find((l) => l.originId === String(line.lineNumber));
        if (!planned) verdict.violations.push(`${label}: line ${line.lineNumber} was not planned`);
        else verdict.sameMoney(`${label} line ${line.lineNumber}`, line.amount, planned.amount);
      }
      verdict.sameMoney(`${label} total`, Decimal.sum(record.lines.map((l) => Decimal.parse(l.amount))), w.total);
    }
    return verdict.synced1(record.sourceId);
  }
  const label = invoiceLabel(record);
  const result = planInvoice(record, F5_MAPPINGS, COUPA, ORIGINALS, NOTHING_SENT);
  if (!result.ok) return verdict.planParked(record.sourceId, label, result.issues as never, record);
  // A credit note booked with positive amounts is sent negative (Coupa's sign), to the cent the same.
  const net = Decimal.sum(record.lines.map((l) => Decimal.parse(l.amount)));
  const turned = record.documentType === 'credit-note' && !net.isNegative() && !net.isZero();
  const signed = (text: string): Decimal => (turned ? Decimal.parse(text).negate() : Decimal.parse(text));
  for (const w of result.writes) {
    for (const line of record.lines) {
      const planned = w.lines.find((l) => l.originId === String(line.lineNumber));
      if (!planned) verdict.violations.push(`${label}: line ${line.lineNumber} was not planned`);
      else verdict.sameMoney(`${label} line ${line.lineNumber}`, signed(line.amount), planned.amount);
    }
    verdict.sameMoney(`${label} net`, turned ? net.negate() : net, w.net);
    verdict.sameMoney(`${label} VAT`, Decimal.sum(record.lines.map((l) => signed(l.vatAmount))), w.tax);
  }
  verdict.synced1(record.sourceId);
}

export const F5_FUZZ: FlowFuzzSpec = {
  flow: 'exact-coupa',
  streams: exactPurchaseStreams({ orders: 'Coupa external POs', entries: 'Coupa invoices and credit notes' }, planF5),
};
