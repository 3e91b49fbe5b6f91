import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src-shared/domain/money';
import { JsonDecimal, parseJsonKeepingNumbers, toJsonText } from './json-text';
import { InFlightGate } from './licence';
import {
  InvalidInputError,
  billBody,
  billTypeFor,
  billUpdateBody,
  checkBillInput,
  codingProblems,
  collectProblems,
  modifiedSinceFilter,
  odataString,
  parseSetCookie,
  paymentFromWire,
  refusalSentence,
  resolveLocation,
  serverMessage,
  signedBillAmount,
  type BillWriteSettings,
} from './mappers';
import type { AcumaticaReference, BillInput } from './types';
import type { WireCheck, WireEntity } from './wire';

const settings: BillWriteSettings = { construction: true, retainage: 'not-used', originField: null };

const bill = (amounts: string[], extra: Partial<BillInput> = {}): BillInput => ({
  vendorId: 'V1',
  vendorRef: 'INV-1',
  originId: 'procore:requisition:1',
  date: '2026-01-15',
  lines: amounts.map((amount) => ({
    amount,
    description: 'x',
    account: '51000',
    project: 'P1',
    task: '03',
    costCode: '03-300',
  })),
  ...extra,
});

describe('json-text: money as exact JSON numbers', () => {
  it('writes JsonDecimal digits verbatim and reads every number back as its literal text', () => {
    const text = toJsonText({
      a: new JsonDecimal('0.10'),
      b: [new JsonDecimal('-12345678901234567.89')],
      s: 'x"1',
      u: undefined,
    });
    expect(text).toBe('{"a":0.10,"b":[-12345678901234567.89],"s":"x\\"1"}');
    expect(parseJsonKeepingNumbers(text)).toEqual({ a: '0.10', b: ['-12345678901234567.89'], s: 'x"1' });
    expect(parseJsonKeepingNumbers('{"n":"1.5","m":2e3,"t":true,"z":null,"e":"\\\\"}')).toEqual({
      n: '1.5',
      m: '2e3',
      t: true,
      z: null,
      e: '\\',
    });
    expect(() => new JsonDecimal('1e3')).toThrow(/plain decimal/);
  });
});

describe('mappers: bills', () => {
  it('a negative total (a vendor credit) is a Debit Adj., which reduces the payable, with every sign turned; otherwise a Bill', () => {
    // A Credit Adj. would increase what is owed (Acumatica, Bills and Adjustments AP301000).
    expect(billTypeFor([{ amount: Decimal.parse('-300') }, { amount: Decimal.parse('100') }])).toEqual({
      type: 'Debit Adj.',
      sign: -1,
    });
    expect(billTypeFor([{ amount: Decimal.parse('0') }])).toEqual({ type: 'Bill', sign: 1 });
    const input = bill(['-300.00', '100.00']);
    const { body, type } = billBody(input, checkBillInput(input, settings), settings);
    expect(type).toBe('Debit Adj.');
    expect(signedBillAmount('Debit Adj.', Decimal.parse('200.00')).toMoneyString()).toBe('-200.00');
    expect(signedBillAmount('Credit Adj.', Decimal.parse('200.00')).toMoneyString()).toBe('200.00');
    expect(
      toJsonText((body.Details as unknown[]).map((l) => (l as { ExtendedCost: unknown }).ExtendedCost)),
    ).toBe('[{"value":300.00},{"value":-100.00}]');
    expect(body.note).toEqual({ value: 'ml-connector origin: procore:requisition:1' });
  });

  it('construction fields are sent only on construction connections; free text goes to TransactionDescription', () => {
    const input = bill(['1.00']);
    const plain = billBody(input, checkBillInput(input, settings), { ...settings, construction: false }).body;
    const line = (plain.Details as Record<string, unknown>[])[0] ?? {};
    expect(Object.keys(line).sort()).toEqual([
      'Account',
      'ExtendedCost',
      'Qty',
      'TransactionDescription',
      'UnitCost',
    ]);
  });

  it('refuses bad input locally with every problem: cents fractions, empty ref, bad date, retainage not in use', () => {
    const input = bill(['1.005', 'abc'], { vendorRef: '', date: '15-01-2026', retainagePercent: '10' });
    try {
      checkBillInput(input, settings);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).problems.map((p) => p.path)).toEqual([
        'VendorRef',
        'Date',
        'Retainage',
        'Details[1].ExtendedCost',
        'Details[2].ExtendedCost',
      ]);
    }
  });

  it('an update addresses lines by id only, negates a debit adjustment, and appends lines without id', () => {
    const line = { amount: '5.00', description: 'd', account: 'A' };
    const body = billUpdateBody(
      {
        id: 'b',
        type: 'Debit Adj.',
        lines: [
          { kind: 'update', lineId: 'l1', line },
          { kind: 'delete', lineId: 'l2' },
          { kind: 'add', line },
        ],
      },
      'Debit Adj.',
      settings,
    );
    expect(toJsonText(body.Details)).toBe(
      '[{"id":"l1","Account":{"value":"A"},"TransactionDescription":{"value":"d"},"Qty":{"value":1},"UnitCost":{"value":-5.00},"ExtendedCost":{"value":-5.00}},' +
        '{"id":"l2","delete":true},' +
        '{"Account":{"value":"A"},"TransactionDescription":{"value":"d"},"Qty":{"value":1},"UnitCost":{"value":-5.00},"ExtendedCost":{"value":-5.00}}]',
    );
    expect(() =>
      billUpdateBody(
        { id: 'b', type: 'Bill', lines: [{ kind: 'update', lineId: '', line }] },
        'Bill',
        settings,
      ),
    ).toThrow(/a line sent without id is appended/);
  });

  it('checks the coding against the reference: missing, inactive, task of another project, cost code', () => {
    const reference: AcumaticaReference = {
      accounts: new Map([
        ['51000', { code: '51000', description: '', type: 'Expense', accountGroup: null, active: false }],
      ]),
      subaccounts: new Map(),
      branches: new Map([['HQ', { code: 'HQ', name: 'HQ', active: true }]]),
      projects: new Map([
        [
          'P1',
          {
            projectId: 'P1',
            description: '',
            status: 'Active',
            active: true,
            externalRef: null,
            tasks: new Map(),
          },
        ],
      ]),
      costCodes: new Map(),
    };
    const problems = codingProblems(bill(['1.00'], { branch: 'XX' }), reference, true);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'BranchID: branch XX does not exist in Acumatica',
      'Details[1].Account: account 51000 is inactive in Acumatica',
      'Details[1].ProjectTask: task 03 does not exist on project P1 in Acumatica',
      'Details[1].CostCode: cost code 03-300 does not exist in Acumatica',
    ]);
    expect(
      codingProblems(bill(['1.00']), { ...reference, branches: null }, false).map((p) => p.path),
    ).toEqual(['Details[1].Account']);
  });
});

describe('mappers: errors in words', () => {
  it('collects every error of a 422 echo (fields, lines, linked entities, custom) and drops the generic summary', () => {
    const echo: WireEntity = {
      id: 'b',
      error: "Inserting 'Bill' record raised at least one error. Please review the errors.",
      Vendor: { value: 'V9', error: "'Vendor' cannot be found in the system." },
      Details: [
        { id: 'l1', rowNumber: '1', Account: { value: '51200' } },
        {
          id: 'l2',
          rowNumber: '2',
          Account: { value: '51200', error: "The account '51200' is inactive." },
          CostCode: { value: '01-500', error: "'Cost Code' cannot be found in the system." },
          error: "The account '51200' is inactive. 'Cost Code' cannot be found in the system.",
        },
        { id: 'l3', rowNumber: '3', error: 'The line is broken.' },
      ],
      MainContact: { id: 'c', rowNumber: '1', Email: { value: 'x', error: 'Invalid e-mail.' } },
      custom: { Document: { UsrX: { type: 'CustomStringField', value: 'a', error: 'Too long.' } } },
    };
    const problems = collectProblems(echo);
    expect(problems).toEqual([
      { path: 'Vendor', message: "'Vendor' cannot be found in the system." },
      { path: 'Details[2].Account', message: "The account '51200' is inactive." },
      { path: 'Details[2].CostCode', message: "'Cost Code' cannot be found in the system." },
      { path: 'Details[3]', message: 'The line is broken.' },
      { path: 'MainContact.Email', message: 'Invalid e-mail.' },
      { path: 'Document.UsrX', message: 'Too long.' },
    ]);
    expect(refusalSentence('Bill INV-1', problems.slice(0, 3), '')).toBe(
      "Bill INV-1 was refused by Acumatica: vendor: 'Vendor' cannot be found in the system; line 2 account: The account '51200' is inactive; line 2 cost code: 'Cost Code' cannot be found in the system.",
    );
    expect(collectProblems({ error: 'The period is closed.' })).toEqual([
      { path: '', message: 'The period is closed.' },
    ]);
  });

  it('reads 400/500 bodies and IIS pages', () => {
    expect(
      serverMessage(
        500,
        '{"message":"An error has occurred.","exceptionMessage":"The document is on hold."}',
      ),
    ).toBe('The document is on hold.');
    expect(serverMessage(503, '<html><head><title>Service Unavailable</title></head></html>')).toBe(
      'HTTP 503 (Service Unavailable)',
    );
  });
});

describe('mappers: wire details', () => {
  it('parses Set-Cookie joined with ", " (expires dates hold commas too)', () => {
    const header =
      'ASP.NET_SessionId=abc; path=/; HttpOnly, .ASPXAUTH=def; path=/, UserBranch=HQ; path=/, Old=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
    expect([...parseSetCookie(header)]).toEqual([
      ['ASP.NET_SessionId', 'abc'],
      ['.ASPXAUTH', 'def'],
      ['UserBranch', 'HQ'],
    ]);
  });

  it('resolves Location against the instance URL (an absolute path keeps the site; a relative one goes below it)', () => {
    expect(
      resolveLocation(
        '/AcumaticaERP/entity/Default/24.200.001/Bill/ReleaseBill/status/1',
        'https://erp.example/AcumaticaERP/',
      ),
    ).toBe('https://erp.example/AcumaticaERP/entity/Default/24.200.001/Bill/ReleaseBill/status/1');
    expect(resolveLocation('entity/Default/24.200.001/Bill/x', 'https://erp.example/AcumaticaERP')).toBe(
      'https://erp.example/AcumaticaERP/entity/Default/24.200.001/Bill/x',
    );
  });

  it('OData literals: quotes doubled; modifiedSince with ge and datetimeoffset', () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
    expect(modifiedSinceFilter('2026-01-15T09:00:00Z')).toBe(
      "LastModifiedDateTime ge datetimeoffset'2026-01-15T09:00:00.000+00:00'",
    );
  });

  it('a payment is effective once released and not voided; a Voided Payment document counts only when released', () => {
    const check = (type: string, status: string): WireCheck => ({
      id: 'c',
      Type: { value: type },
      ReferenceNbr: { value: '000001' },
      Status: { value: status },
      PaymentAmount: { value: '10' },
      History: [
        {
          id: 'h',
          DocType: { value: 'Bill' },
          ReferenceNbr: { value: '000009' },
          AmountPaid: { value: '10' },
          VendorRef: { value: 'INV-1' },
        },
      ],
    });
    const flags = (type: string, status: string): boolean[] => {
      const p = paymentFromWire(check(type, status));
      return [p?.released ?? false, p?.voided ?? false, p?.effective ?? false];
    };
    expect(flags('Payment', 'Balanced')).toEqual([false, false, false]);
    expect(flags('Payment', 'Closed')).toEqual([true, false, true]);
    expect(flags('Payment', 'Voided')).toEqual([true, true, false]);
    expect(flags('Voided Payment', 'Balanced')).toEqual([false, false, false]);
    expect(flags('Voided Payment', 'Closed')).toEqual([true, false, false]);
    expect(paymentFromWire(check('Payment', 'Closed'))?.applications).toEqual([
      {
        docType: 'Bill',
        referenceNbr: '000009',
        vendorRef: 'INV-1',
        amountPaid: '10.00',
        balance: null,
        released: true,
      },
    ]);
  });
});

describe('licence gate', () => {
  it('never lets more than its limit run at once, and refuses a limit past the queue length that draws 429', async () => {
    const gate = new InFlightGate(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        gate.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 1));
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(() => new InFlightGate(21)).toThrow(/1 to 20/);
  });
});
