import { describe, expect, it } from 'vitest';
import { checkValue, dueDateFromTerm, intacctTimestamp, legacyDate, parseIntacctDate } from './values';

describe('Intacct field values', () => {
  it('mm/dd/yyyy dates must be calendar dates', () => {
    expect(parseIntacctDate('02/28/2026')).toBe(Date.UTC(2026, 1, 28));
    expect(parseIntacctDate('02/29/2026')).toBeNull();
    expect(parseIntacctDate('2026-02-28')).toBeNull();
    expect(parseIntacctDate('13/01/2026')).toBeNull();
  });

  it('timestamps print as mm/dd/yyyy HH:MM:SS in UTC', () => {
    expect(intacctTimestamp(Date.UTC(2026, 9, 5, 7, 8, 9))).toBe('10/05/2026 07:08:09');
  });

  it('legacy year/month/day blocks become mm/dd/yyyy; a missing part or a non-date is an error', () => {
    expect(legacyDate({ year: '2026', month: '3', day: '7' }, 'datecreated')).toEqual({ ok: true, value: '03/07/2026' });
    expect(legacyDate({ year: '2026', month: '2', day: '30' }, 'datecreated')).toEqual({ ok: false, error: '<datecreated> 2026-2-30 is not a calendar date.' });
    expect(legacyDate({ year: '2026', month: '2' }, 'datedue')).toMatchObject({ ok: false });
    expect(legacyDate('10/01/2026', 'datedue')).toMatchObject({ ok: false });
  });

  it('"Net N" and "Due on receipt" terms give the due date; other terms are unknown', () => {
    expect(dueDateFromTerm('Net 30', '12/15/2026')).toBe('01/14/2027');
    expect(dueDateFromTerm('Due on receipt', '12/15/2026')).toBe('12/15/2026');
    expect(dueDateFromTerm('2% 10 Net 30', '12/15/2026')).toBeNull();
  });

  it('money (decimal) is rounded to the cent; number keeps its precision; booleans and lists are strict', () => {
    expect(checkValue('TRX_AMOUNT', 'decimal', '1234.555')).toEqual({ ok: true, value: '1234.56' });
    expect(checkValue('QUANTITY', 'number', '0.333')).toEqual({ ok: true, value: '0.333' });
    expect(checkValue('QUANTITY', 'number', '1,5')).toMatchObject({ ok: false });
    expect(checkValue('ONHOLD', 'boolean', 'yes')).toEqual({ ok: false, error: "ONHOLD must be true or false, got 'yes'." });
    expect(checkValue('STATUS', 'text', 'closed', ['active', 'inactive'])).toEqual({ ok: false, error: "STATUS must be one of 'active', 'inactive', got 'closed'." });
    expect(checkValue('STATUS', 'text', '', ['active', 'inactive'])).toEqual({ ok: true, value: '' });
  });
});
