import { Decimal } from '../../../src-shared/domain/money';
import { GL_ENTRY_DIMENSIONS, type Caller, type IntacctCompany } from './company';
import { recordFailure } from './errors';
import type { IntacctRecord } from './objects';
import { readFields, readLines } from './records';
import { textOf, type XmlObject } from './xml';

/**
 * Journal entries (`<create>/<update><GLBATCH>`, fact sheet 2.7, JournalEntryCreate in the
 * vendor SDK): JOURNAL (a GLJOURNAL symbol), BATCH_DATE, BATCH_TITLE, ENTRIES/GLENTRY with
 * ACCOUNTNO, TR_TYPE (1 debit, -1 credit), a positive TRX_AMOUNT and dimensions named
 * LOCATION / DEPARTMENT (not …ID) and PROJECTID, TASKID, … as on bill lines. Debits must equal
 * credits. STATE Draft keeps it unposted; Posted is the default. An update that carries
 * ENTRIES replaces them all (a journal entry is balanced as a whole); BATCHNO is numbered per
 * journal.
 */
export function writeGlBatch(company: IntacctCompany, input: XmlObject, mode: 'create' | 'update', caller: Caller): IntacctRecord {
  const table = company.table('GLBATCH');
  const schema = table.schema;
  const problems: string[] = [];
  const problem = (m: string): void => {
    problems.push(m);
  };
  let record: IntacctRecord = { fields: {}, lines: [] };
  if (mode === 'update') {
    const recordNo = textOf(input.RECORDNO);
    const existing = recordNo ? table.get(recordNo) : undefined;
    if (!existing || !company.visible(schema, existing, caller)) {
      throw recordFailure([recordNo ? `No GLBATCH has RECORDNO ${recordNo}.` : 'Update of GLBATCH needs RECORDNO.'], 'Journal entry not found', 'Could not update GLBATCH record!');
    }
    record = { fields: { ...existing.fields }, lines: (existing.lines ?? []).map((l) => ({ ...l })) };
  }
  const journalBefore = record.fields.JOURNAL;
  Object.assign(record.fields, readFields(schema, input, new Set(mode === 'update' ? ['ENTRIES', 'RECORDNO'] : ['ENTRIES']), problem));
  const f = record.fields;
  for (const required of schema.required) if (!f[required]) problem(`${required} is required.`);
  if (f.JOURNAL) {
    const journal = company.activeRecord('GLJOURNAL', 'Journal', f.JOURNAL);
    if ('problem' in journal) problem(journal.problem);
    if (mode === 'update' && journalBefore && journalBefore !== f.JOURNAL) problem('JOURNAL of an existing journal entry cannot change; create a new entry instead.');
  }

  if (schema.lines && (mode === 'create' || input.ENTRIES !== undefined)) {
    record.lines = readLines(schema.lines, input.ENTRIES, problem).map((line, i) => ({ ...line, LINE_NO: String(i + 1) }));
  }
  const lines = record.lines ?? [];
  if (lines.length < 2) problem('A journal entry needs at least two ENTRIES/GLENTRY lines.');
  let debits = Decimal.ZERO;
  let credits = Decimal.ZERO;
  lines.forEach((line, i) => {
    const at = `Line ${i + 1}:`;
    if (!line.ACCOUNTNO) problem(`${at} ACCOUNTNO is required.`);
    else company.checkAccount(line.ACCOUNTNO, at, problem);
    const amount = Decimal.parse(line.TRX_AMOUNT ?? '0');
    if (!line.TRX_AMOUNT || amount.isZero() || amount.isNegative()) problem(`${at} TRX_AMOUNT must be greater than 0 (TR_TYPE says debit or credit).`);
    if (line.TR_TYPE === '1') debits = debits.plus(amount);
    else if (line.TR_TYPE === '-1') credits = credits.plus(amount);
    else problem(`${at} TR_TYPE must be 1 (debit) or -1 (credit), got '${line.TR_TYPE ?? ''}'.`);
    if (line.CURRENCY && line.CURRENCY !== company.settings.currency) problem(`${at} CURRENCY ${line.CURRENCY} differs from the base currency ${company.settings.currency}; multi-currency journals are not served.`);
    company.checkLineDimensions(line, GL_ENTRY_DIMENSIONS, at, caller, problem);
  });
  if (!debits.equals(credits)) problem(`The entry does not balance: debits ${debits.toMoneyString()}, credits ${credits.toMoneyString()}.`);
  if (problems.length > 0) throw recordFailure(problems, 'Invalid journal entry', `Could not ${mode} GLBATCH record!`);

  const stamp = company.stamp();
  f.STATE ||= 'Posted';
  if (mode === 'create') {
    Object.assign(f, company.entityFields(caller));
    f.RECORDNO = table.nextRecordNo();
    f.BATCHNO = String(table.nextNumber(`batchno:${f.JOURNAL ?? ''}`));
    f.WHENCREATED = stamp;
  }
  f.WHENMODIFIED = stamp;
  table.put(record);
  return record;
}

export function deleteGlBatch(company: IntacctCompany, recordNo: string, caller: Caller): void {
  const table = company.table('GLBATCH');
  const batch = table.get(recordNo);
  if (!batch || !company.visible(table.schema, batch, caller)) throw recordFailure([`No GLBATCH has RECORDNO ${recordNo}.`], 'Journal entry not found', 'Could not delete GLBATCH record!');
  table.delete(recordNo);
}
