/**
 * Public types of the Procore connector (re-exported by index.ts). Ids are digit STRINGS
 * everywhere (Procore ids can exceed 32 bits; a string never loses a digit); amounts are
 * decimal strings. They map 1:1 onto the F1 flow's PlannedCommitment / PlannedDirectCost /
 * PlannedLine / ProcoreReference (engine/flows/exact-procore/model.ts); the flow adapts.
 */
import type { KitClock, RetryPolicy } from '../_kit';

/** Hosts per environment (fact sheet §2.1). Tokens do not carry over between environments. */
export const PROCORE_ENVIRONMENTS = {
  production: { authBaseUrl: 'https://login.procore.com', apiBaseUrl: 'https://api.procore.com' },
  developerSandbox: {
    authBaseUrl: 'https://login-sandbox.procore.com',
    apiBaseUrl: 'https://sandbox.procore.com',
  },
  /** A customer's on-demand sandbox: production hosts and client, its own company id. */
  onDemandSandbox: { authBaseUrl: 'https://login.procore.com', apiBaseUrl: 'https://api.procore.com' },
  monthlySandbox: {
    authBaseUrl: 'https://login-sandbox-monthly.procore.com',
    apiBaseUrl: 'https://api-monthly.procore.com',
  },
} as const satisfies Record<string, { authBaseUrl: string; apiBaseUrl: string }>;

export type ProcoreEnvironment = keyof typeof PROCORE_ENVIRONMENTS;

export interface ProcoreSettings {
  /** The company the app (DMSA) is installed in; sent as Procore-Company-Id on every call. */
  companyId: string;
  /** https://api.procore.com, https://sandbox.procore.com, … or the local simulator. */
  apiBaseUrl: string;
  /** https://login.procore.com, https://login-sandbox.procore.com, … or the local simulator. */
  authBaseUrl: string;
  /** §2.6: 3,600 per hour and 25 per 10 s by default; the server's X-Rate-Limit-* headers win. */
  rateLimits?: { hourly?: number; spikePer10s?: number };
  /** Page size for lists (§2.4: ≤ 2,000 recommended); default 1000. */
  perPage?: number;
  /** Items per sync call (§2.5 caps it at 1000); default 1000. */
  syncChunkSize?: number;
  /** Ids per verification read (`filters[id][]=…` in the URL); default 100 keeps URLs < 4 KB. */
  idsPerRead?: number;
  /**
   * Commitment line-item syncs in flight at once (one call per commitment, §2.5); a whole
   * number from 1 to 16, default 4. 1 = strictly one call after another. Every call still
   * passes the company's rate budget, so this speeds up latency-bound runs, never the limits.
   */
  writeConcurrency?: number;
  /** Budget pacing and retry waits; tests inject a clock that moves simulator time. */
  clock?: KitClock;
  retry?: Partial<RetryPolicy>;
}

export interface ProcoreProject {
  id: string;
  name: string;
  projectNumber: string | null;
  active: boolean;
  originId: string | null;
}

export interface ProcoreVendor {
  id: string;
  name: string;
  active: boolean;
  originId: string | null;
  originCode: string | null;
}

export interface ProcoreReferenceData {
  /** Project id → name and its cost codes (full_code → id). */
  projects: Map<string, { name: string; costCodes: Map<string, string> }>;
  /** Line item type ("cost type") code → id, company level. */
  lineItemTypes: Map<string, string>;
  /** Active company vendor id → name. */
  vendors: Map<string, string>;
}

export interface LineUpsert {
  /** The source line id (Exact line guid); Procore's origin_id of the line. */
  originId: string;
  description: string;
  /** Decimal string with at most two decimals. */
  amount: string;
  quantity: string | null;
  unitCost: string | null;
  uom: string | null;
  costCodeId: string;
  lineItemTypeId: string;
}

export interface CommitmentUpsert {
  originId: string;
  projectId: string;
  vendorId: string;
  title: string;
  number: string;
  description: string;
  /** A purchase order status (Draft, Processing, Submitted, …, Approved, Closed). */
  status: string;
  /** YYYY-MM-DD. */
  contractDate: string;
  /** User-visible external id (e.g. the Exact PO number). */
  originCode: string;
  lines: LineUpsert[];
}

export interface DirectCostUpsert {
  originId: string;
  projectId: string;
  vendorId: string;
  invoiceNumber: string;
  /** YYYY-MM-DD. */
  date: string;
  description: string;
  status: 'draft' | 'pending' | 'revise_and_resubmit' | 'approved';
  lines: LineUpsert[];
}

export type UpsertResult =
  | {
      originId: string;
      ok: true;
      targetId: string;
      /** Line origin id → Procore line id. */
      lineIds: Map<string, string>;
      /** Procore's grand_total after the write; equals the sum of the lines sent, to the cent. */
      grandTotal: string;
    }
  | {
      originId: string;
      ok: false;
      /**
       * true: the call failed in transport (the write may or may not have happened: look it up
       * with find…ByOrigin before retrying); false: Procore or this connector refused the item.
       */
      retryable: boolean;
      /** One readable sentence for the finance user. */
      message: string;
      /** Procore's per-field errors (`base` for the record as a whole). */
      fieldErrors: Record<string, string[]>;
      /** Set when the header was written but its lines or the verification failed. */
      targetId: string | null;
    };

export type UpsertFailure = Extract<UpsertResult, { ok: false }>;

export interface FoundLine {
  id: string;
  originId: string | null;
  amount: string;
}

export interface FoundRecord {
  id: string;
  status: string | null;
  grandTotal: string;
  lines: FoundLine[];
}
