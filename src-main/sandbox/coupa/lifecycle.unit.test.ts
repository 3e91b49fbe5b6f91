import { describe, expect, it } from 'vitest';
import { INVOICE_ACTIONS, INVOICE_FROZEN_STATUSES, PO_ACTIONS, transition } from './lifecycle';

describe('coupa status changes through actions only', () => {
  it('purchase orders: issue a draft, close an issued one, reopen a closed one; a cancelled order is final', () => {
    expect(transition(PO_ACTIONS, 'issue', 'draft', 'purchase order')).toEqual({ ok: true, to: 'issued' });
    expect(transition(PO_ACTIONS, 'close', 'issued', 'purchase order')).toEqual({ ok: true, to: 'closed' });
    expect(transition(PO_ACTIONS, 'reopen', 'closed', 'purchase order')).toEqual({ ok: true, to: 'issued' });
    for (const action of Object.keys(PO_ACTIONS)) expect(transition(PO_ACTIONS, action, 'cancelled', 'purchase order').ok).toBe(false);
    expect(transition(PO_ACTIONS, 'close', 'draft', 'purchase order')).toEqual({
      ok: false,
      reason: 'Cannot close a purchase order in status draft (allowed from issued)',
    });
  });

  it('invoices: draft → pending_approval → approved → voided; abandon only before approval; unknown actions name the known ones', () => {
    const path = [
      ['submit', 'draft', 'pending_approval'],
      ['bypass_approvals', 'pending_approval', 'approved'],
      ['void', 'approved', 'voided'],
    ] as const;
    for (const [action, from, to] of path) expect(transition(INVOICE_ACTIONS, action, from, 'invoice')).toEqual({ ok: true, to });
    expect(transition(INVOICE_ACTIONS, 'abandon', 'approved', 'invoice').ok).toBe(false);
    expect(transition(INVOICE_ACTIONS, 'submit', 'approved', 'invoice').ok).toBe(false);
    const unknown = transition(INVOICE_ACTIONS, 'approve', 'draft', 'invoice');
    expect(unknown.ok ? '' : unknown.reason).toMatch(/^Unknown action "approve"; this invoice supports submit, abandon, void/);
    // Every status an action leads to, other than a frozen one, can still be left again.
    const targets = new Set(Object.values(INVOICE_ACTIONS).map((t) => t.to));
    for (const status of targets)
      if (!['voided', 'abandoned'].includes(status)) expect(Object.values(INVOICE_ACTIONS).some((t) => t.from.includes(status))).toBe(true);
    expect(INVOICE_FROZEN_STATUSES).toContain('approved');
  });
});
