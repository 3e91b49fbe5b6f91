import { Decimal } from '../../../src-shared/domain/money';
import { billState } from './bills';
import type { Caller, IntacctCompany } from './company';
import { recordFailure } from './errors';
import type { IntacctRecord } from './objects';
import { readFields, readLines } from './records';
import { legacyDate } from './values';
import { textOf, type XmlObject } from './xml';

/**
 * AP payments (`<create><APPYMT>`, as ApPaymentCreate in the vendor SDK writes it): a payment
 * from a bank account (FINANCIALENTITY) to a vendor, applied to that vendor's bills through
 * APPYMTDETAILS/APPYMTDETAIL (RECORDKEY = bill RECORDNO, optional ENTRYKEY = bill line
 * RECORDNO, TRX_PAYMENTAMOUNT). Applying it moves each bill's TOTALPAID, TOTALDUE, WHENPAID,
 * STATE (Posted → Partially Paid → Paid) and WHENMODIFIED, so an incremental read of APBILL
 * sees the change. The sandbox posts a payment at once (STATE "Complete"); deleting it
 * reverses what it applied, and so does the legacy `reverse_appayment` (XSD: `key` attribute,
 * `datereversed`, optional `description`, as ApPaymentReverse in the vendor SDK writes it), which
 * keeps the payment with STATE "Reversed". Credits, discounts, advances and the reversing
 * entry Intacct books on the reversal date are not served.
 */
export function createPayment(company: IntacctCompany, input: XmlObject, caller: Caller): IntacctRecord {
  const table = company.table('APPYMT');
  const schema = table.schema;
  const problems: string[] = [];
  const problem = (m: string): void => {
    problems.push(m);
  };
  const f = readFields(schema, input, new Set(['APPYMTDETAILS']), problem);
  for (const required of schema.required) if (!f[required]) problem(`${required} is required.`);
  if (f.FINANCIALENTITY) {
    const bank = company.activeRecord('CHECKINGACCOUNT', 'Bank account', f.FINANCIALENTITY);
    if ('problem' in bank) problem(bank.problem);
  }
  if (f.VENDORID) {
    const vendor = company.activeRecord('VENDOR', 'Vendor', f.VENDORID);
    if ('problem' in vendor) problem(vendor.problem);
    else f.VENDORNAME = vendor.record.fields.NAME ?? '';
  }
  f.CURRENCY ||= company.settings.currency;

  const details = schema.lines ? readLines(schema.lines, input.APPYMTDETAILS, problem) : [];
  if (details.length === 0) problem('A payment needs at least one APPYMTDETAILS/APPYMTDETAIL.');
  const bills = company.table('APBILL');
  const applied = new Map<string, Decimal>();
  details.forEach((d, i) => {
    const at = `APPYMTDETAIL ${i + 1}:`;
    const amount = Decimal.parse(d.TRX_PAYMENTAMOUNT ?? '0');
    if (!d.TRX_PAYMENTAMOUNT || amount.isNegative() || amount.isZero()) problem(`${at} TRX_PAYMENTAMOUNT must be greater than 0.`);
    const bill = d.RECORDKEY ? bills.get(d.RECORDKEY) : undefined;
    if (!d.RECORDKEY) return problem(`${at} RECORDKEY (the bill's RECORDNO) is required.`);
    if (!bill || !company.visible(bills.schema, bill, caller)) return problem(`${at} no APBILL has RECORDNO ${d.RECORDKEY}.`);
    if (d.ENTRYKEY && !(bill.lines ?? []).some((l) => l.RECORDNO === d.ENTRYKEY)) problem(`${at} ENTRYKEY ${d.ENTRYKEY} is not a line of bill ${d.RECORDKEY}.`);
    if (f.VENDORID && bill.fields.VENDORID !== f.VENDORID) problem(`${at} bill ${d.RECORDKEY} belongs to vendor ${bill.fields.VENDORID ?? ''}, not ${f.VENDORID}.`);
    if (bill.fields.CURRENCY && bill.fields.CURRENCY !== f.CURRENCY) problem(`${at} bill ${d.RECORDKEY} is in ${bill.fields.CURRENCY}, the payment in ${f.CURRENCY ?? ''}.`);
    if (bill.fields.STATE === 'Draft') problem(`${at} bill ${d.RECORDKEY} is a draft; submit it before paying it.`);
    const total = (applied.get(d.RECORDKEY) ?? Decimal.ZERO).plus(amount);
    applied.set(d.RECORDKEY, total);
    const due = Decimal.parse(bill.fields.TOTALDUE || '0');
    if (total.compare(due) > 0) problem(`${at} paying ${total.toMoneyString()} on bill ${d.RECORDKEY} exceeds its amount due ${due.toMoneyString()}.`);
  });
  if (problems.length > 0) throw recordFailure(problems, 'Invalid payment', 'Could not create APPYMT record!');

  const total = Decimal.sum(details.map((d) => Decimal.parse(d.TRX_PAYMENTAMOUNT ?? '0'))).toMoneyString();
  const stamp = company.stamp();
  const payment: IntacctRecord = {
    fields: {
      ...f,
      RECORDNO: table.nextRecordNo(),
      BASECURR: company.settings.currency,
      TOTALENTERED: total,
      TRX_TOTALENTERED: total,
      WHENPAID: f.PAYMENTDATE ?? '',
      STATE: 'Complete',
      ...company.entityFields(caller),
      WHENCREATED: stamp,
      WHENMODIFIED: stamp,
    },
    lines: details,
  };
  table.put(payment);
  const detailTable = company.table('APPYMTDETAIL');
  for (const d of details) {
    detailTable.put({
      fields: {
        RECORDNO: detailTable.nextRecordNo(),
        PAYMENTKEY: payment.fields.RECORDNO ?? '',
        RECORDKEY: d.RECORDKEY ?? '',
        ENTRYKEY: d.ENTRYKEY ?? '',
        TRX_PAYMENTAMOUNT: d.TRX_PAYMENTAMOUNT ?? '',
        PAYMENTAMOUNT: d.TRX_PAYMENTAMOUNT ?? '',
        PAYMENTDATE: f.PAYMENTDATE ?? '',
        MEGAENTITYID: payment.fields.MEGAENTITYID ?? '',
        MEGAENTITYNAME: payment.fields.MEGAENTITYNAME ?? '',
        WHENCREATED: stamp,
        WHENMODIFIED: stamp,
      },
    });
  }
  for (const [recordKey, amount] of applied) applyToBill(company, recordKey, amount);
  return payment;
}

/** Generic delete of a payment: its amounts come off the bills again. */
export function deletePayment(company: IntacctCompany, recordNo: string, caller: Caller): void {
  const table = company.table('APPYMT');
  const payment = table.get(recordNo);
  if (!payment || !company.visible(table.schema, payment, caller)) throw recordFailure([`No APPYMT has RECORDNO ${recordNo}.`], 'Payment not found', 'Could not delete APPYMT record!');
  const detailTable = company.table('APPYMTDETAIL');
  for (const detail of detailTable.all().filter((d) => d.fields.PAYMENTKEY === recordNo)) {
    applyToBill(company, detail.fields.RECORDKEY ?? '', Decimal.parse(detail.fields.TRX_PAYMENTAMOUNT ?? '0').negate());
    detailTable.delete(detail.fields.RECORDNO ?? '');
  }
  table.delete(recordNo);
  for (const bill of new Set((payment.lines ?? []).map((l) => l.RECORDKEY ?? ''))) refreshWhenPaid(company, bill);
}

/** `reverse_appayment`: the payment stays, "Reversed"; what it paid comes off its bills. Returns its key. */
export function reversePayment(company: IntacctCompany, input: XmlObject, caller: Caller): string {
  const table = company.table('APPYMT');
  const recordNo = (textOf(input['@_key']) ?? '').trim();
  const payment = recordNo ? table.get(recordNo) : undefined;
  if (!payment || !company.visible(table.schema, payment, caller))
    throw recordFailure([recordNo ? `No APPYMT has RECORDNO ${recordNo}.` : 'reverse_appayment needs a key attribute (the payment RECORDNO).'], 'Payment not found', 'Could not reverse APPYMT record!');
  const problems: string[] = [];
  const reversedOn = legacyDate(input['datereversed'] as never, 'datereversed');
  if (!reversedOn.ok) problems.push(reversedOn.error);
  if (payment.fields.STATE !== 'Complete') problems.push(`Payment ${recordNo} is ${payment.fields.STATE ?? 'not posted'}; only a paid payment can be reversed.`);
  if (problems.length > 0) throw recordFailure(problems, 'Invalid reversal', 'Could not reverse APPYMT record!');
  table.put({ ...payment, fields: { ...payment.fields, STATE: 'Reversed', WHENMODIFIED: company.stamp() } });
  for (const detail of company.table('APPYMTDETAIL').all().filter((d) => d.fields.PAYMENTKEY === recordNo))
    applyToBill(company, detail.fields.RECORDKEY ?? '', Decimal.parse(detail.fields.TRX_PAYMENTAMOUNT ?? '0').negate());
  return recordNo;
}

/** A reversed payment's details stay on record but pay nothing. */
function stillPays(company: IntacctCompany, paymentKey: string): boolean {
  return company.table('APPYMT').get(paymentKey)?.fields.STATE !== 'Reversed';
}

function applyToBill(company: IntacctCompany, recordKey: string, amount: Decimal): void {
  const bills = company.table('APBILL');
  const bill = bills.get(recordKey);
  if (!bill) return;
  const f = { ...bill.fields };
  const paid = Decimal.parse(f.TOTALPAID || '0').plus(amount);
  f.TOTALPAID = paid.toMoneyString();
  f.TRX_TOTALPAID = f.TOTALPAID;
  f.TOTALDUE = Decimal.parse(f.TOTALENTERED || '0').minus(paid).toMoneyString();
  f.TRX_TOTALDUE = f.TOTALDUE;
  f.STATE = billState(f);
  f.WHENMODIFIED = company.stamp();
  bills.put({ ...bill, fields: f });
  refreshWhenPaid(company, recordKey);
}

/** WHENPAID = date of the latest payment still applied to the bill ('' when none). */
function refreshWhenPaid(company: IntacctCompany, recordKey: string): void {
  const bills = company.table('APBILL');
  const bill = bills.get(recordKey);
  if (!bill) return;
  const dates = company
    .table('APPYMTDETAIL')
    .all()
    .filter((d) => d.fields.RECORDKEY === recordKey && stillPays(company, d.fields.PAYMENTKEY ?? ''))
    .map((d) => d.fields.PAYMENTDATE ?? '')
    .sort((a, b) => sortableDate(a).localeCompare(sortableDate(b)));
  bills.put({ ...bill, fields: { ...bill.fields, WHENPAID: dates[dates.length - 1] ?? '' } });
}

const sortableDate = (mmddyyyy: string): string => `${mmddyyyy.slice(6)}${mmddyyyy.slice(0, 5)}`;
