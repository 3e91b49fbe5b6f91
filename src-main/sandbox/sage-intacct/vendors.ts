import type { IntacctCompany } from './company';
import { recordFailure } from './errors';
import type { IntacctRecord } from './objects';
import { readFields } from './records';
import { textOf, type XmlObject } from './xml';

/**
 * Vendors (`<create>/<update><VENDOR>`, fact sheet 2.8, VendorCreate/VendorUpdate in the vendor
 * SDK): the plain fields VendorCreate writes (COMMENTS, ONETIME, PAYMENTPRIORITY, ACH…,
 * RETAINAGEPERCENTAGE…), the DISPLAYCONTACT block (with MAILADDRESS), CONTACTINFO / PAYTO /
 * RETURNTO contact names, and the company's custom fields. Create needs NAME and
 * DISPLAYCONTACT/PRINTAS; VENDORID is numbered when omitted. Update keys on RECORDNO or VENDORID.
 */
export function writeVendor(company: IntacctCompany, input: XmlObject, mode: 'create' | 'update'): IntacctRecord {
  const table = company.table('VENDOR');
  const schema = table.schema;
  const problems: string[] = [];
  let record: IntacctRecord = { fields: {} };
  if (mode === 'update') {
    const recordNo = textOf(input.RECORDNO);
    const vendorId = textOf(input.VENDORID);
    const existing = recordNo ? table.get(recordNo) : vendorId ? table.byBusinessId(vendorId) : undefined;
    if (!existing) {
      throw recordFailure([`No VENDOR matches ${recordNo ? `RECORDNO ${recordNo}` : `VENDORID ${vendorId ?? '(none given)'}`}.`], 'Vendor not found', 'Could not update Vendor record!');
    }
    record = { fields: { ...existing.fields } };
  }
  const handledHere = mode === 'update' ? ['RECORDNO', 'VENDORID'] : [];
  Object.assign(
    record.fields,
    readFields(schema, input, new Set(handledHere), (p) => problems.push(p)),
  );
  const f = record.fields;
  if (!f.NAME) problems.push('NAME is required.');
  if (mode === 'create') {
    if (!f['DISPLAYCONTACT.PRINTAS']) problems.push('DISPLAYCONTACT with PRINTAS is required to create a vendor.');
    if (f.VENDORID && table.byBusinessId(f.VENDORID)) problems.push(`Another vendor already uses VENDORID ${f.VENDORID}.`);
  }
  for (const field of ['APACCOUNT', 'OFFSETGLACCOUNT']) {
    const account = f[field];
    if (!account) continue;
    const found = company.activeRecord('GLACCOUNT', 'GL account', account);
    if ('problem' in found) problems.push(`${field}: ${found.problem}`);
  }
  if (f.PARENTID && !table.byBusinessId(f.PARENTID)) problems.push(`PARENTID: Invalid Vendor '${f.PARENTID}' specified.`);
  if (problems.length > 0) throw recordFailure(problems, 'Invalid vendor', `Could not ${mode} Vendor record!`);

  const now = company.stamp();
  if (mode === 'create') {
    f.RECORDNO = table.nextRecordNo();
    f.VENDORID ||= `V-${String(9000 + Number(f.RECORDNO))}`;
    f.STATUS ||= 'active';
    f.CURRENCY ||= company.settings.currency;
    f.WHENCREATED = now;
  }
  f.WHENMODIFIED = now;
  table.put(record);
  return record;
}

/** Generic delete of a vendor: refused while a bill, payment or purchasing document names it. */
export function deleteVendor(company: IntacctCompany, recordNo: string): void {
  const table = company.table('VENDOR');
  const vendor = table.get(recordNo);
  if (!vendor) throw recordFailure([`No VENDOR has RECORDNO ${recordNo}.`], 'Vendor not found', 'Could not delete Vendor record!');
  const vendorId = vendor.fields.VENDORID ?? '';
  const used =
    company.table('APBILL').all().some((b) => b.fields.VENDORID === vendorId) ||
    company.table('APPYMT').all().some((p) => p.fields.VENDORID === vendorId) ||
    company.table('PODOCUMENT').all().some((d) => d.fields.CUSTVENDID === vendorId);
  if (used) throw recordFailure([`Vendor ${vendorId} has transactions; make it inactive instead of deleting it.`], 'Invalid vendor', 'Could not delete Vendor record!');
  table.delete(recordNo);
}
