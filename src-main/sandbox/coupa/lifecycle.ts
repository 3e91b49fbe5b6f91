/**
 * Status changes of purchase orders and invoices. `status` is read-only on both (R39 Swagger:
 * readOnly); it moves only through the PUT /api/<resource>/:id/<action> sub-paths listed in
 * Compass ("Purchase Orders API", "Invoices API"). Pure functions: records.ts applies them.
 */

export interface Transition {
  /** Statuses the action may start from. */
  from: readonly string[];
  to: string;
}

/** Fact sheet §3.4: issue, issue_without_send, ignore_window_and_issue, cancel, close, reopen, release_from_buyer_hold. */
export const PO_ACTIONS: Readonly<Record<string, Transition>> = {
  issue: { from: ['draft', 'buyer_hold', 'supplier_hold', 'currency_hold', 'error'], to: 'issued' },
  issue_without_send: { from: ['draft', 'buyer_hold', 'supplier_hold', 'currency_hold', 'error'], to: 'issued' },
  ignore_window_and_issue: { from: ['supplier_window_hold', 'draft'], to: 'issued' },
  release_from_buyer_hold: { from: ['buyer_hold'], to: 'issued' },
  // A cancelled order is final; a closed one can be reopened.
  cancel: { from: ['draft', 'issued', 'buyer_hold', 'supplier_hold', 'currency_hold', 'supplier_window_hold', 'error'], to: 'cancelled' },
  close: { from: ['issued'], to: 'closed' },
  reopen: { from: ['closed'], to: 'issued' },
};

/** PO statuses in which a PUT of the order's fields is refused (cancel is final; reopen a closed one first). */
export const PO_FROZEN_STATUSES: readonly string[] = ['cancelled', 'closed'];

/**
 * Invoice actions (Compass "Invoices API (/invoices)", fact sheet §3.5). POST creates a draft;
 * `submit` sends it into approval. The sandbox has one approver per invoice, so
 * `bypass_current_approval` approves it as `bypass_approvals` does.
 */
export const INVOICE_ACTIONS: Readonly<Record<string, Transition>> = {
  submit: { from: ['new', 'draft', 'invalid', 'disputed'], to: 'pending_approval' },
  abandon: { from: ['new', 'draft', 'invalid'], to: 'abandoned' },
  void: { from: ['approved', 'pending_approval', 'pending_receipt', 'ap_hold', 'on_hold', 'booking_hold', 'disputed'], to: 'voided' },
  dispute: { from: ['pending_approval', 'pending_receipt', 'ap_hold', 'on_hold', 'booking_hold'], to: 'disputed' },
  bypass_approvals: { from: ['pending_approval'], to: 'approved' },
  bypass_current_approval: { from: ['pending_approval'], to: 'approved' },
  restart_approvals: { from: ['pending_approval'], to: 'pending_approval' },
};

/**
 * Invoice statuses in which the invoice's fields cannot be changed (brief: "an approved or paid
 * invoice cannot be changed"; voided and abandoned are final; one in approval is changed by
 * restarting or disputing it, not by a PUT).
 */
export const INVOICE_FROZEN_STATUSES: readonly string[] = ['approved', 'voided', 'abandoned', 'pending_approval'];

/** Invoices that DELETE /api/invoices/:id may remove: ones that never entered approval. */
export const INVOICE_DELETABLE_STATUSES: readonly string[] = ['new', 'draft', 'invalid'];

export type TransitionResult = { ok: true; to: string } | { ok: false; reason: string };

/** The status after `action`, or why it cannot happen from `status`. */
export function transition(actions: Readonly<Record<string, Transition>>, action: string, status: string, noun: string): TransitionResult {
  const t = actions[action];
  if (!t) return { ok: false, reason: `Unknown action "${action}"; this ${noun} supports ${Object.keys(actions).join(', ')}` };
  if (!t.from.includes(status))
    return { ok: false, reason: `Cannot ${action.replace(/_/g, ' ')} a ${noun} in status ${status} (allowed from ${t.from.join(', ')})` };
  return { ok: true, to: t.to };
}
