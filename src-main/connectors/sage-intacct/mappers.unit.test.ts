import { describe, expect, it } from 'vitest';
import {
  IntacctInputError,
  ReferenceIndex,
  billCreate,
  billPaymentFromWire,
  billUpdate,
  checkDocument,
  cleanBody,
  errorText,
  foundDocuments,
  billFromWire,
  fromIntacctDate,
  fromIntacctTimestamp,
  journalCreate,
  money,
  purchasingCreate,
  purchasingUpdate,
  queryBody,
  toIntacctDate,
  toIntacctTimestamp,
  toLegacyDate,
  vendorCreate,
  vendorFromWire,
  vendorMatches,
  writeControlId,
} from './mappers';
import type { BillInput, PurchasingDocumentInput } from './types';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('dates (fact sheet 2.6: mm/dd/yyyy; legacy year/month/day)', () => {
  it('converts ISO dates both ways and refuses what is not a calendar date', () => {
    expect(toIntacctDate('2026-03-07', 'date')).toBe('03/07/2026');
    expect(toLegacyDate('2026-03-07', 'date')).toEqual({ year: '2026', month: '03', day: '07' });
    expect(fromIntacctDate('03/07/2026')).toBe('2026-03-07');
    expect(fromIntacctDate('')).toBeNull();
    expect(() => toIntacctDate('2026-02-29', 'Bill date')).toThrow(new IntacctInputError('Bill date "2026-02-29" is not a calendar date in YYYY-MM-DD form'));
    expect(() => toIntacctDate('07/03/2026', 'Bill date')).toThrow(IntacctInputError);
  });

  it('timestamps: Intacct prints mm/dd/yyyy HH:MM:SS; cursors are YYYY-MM-DDTHH:MM:SS (a trailing Z ignored)', () => {
    expect(fromIntacctTimestamp('10/30/2026 16:05:09')).toBe('2026-10-30T16:05:09');
    expect(toIntacctTimestamp('2026-10-30T16:05:09')).toBe('10/30/2026 16:05:09');
    expect(toIntacctTimestamp('2026-10-30T16:05:09.123Z')).toBe('10/30/2026 16:05:09');
    expect(toIntacctTimestamp('2026-10-30')).toBe('10/30/2026 00:00:00');
    expect(() => toIntacctTimestamp('yesterday')).toThrow(/not a date-time/);
  });
});

describe('money', () => {
  it('keeps cents exact and refuses fractions of a cent instead of letting Intacct round them', () => {
    expect(money('1234.5', 'amount').toMoneyString()).toBe('1234.50');
    expect(() => money('0.005', 'Line 1 amount')).toThrow('Line 1 amount 0.005 has fractions of a cent; round it before sending');
    expect(() => money('1,234.50', 'Line 1 amount')).toThrow(/Line 1 amount: .*no thousands separators/);
  });
});

describe('controlids (2.3): deterministic per document and change', () => {
  it('the same write always has the same controlid; another change or key has another', () => {
    const a = writeControlId('mlc', 'APBILL', 'create', '4711');
    expect(a).toBe('mlc:apbill:create:4711');
    expect(writeControlId('mlc', 'APBILL', 'create', '4711')).toBe(a);
    expect(writeControlId('mlc', 'APBILL', 'update', '4711', 'co-2')).toBe('mlc:apbill:update:4711:co-2');
    expect(writeControlId('mlc', 'APBILL', 'update', '4711', 'co-3')).not.toBe(writeControlId('mlc', 'APBILL', 'update', '4711', 'co-2'));
  });

  it('long or unusual keys become a hash, still deterministic and within 256 characters', () => {
    const odd = writeControlId('mlc', 'PODOCUMENT', 'create', 'Subcontract #12 / "Zuidas"');
    expect(odd).toMatch(/^mlc:podocument:create:h[0-9a-f]{48}$/);
    expect(writeControlId('mlc', 'PODOCUMENT', 'create', 'Subcontract #12 / "Zuidas"')).toBe(odd);
    expect(writeControlId('mlc', 'APBILL', 'create', 'x'.repeat(300)).length).toBeLessThanOrEqual(256);
  });
});

describe('errors (2.5)', () => {
  const e = (description2: string, description = ''): Json => ({ errorno: 'BL01001973', description, description2, correction: '' });

  it('description2 without its Support ID, the closing "Could not … record!" left out', () => {
    expect(
      errorText([
        e("Line 1: GL account '59990' is inactive and cannot be used in a new transaction. [Support ID: abc~def]", 'Invalid bill'),
        e('Could not create APBILL record! [Support ID: abc~def]'),
      ] as never),
    ).toBe("Line 1: GL account '59990' is inactive and cannot be used in a new transaction.");
    expect(errorText([e('Could not create Vendor record! [Support ID: x]')] as never)).toBe('Could not create Vendor record!');
    expect(errorText([{ errorno: 'GW-0010', description: 'API rate limit exceeded.', description2: '', correction: '' }])).toBe('API rate limit exceeded.');
    expect(errorText([])).toBe('Sage Intacct gave no reason.');
  });
});

const line = { accountNo: '50100', amount: '1000.00', locationId: '100', departmentId: 'CIV', projectId: 'P26-001', taskId: '01-100', costTypeId: 'L', classId: 'RES', vendorId: 'V-1001' };
const bill = (extra: Partial<BillInput> = {}): BillInput => ({ key: 'req-9', vendorId: 'V-1001', billNumber: 'PA-9', date: '2026-10-15', dueDate: '2026-11-14', lines: [line], ...extra });

describe('AP bills (2.6)', () => {
  it('create: header, key in its field, lines with dimensions, no LINE_NO (Intacct numbers them in order)', () => {
    const built = billCreate(bill({ description: 'G702 #9', draft: true }), { keyField: 'PROCORE_ID', retainage: { mode: 'gross' } });
    expect(built.body).toEqual({
      create: {
        APBILL: {
          VENDORID: 'V-1001',
          WHENCREATED: '10/15/2026',
          WHENDUE: '11/14/2026',
          RECORDID: 'PA-9',
          DESCRIPTION: 'G702 #9',
          ACTION: 'Draft',
          PROCORE_ID: 'req-9',
          APBILLITEMS: {
            APBILLITEM: [
              { ACCOUNTNO: '50100', TRX_AMOUNT: '1000.00', LOCATIONID: '100', DEPARTMENTID: 'CIV', PROJECTID: 'P26-001', TASKID: '01-100', COSTTYPEID: 'L', VENDORID: 'V-1001', CLASSID: 'RES' },
            ],
          },
        },
      },
    });
    expect([built.total?.toMoneyString(), built.lineNos, built.retainageLineNo]).toEqual(['1000.00', [1], null]);
    const byRecordId = billCreate(bill(), { keyField: 'RECORDID', retainage: { mode: 'gross' } }).body as Json;
    expect(byRecordId.create.APBILL.RECORDID).toBe('req-9');
  });

  it('retainage: gross keeps the amount, net subtracts it, separate-line adds one credit line for the total withheld', () => {
    const lines = [
      { ...line, retainage: '100.00' },
      { ...line, amount: '500.00', retainage: '50.00' },
    ];
    const amounts = (mode: 'gross' | 'net'): string[] =>
      ((billCreate(bill({ lines }), { keyField: 'PROCORE_ID', retainage: { mode } }).body as Json).create.APBILL.APBILLITEMS.APBILLITEM as Json[]).map((l) => l.TRX_AMOUNT);
    expect(amounts('gross')).toEqual(['1000.00', '500.00']);
    expect(amounts('net')).toEqual(['900.00', '450.00']);
    const separate = billCreate(bill({ lines }), { keyField: 'PROCORE_ID', retainage: { mode: 'separate-line', accountNo: '24000' } });
    expect((separate.body as Json).create.APBILL.APBILLITEMS.APBILLITEM[2]).toEqual({ ACCOUNTNO: '24000', TRX_AMOUNT: '-150.00', ENTRYDESCRIPTION: 'Retainage withheld', LOCATIONID: '100', DEPARTMENTID: 'CIV' });
    expect([separate.total?.toMoneyString(), separate.retainageLineNo]).toEqual(['1350.00', 3]);
    expect(() => billCreate(bill({ lines: [{ ...line, retainage: '1000.01' }] }), { keyField: 'PROCORE_ID', retainage: { mode: 'net' } })).toThrow(/retainage 1000.01 is more than the line amount 1000.00/);
  });

  it('update: every line carries LINE_NO (2.12); the retainage line keeps its number', () => {
    const built = billUpdate(
      { key: 'req-9', recordNo: '12', changeId: 'co-1', retainageLineNo: 3, lines: [{ ...line, lineNo: 1, retainage: '10.00' }, { ...line, lineNo: 2, amount: '5.00' }] },
      { keyField: 'PROCORE_ID', retainage: { mode: 'separate-line', accountNo: '24000' } },
    );
    const items = (built.body as Json).update.APBILL.APBILLITEMS.APBILLITEM as Json[];
    expect(items.map((i) => [i.LINE_NO, i.TRX_AMOUNT])).toEqual([
      ['1', '1000.00'],
      ['2', '5.00'],
      ['3', '-10.00'],
    ]);
    expect((built.body as Json).update.APBILL.RECORDNO).toBe('12');
    expect(() => billUpdate({ key: 'k', recordNo: '1', changeId: 'c', lines: [{ ...line, lineNo: 1 }, { ...line, lineNo: 1 }] }, { keyField: 'PROCORE_ID', retainage: { mode: 'gross' } })).toThrow(/names a LINE_NO twice/);
  });

  it('refuses a bill without lines, a cost type without its task, a due date missing on a submitted bill', () => {
    const opts = { keyField: 'PROCORE_ID', retainage: { mode: 'gross' as const } };
    expect(() => billCreate(bill({ lines: [] }), opts)).toThrow('bill PA-9 (req-9) has no lines');
    expect(() => billCreate(bill({ lines: [{ accountNo: '1', amount: '1', projectId: 'P', costTypeId: 'L' }] }), opts)).toThrow(/cost type L but no project and task/);
    const { dueDate: _dropped, ...noDue } = bill();
    expect(() => billCreate(noDue, opts)).toThrow(/needs a due date or a payment term/);
    expect(() => billCreate({ ...noDue, termName: 'Net 30' }, opts)).not.toThrow();
  });
});

describe('GL journal entries (2.7)', () => {
  it('TR_TYPE 1/-1, positive amounts, LOCATION / DEPARTMENT (not …ID); must balance', () => {
    const built = journalCreate(
      {
        key: 'cmt-1',
        journal: 'JCJ',
        date: '2026-10-03',
        title: 'Commitment SC-1',
        lines: [
          { accountNo: '50100', side: 'debit', amount: '10.00', locationId: '100', departmentId: 'CIV', projectId: 'P26-001' },
          { accountNo: '21000', side: 'credit', amount: '10.00' },
        ],
      },
      { keyField: 'REFERENCENO' },
    );
    expect((built.body as Json).create.GLBATCH).toEqual({
      JOURNAL: 'JCJ',
      BATCH_DATE: '10/03/2026',
      BATCH_TITLE: 'Commitment SC-1',
      REFERENCENO: 'cmt-1',
      ENTRIES: {
        GLENTRY: [
          { ACCOUNTNO: '50100', TR_TYPE: '1', TRX_AMOUNT: '10.00', LOCATION: '100', DEPARTMENT: 'CIV', PROJECTID: 'P26-001' },
          { ACCOUNTNO: '21000', TR_TYPE: '-1', TRX_AMOUNT: '10.00' },
        ],
      },
    });
    const lines = [{ accountNo: '1', side: 'debit' as const, amount: '10.00' }, { accountNo: '2', side: 'credit' as const, amount: '9.99' }];
    expect(() => journalCreate({ key: 'k', journal: 'J', date: '2026-01-01', title: 't', lines }, { keyField: 'REFERENCENO' })).toThrow('journal entry k does not balance: debits 10.00, credits 9.99');
  });
});

describe('purchasing (XSD create_potransaction / update_potransaction: element order is fixed)', () => {
  const doc: PurchasingDocumentInput = {
    key: 'cmt-44',
    transactionType: 'Subcontract',
    vendorId: 'V-1001',
    date: '2026-10-03',
    dueDate: '2026-11-02',
    termName: 'Net 30',
    referenceNo: 'SC-44',
    message: 'Phase 1',
    returnTo: 'Site office',
    payTo: 'Accounts',
    projectId: 'P26-001',
    draft: true,
    lines: [{ itemId: 'SUB', quantity: '3', unitPrice: '1000.005', memo: 'Scope', locationId: '100', departmentId: 'CIV', projectId: 'P26-001', taskId: '01-100', costTypeId: 'S', classId: 'RES', retainagePercentage: '5' }],
  };

  it('create: header and line elements in the XSD sequence, the key in <customfields>, totals per line rounded to the cent', () => {
    const built = purchasingCreate(doc, { keyField: 'PROCORE_ID' });
    const body = (built.body as Json).create_potransaction;
    expect(Object.keys(body)).toEqual(['transactiontype', 'datecreated', 'vendorid', 'referenceno', 'termname', 'datedue', 'message', 'returnto', 'payto', 'customfields', 'state', 'projectid', 'potransitems']);
    expect(body.customfields).toEqual({ customfield: [{ customfieldname: 'PROCORE_ID', customfieldvalue: 'cmt-44' }] });
    expect(Object.keys(body.potransitems.potransitem[0])).toEqual(['itemid', 'quantity', 'price', 'locationid', 'departmentid', 'memo', 'projectid', 'taskid', 'costtypeid', 'classid', 'retainagepercentage']);
    expect(body.potransitems.potransitem[0].price).toBe('1000.005');
    expect(built.total?.toMoneyString()).toBe('3000.02');
    const byPoNumber = (purchasingCreate(doc, { keyField: 'PONUMBER' }).body as Json).create_potransaction;
    expect([byPoNumber.referenceno, byPoNumber.customfields]).toEqual(['cmt-44', undefined]);
  });

  it('update: changed lines as updatepotransitem line_num, new ones appended as potransitem; lines without an item use the default', () => {
    const built = purchasingUpdate(
      { key: 'cmt-44', transactionType: 'Subcontract', documentId: 'Subcontract-SC0001', changeId: 'co-1', changeLogNumber: 'CO-1', lines: [{ quantity: '4', unitPrice: '10', lineNo: 1 }, { quantity: '1', unitPrice: '0.99' }] },
      { defaultItemId: 'SUB' },
    );
    const body = (built.body as Json).update_potransaction;
    expect(Object.keys(body)).toEqual(['@_key', 'changelognumber', 'updatepotransitems']);
    expect(body.updatepotransitems).toEqual({
      updatepotransitem: [{ '@_line_num': '1', itemid: 'SUB', quantity: '4', price: '10' }],
      potransitem: [{ itemid: 'SUB', quantity: '1', price: '0.99' }],
    });
    expect(built.total?.toMoneyString()).toBe('40.99');
    expect(() => purchasingUpdate({ key: 'k', transactionType: 'T', documentId: 'T-1', changeId: 'c', lines: [{ quantity: '1', unitPrice: '1' }] }, {})).toThrow(/has no item/);
  });
});

describe('vendors (2.8)', () => {
  it('NAME and DISPLAYCONTACT/PRINTAS; the key in the custom field, or as VENDORID', () => {
    const custom = (vendorCreate({ key: '88', name: 'Steel & Co', email: 'ap@steel.example', address: { city: 'Utrecht', countryCode: 'NL' } }, { keyField: 'PROCORE_VENDOR_ID' }).body as Json).create.VENDOR;
    expect(custom).toEqual({
      NAME: 'Steel & Co',
      DISPLAYCONTACT: { PRINTAS: 'Steel & Co', COMPANYNAME: 'Steel & Co', EMAIL1: 'ap@steel.example', MAILADDRESS: { CITY: 'Utrecht', COUNTRYCODE: 'NL' } },
      PROCORE_VENDOR_ID: '88',
    });
    expect((vendorCreate({ key: 'V-88', name: 'X' }, { keyField: 'VENDORID' }).body as Json).create.VENDOR.VENDORID).toBe('V-88');
  });
});

describe('query bodies (2.9, XSD query / filteroption)', () => {
  it('select, filter (and/or grouped by operator), orderby, pagesize, offset', () => {
    expect(
      queryBody({
        object: 'APBILL',
        fields: ['RECORDNO', 'WHENMODIFIED'],
        filter: {
          op: 'and',
          parts: [
            { op: 'isnotnull', field: 'PROCORE_ID' },
            { op: 'or', parts: [{ op: 'greaterthan', field: 'WHENMODIFIED', value: '10/30/2026 16:00:00' }, { op: 'and', parts: [{ op: 'equalto', field: 'WHENMODIFIED', value: '10/30/2026 16:00:00' }, { op: 'greaterthan', field: 'RECORDNO', value: '7' }] }] },
          ],
        },
        orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO', descending: true }],
        pageSize: 2000,
      }),
    ).toEqual({
      query: {
        select: { field: ['RECORDNO', 'WHENMODIFIED'] },
        object: 'APBILL',
        filter: {
          and: {
            isnotnull: [{ field: 'PROCORE_ID' }],
            or: [
              {
                greaterthan: [{ field: 'WHENMODIFIED', value: '10/30/2026 16:00:00' }],
                and: [{ equalto: [{ field: 'WHENMODIFIED', value: '10/30/2026 16:00:00' }], greaterthan: [{ field: 'RECORDNO', value: '7' }] }],
              },
            ],
          },
        },
        orderby: { order: [{ field: 'WHENMODIFIED', ascending: '' }, { field: 'RECORDNO', descending: '' }] },
        pagesize: '2000',
        offset: '0',
      },
    });
    expect(() => queryBody({ object: 'X', fields: [], pageSize: 1 })).toThrow(/select \* is not supported/);
    expect(() => queryBody({ object: 'X', fields: ['A'], filter: { op: 'in', field: 'A', values: [] }, pageSize: 1 })).toThrow(/1 to 1000 values/);
  });
});

describe('XML 1.0 characters (2.10)', () => {
  it('control characters are stripped from every string of a body and counted; tab, LF and other text stay', () => {
    const { body, stripped } = cleanBody({ a: 'x\u0007y', b: [{ c: 'tab\there\nline \u001F' }], n: null });
    expect(body).toEqual({ a: 'xy', b: [{ c: 'tab\there\nline ' }], n: null });
    expect(stripped).toBe(2);
  });
});

describe('validation before posting', () => {
  const index = new ReferenceIndex({
    GLACCOUNT: [
      { object: 'GLACCOUNT', id: '50100', name: 'Job cost', active: true, recordNo: '1' },
      { object: 'GLACCOUNT', id: '59990', name: 'Closed', active: false, recordNo: '2' },
    ],
    TASK: [{ object: 'TASK', id: '01-100', name: 'Labour', active: true, recordNo: '3', projectId: 'P1' }],
    COSTTYPE: [{ object: 'COSTTYPE', id: 'L', name: 'Labor', active: true, recordNo: '4', projectId: 'P1', taskId: '01-100' }],
    PROJECT: [
      { object: 'PROJECT', id: 'P1', name: 'One', active: true, recordNo: '5' },
      { object: 'PROJECT', id: 'P2', name: 'Two', active: true, recordNo: '6' },
    ],
  });

  it('tasks are unique within their project, cost types within project and task', () => {
    expect(checkDocument({ key: 'a', lines: [{ accountNo: '50100', projectId: 'P1', taskId: '01-100', costTypeId: 'L' }] }, index)).toEqual([]);
    expect(checkDocument({ key: 'b', lines: [{ accountNo: '59990', projectId: 'P2', taskId: '01-100', costTypeId: 'L' }] }, index).map((p) => [p.field, p.kind, p.message])).toEqual([
      ['ACCOUNTNO', 'inactive', 'Line 1: GL account 59990 (Closed) is inactive in Sage Intacct; choose an active one or have it reactivated.'],
      ['TASKID', 'unknown', 'Line 1: Task 01-100 does not exist in project P2 in Sage Intacct.'],
      ['COSTTYPEID', 'unknown', 'Line 1: Cost type L does not exist under task 01-100 of project P2 in Sage Intacct.'],
    ]);
  });
});

describe('records read back', () => {
  it('payment status from the amounts, whatever the STATE text', () => {
    const row = (paid: string, due: string): Json => ({ RECORDNO: '1', RECORDID: 'PA-1', VENDORID: 'V', STATE: 'Whatever', TOTALENTERED: '100.00', TOTALPAID: paid, TOTALDUE: due, WHENPAID: '10/20/2026', WHENMODIFIED: '10/20/2026 10:00:00', PROCORE_ID: 'k' });
    expect(billPaymentFromWire(row('0.00', '100.00'), 'PROCORE_ID').paymentStatus).toBe('unpaid');
    expect(billPaymentFromWire(row('', '100.00'), 'PROCORE_ID').totalPaid).toBe('0.00');
    expect(billPaymentFromWire(row('40.00', '60.00'), 'PROCORE_ID')).toMatchObject({ paymentStatus: 'partially-paid', paidOn: '2026-10-20', key: 'k' });
    expect(billPaymentFromWire(row('100.00', '0.00'), 'PROCORE_ID').paymentStatus).toBe('paid');
  });

  it('several documents under one key: the oldest is the one, the copies are listed', () => {
    const rows = ['9', '4', '7'].map((n) => ({ RECORDNO: n, PROCORE_ID: 'k', TOTALENTERED: '1.00', STATE: 'Posted', WHENMODIFIED: '' }));
    expect(foundDocuments(rows, 'PROCORE_ID', billFromWire).get('k')).toMatchObject({ recordNo: '4', duplicates: ['9', '7'] });
  });

  it('vendors carry their display contact e-mail and phone (selected by dotted name); an update that already happened matches them', () => {
    const row = { RECORDNO: '3', VENDORID: 'V-1', NAME: 'A', STATUS: 'active', 'DISPLAYCONTACT.EMAIL1': 'ap@a.example', 'DISPLAYCONTACT.PHONE1': '', WHENMODIFIED: '10/20/2026 10:00:00' };
    const vendor = vendorFromWire(row, 'VENDORID');
    expect(vendor).toMatchObject({ email: 'ap@a.example', phone: null, key: 'V-1' });
    expect(vendorMatches(vendor, { key: 'V-1', vendorId: 'V-1', changeId: 'c', email: 'ap@a.example', phone: '' })).toBe(true);
    expect(vendorMatches(vendor, { key: 'V-1', vendorId: 'V-1', changeId: 'c', email: 'other@a.example' })).toBe(false);
  });
});
