import { NeedsReauthError } from '../../src-shared/domain/auth';
import {
  BudgetExhaustedError,
  ErrorBudgetExceededError,
  HttpNetworkError,
  HttpStatusError,
  HttpTimeoutError,
  redactString,
  UnauthorizedError,
} from '../connectors/_kit';
import { loadF1Mappings } from '../engine/flows/exact-procore/mappings';
import { suggestVendorLinks, type VendorSuggestion } from '../engine/flows/exact-procore/suggest';
import { IpcFailure } from './errors';
import type { F1Runtime } from './f1-runtime';

/**
 * Suggested Exact supplier → Procore vendor links, read from both systems now. The one place
 * that gathers what `suggestVendorLinks` matches: the CLI's `mappings suggest` and the Mappings
 * screen (through the engine) both call it. Nothing is linked here; the user saves the links.
 */
export interface VendorLinkSuggestions {
  suggestions: VendorSuggestion[];
  /** API calls this process made while reading (one list per system, plus any token call). */
  apiCalls: { exact: number; procore: number };
}

export async function suggestVendorLinksFromProcore(
  f1: Pick<F1Runtime, 'exact' | 'procore' | 'deps' | 'apiCalls'>,
): Promise<VendorLinkSuggestions> {
  const before = f1.apiCalls();
  const [suppliers, vendors] = await Promise.all([
    readOrExplain('Exact Online', 'the suppliers', () => f1.exact.readSuppliers()),
    readOrExplain('Procore', 'the vendors', () => f1.procore.listVendors()),
  ]);
  // Read after the lists: a link saved while they were read is not suggested again.
  const linked = new Set(loadF1Mappings(f1.deps.store).mappings.vendors.keys());
  const suggestions = suggestVendorLinks(
    suppliers.map((s) => ({ sourceId: s.id, code: s.code, name: s.name })),
    // An inactive vendor cannot take new commitments: linking a supplier to it would only park them.
    vendors.filter((v) => v.active),
    linked,
  );
  const after = f1.apiCalls();
  return {
    suggestions,
    apiCalls: { exact: after.exact - before.exact, procore: after.procore - before.procore },
  };
}

async function readOrExplain<T>(system: string, what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new IpcFailure('unavailable', explainReadFailure(system, what, error));
  }
}

/**
 * A sentence for a failed read that says what to do. Kit messages are already redacted; the
 * result is redacted again because it reaches the screen.
 */
export function explainReadFailure(system: string, what: string, error: unknown, now = Date.now()): string {
  const failed = `Could not read ${what} from ${system}`;
  const inMinutes = (resumeAt: number) => {
    const minutes = Math.max(1, Math.ceil((resumeAt - now) / 60_000));
    return `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  };
  if (error instanceof NeedsReauthError || error instanceof UnauthorizedError)
    return `${failed}: the sign-in has expired or was withdrawn. Connect ${system} again under Connections, then try again.`;
  if (error instanceof BudgetExhaustedError)
    return `${failed}: its API limit is used up for now. ${inMinutes(error.resumeAt)}`;
  if (error instanceof HttpStatusError && error.status === 429)
    return `${failed}: its API limit is used up for now. Try again in a few minutes.`;
  if (error instanceof ErrorBudgetExceededError)
    return `${failed}: too many calls failed this hour, so no more are made for now (so that ${system} does not block the app). ${inMinutes(error.resumeAt)}`;
  if (error instanceof HttpNetworkError || error instanceof HttpTimeoutError)
    return redactString(
      `${failed}: ${system} could not be reached (${error.message}). Check the network and try again.`,
    );
  if (error instanceof HttpStatusError)
    return `${failed}: ${system} answered HTTP ${error.status}. Try again in a few minutes.`;
  return redactString(`${failed}: ${error instanceof Error ? error.message : String(error)}`);
}
