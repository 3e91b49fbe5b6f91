import { z } from 'zod';
import { AUDIT_STATUSES, AUDIT_STEPS } from '../domain/audit';
import { BUDGET_WINDOWS } from '../domain/budget';
import { PROCORE_WRITE_CONCURRENCY, SYSTEM_IDS, type SystemId } from '../domain/systems';
import type { IpcEventName, IpcMethodName } from './names';

/**
 * THE IPC contract: every method the renderer may call, with a zod schema for its request
 * (validated in main before any handler runs) and one for its response (main parses every
 * answer through it, which also strips any field the contract does not name, so a stray
 * secret on a store row cannot reach the renderer). Events are listed separately.
 *
 * Secrets travel one way only: the renderer may send a secret in `connections.save`; nothing
 * ever sends one back. Responses say which secret fields are set, never their values.
 */

// ---------------------------------------------------------------------------------------------
// Shared pieces

export { PROCORE_WRITE_CONCURRENCY, SYSTEM_IDS, type SystemId };

/**
 * Fields that hold secrets, per system. They are stored only in the OS keychain
 * (CredentialStore); `connections.save` refuses them (and anything named like a secret) in
 * `settings`, which go to SQLite. The store's own guard (src-main/store/secret-guard.ts) checks
 * nested members too.
 */
export const SECRET_FIELDS: Readonly<Record<SystemId, readonly string[]>> = {
  'exact-online': ['clientSecret', 'accessToken', 'refreshToken'],
  procore: ['clientSecret', 'accessToken', 'refreshToken'],
  acumatica: ['password', 'clientSecret', 'accessToken', 'refreshToken'],
  'sage-intacct': ['senderPassword', 'userPassword'],
  monday: ['apiToken'],
  coupa: ['clientSecret', 'accessToken'],
};

/**
 * The secret fields one connection holds, by how it signs in: a monday.com connection signed in
 * through the user's monday app (settings `auth: 'oauth'`) keeps the app's client secret and a
 * sign-in (`tokens`) instead of a personal API token.
 */
export function connectionSecretFields(system: SystemId, settings: Readonly<Record<string, unknown>>): readonly string[] {
  return system === 'monday' && settings['auth'] === 'oauth' ? ['clientSecret', 'tokens'] : SECRET_FIELDS[system];
}

/**
 * True for a settings name that names a secret: a declared secret field of the system, or a
 * name ending in secret/password/token/apiKey/privateKey/credentials (case, "-", "_" and "."
 * ignored). Names that merely mention one (tokenUrl, accessTokenExpiresAt) are settings.
 */
export function isSecretSettingName(system: SystemId, name: string): boolean {
  const normalized = name.toLowerCase().replace(/[-_.]/g, '');
  if (SECRET_FIELDS[system].some((field) => field.toLowerCase() === normalized)) return true;
  return /(secret|password|passwd|token|apikey|privatekey|credentials?)$/.test(normalized);
}

/** 'sandbox' talks to the embedded simulators; 'live' to the real system. */
export const CONNECTION_MODES = ['live', 'sandbox'] as const;
/** What the renderer may know about a connection's credentials (never the credentials). */
export const CONNECTION_STATUSES = ['not-connected', 'connected', 'needs-reauth', 'secret-refused', 'error'] as const;

const isoTimestamp = z.iso.datetime({ offset: true });
const id = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const flowId = z.string().trim().min(1).max(64);
const pageLimit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);
const seq = z.number().int().min(0);
const noRequest = z.strictObject({}).prefault({});

// ---------------------------------------------------------------------------------------------
// Record names and money (issue 17, decision 0022; src-shared/domain/labels.ts)

const decimalText = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number');
const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO currency code');

/** How finance names a record: "PO 20010 · Bouwmaterialen Groothandel Koster B.V. · € 39.854,50". */
export const recordLabelSchema = z.object({
  documentType: z.string(),
  shortType: z.string(),
  number: z.string().nullable(),
  counterparty: z.string().nullable(),
  counterpartyCode: z.string().nullable(),
  project: z.string().nullable(),
  /** yyyy-mm-dd. */
  date: z.string().nullable(),
  /** Exact decimal string; never a binary float. */
  amount: decimalText.nullable(),
  currency: currencyCode.nullable(),
});

/** The target document: "Procore commitment 20001 (id 562949953421312)". */
export const targetLabelSchema = z.object({
  system: z.string(),
  documentType: z.string(),
  number: z.string().nullable(),
  id: z.string().nullable(),
  counterparty: z.string().nullable(),
  project: z.string().nullable(),
  amount: decimalText.nullable(),
  currency: currencyCode.nullable(),
  codes: z.record(z.string(), z.string()).optional(),
});

/** Money per currency (several currencies are listed, never added up). */
export const moneyTotalSchema = z.object({ currency: currencyCode, amount: decimalText });
const moneyTotalsSchema = z.array(moneyTotalSchema);

const valueKind = z.enum(['text', 'amount', 'quantity', 'date']);
/** The record view: the source document beside the target's, field by field and line by line. */
export const recordComparisonSchema = z.object({
  sourceTitle: z.string(),
  targetTitle: z.string(),
  fields: z.array(
    z.object({
      label: z.string(),
      kind: valueKind,
      source: z.string().nullable(),
      target: z.string().nullable(),
      currency: z.string().nullable(),
      compared: z.boolean(),
      differs: z.boolean(),
    }),
  ),
  lineColumns: z.array(z.object({ id: z.string(), label: z.string(), kind: valueKind, compared: z.boolean() })),
  lines: z.array(
    z.object({
      key: z.string(),
      source: z.record(z.string(), z.string().nullable()).nullable(),
      target: z.record(z.string(), z.string().nullable()).nullable(),
      differs: z.array(z.string()),
    }),
  ),
  currency: z.string().nullable(),
});
export type RecordComparisonView = z.infer<typeof recordComparisonSchema>;

/** Money of one flow: what is in the target, what waits, by project and by counterparty. */
const moneyGroupSchema = z.object({
  /** The project or counterparty as labelled ("P26-005 Riverside Medical Centre"); '' when unknown. */
  name: z.string(),
  synced: moneyTotalsSchema,
  documents: z.number().int(),
  waiting: moneyTotalsSchema,
  waitingRecords: z.number().int(),
});
export const flowMoneySchema = z.object({
  flow: z.string(),
  title: z.string(),
  /** Totals of the documents the flow wrote and confirmed in the target (their current written values). */
  synced: z.object({ totals: moneyTotalsSchema, documents: z.number().int() }),
  /** Open records in Pending validation: their value and how long the oldest has waited. */
  waiting: z.object({ totals: moneyTotalsSchema, records: z.number().int(), oldestParkedAt: isoTimestamp.nullable() }),
  /** Projects by name, counterparties largest first (synced + waiting, first currency); at most MONEY_GROUP_LIMIT each. */
  byProject: z.array(moneyGroupSchema),
  byCounterparty: z.array(moneyGroupSchema),
});
export type FlowMoney = z.infer<typeof flowMoneySchema>;
export const MONEY_GROUP_LIMIT = 25;

// ---------------------------------------------------------------------------------------------
// Views (what responses carry)

export const connectionViewSchema = z.object({
  id,
  system: z.enum(SYSTEM_IDS),
  label: z.string(),
  mode: z.enum(CONNECTION_MODES),
  /** Non-secret settings (base URL, client id, division, column mapping…). */
  settings: z.record(z.string(), z.json()),
  /** One entry per secret field of the system: true when the keychain holds a value. */
  secrets: z.record(z.string(), z.boolean()),
  status: z.enum(CONNECTION_STATUSES),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type ConnectionView = z.infer<typeof connectionViewSchema>;

export const runViewSchema = z.object({
  id,
  flow: z.string(),
  trigger: z.string(),
  status: z.string(),
  startedAt: isoTimestamp,
  endedAt: isoTimestamp.nullable(),
  /** E.g. {"fetched":120,"written":100,"parked":3}. */
  counts: z.record(z.string(), z.number()),
  /** Plain-language reason a run failed. */
  error: z.string().nullable(),
  /** Value of the documents the run wrote (created or updated), per currency. */
  written: z.array(moneyTotalSchema.extend({ documents: z.number().int() })).optional(),
});
export type RunView = z.infer<typeof runViewSchema>;

export const auditEntryViewSchema = z.object({
  /** Position in the hash chain (1, 2, 3…). */
  seq: z.number().int(),
  at: isoTimestamp,
  flow: z.string(),
  runId: z.string().nullable(),
  entity: z.string(),
  sourceId: z.string().nullable(),
  step: z.enum(AUDIT_STEPS),
  status: z.enum(AUDIT_STATUSES),
  mappingVersion: z.number().int().nullable(),
  targetSystem: z.string().nullable(),
  targetId: z.string().nullable(),
  /** Exact decimal string; never a binary float. */
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  /** One line in finance language. Snapshots and payloads stay in main (they can be large). */
  message: z.string(),
  prevHash: z.string(),
  hash: z.string(),
  /** The record as finance names it (null on entries written before labels, or about no record). */
  label: recordLabelSchema.nullable(),
  /** The target document written (null before it was written). */
  targetLabel: targetLabelSchema.nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntryViewSchema>;

export const parkedRecordViewSchema = z.object({
  id: z.number().int(),
  flow: z.string(),
  stream: z.string(),
  sourceId: z.string(),
  /** Stable machine code, e.g. 'unmapped-cost-code'. */
  reasonCode: z.string(),
  /**
   * 'parked': not written yet, waits for a fix; 'flagged': written anyway ("created, needs
   * review") and listed until it is written again without the problem.
   */
  state: z.enum(['parked', 'flagged']),
  /** The same reason in finance language, for the person fixing the mapping. */
  reasonText: z.string(),
  details: z.json(),
  mappingVersion: z.number().int().nullable(),
  /** First time it was parked. */
  parkedAt: isoTimestamp,
  /** Last time a run parked it again. */
  updatedAt: isoTimestamp,
  /** The record as finance names it (from its snapshot when it was parked before labels existed). */
  label: recordLabelSchema,
  /** The audit entry that parked it last: the number `replay` and the Audit history show. */
  auditSeq: z.number().int().nullable(),
});
export type ParkedRecordView = z.infer<typeof parkedRecordViewSchema>;

// ---------------------------------------------------------------------------------------------
// Requests

const settingsKey = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'setting names are letters, digits, "_", "." or "-" (max 64)');

export const connectionSaveRequestSchema = z
  .strictObject({
    /** Omit to create; give an existing id to update. */
    id: id.optional(),
    system: z.enum(SYSTEM_IDS),
    label: z
      .string()
      .trim()
      .min(1, 'a connection needs a name')
      .max(100, 'the name must be at most 100 characters'),
    mode: z.enum(CONNECTION_MODES),
    /** Replaces the stored settings as a whole (the screen sends the complete form). */
    settings: z.record(settingsKey, z.json()).default({}),
    /** Write-only: a string sets the secret, null removes it, an absent field is left as is. */
    secrets: z.record(z.string(), z.string().min(1).max(8000).nullable()).default({}),
  })
  .superRefine((req, ctx) => {
    const secretFields = connectionSecretFields(req.system, req.settings);
    for (const key of Object.keys(req.settings)) {
      if (isSecretSettingName(req.system, key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['settings', key],
          message: `"${key}" looks like a secret; send it in "secrets" so it goes to the OS keychain, not the database`,
        });
      }
    }
    for (const key of Object.keys(req.secrets)) {
      if (!secretFields.includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['secrets', key],
          message: `"${key}" is not a secret field of ${req.system} (expected one of: ${secretFields.join(', ')})`,
        });
      }
    }
  });

export const auditFilterSchema = z.strictObject({
  flow: flowId.optional(),
  entity: z.string().trim().min(1).max(64).optional(),
  status: z.enum(AUDIT_STATUSES).optional(),
  step: z.enum(AUDIT_STEPS).optional(),
  runId: id.optional(),
  /** Inclusive lower bound on `at`. */
  from: isoTimestamp.optional(),
  /** Exclusive upper bound on `at`. */
  to: isoTimestamp.optional(),
  /** Case-insensitive substring of source id, target id or message. */
  text: z.string().trim().min(1).max(200).optional(),
});
export type AuditFilterRequest = z.infer<typeof auditFilterSchema>;

// ---------------------------------------------------------------------------------------------
// Audit detail, mappings, validation queue and the sync engine (issue 5: the renderer's screens)

/** One audit entry with what the list leaves out: the source snapshot, target payload and result. */
export const auditEntryDetailSchema = auditEntryViewSchema.extend({
  sourceSnapshot: z.json().nullable(),
  targetPayload: z.json().nullable(),
  result: z.json().nullable(),
  /** Source and target side by side (null when the flow cannot show this entry's record so). */
  comparison: recordComparisonSchema.nullable(),
  /** The versions of the flow's tables the entry's mapping version stands for: "Projects v1 · Cost codes v2 · Vendors v1". */
  mappingVersionNames: z.string().nullable().optional(),
});
export type AuditEntryDetail = z.infer<typeof auditEntryDetailSchema>;

/**
 * Where an export landed; the host decides (src-main/host/exports.ts): 'file' written under
 * `<dataDir>/exports` (CLI, hosts without a dialog or browser), 'saved' where the user chose in
 * the desktop app's save dialog, 'download' a one-time download the page starts from
 * `downloadUrl` (browser host), 'cancelled' the user closed the save dialog (nothing written).
 */
export const EXPORT_DELIVERIES = ['file', 'saved', 'download', 'cancelled'] as const;
const exportedFileSchema = z.object({
  delivery: z.enum(EXPORT_DELIVERIES),
  /** The file's name (the download's name in the browser). */
  fileName: z.string(),
  /** Where it was written ('file', 'saved'); null otherwise. */
  path: z.string().nullable(),
  /** Rows written, or rows the download holds; null when cancelled or not known. */
  rows: z.number().int().nullable(),
  /** 'download' only: same-origin address of the download (works once, for a minute). */
  downloadUrl: z.string().optional(),
});
export type ExportedFile = z.infer<typeof exportedFileSchema>;

const mappingSetName = z.string().trim().min(1).max(64);
/** Source key of a mapping row, e.g. {"glAccountCode":"4400","costCenterCode":"KST-12","costUnitCode":null}. */
const mappingSourceKeySchema = z.record(z.string().max(64), z.string().max(200).nullable());
const mappingTargetSchema = z.record(z.string().max(64), z.string().max(200));
export const mappingRowSchema = z.strictObject({
  sourceKey: mappingSourceKeySchema,
  target: mappingTargetSchema,
});
export type MappingRowView = z.infer<typeof mappingRowSchema>;

export const mappingVersionViewSchema = z.object({
  /** 1, 2, 3… within the set. */
  version: z.number().int(),
  /** Unique across all sets: what audit entries and parked records store as their mapping version. */
  id: z.number().int(),
  note: z.string(),
  createdAt: isoTimestamp,
  rowCount: z.number().int(),
});
export type MappingVersionView = z.infer<typeof mappingVersionViewSchema>;

/** A source value that open parked records need and the set does not map yet. */
export const unmappedValueSchema = z.object({
  mappingKey: z.string(),
  sourceKey: mappingSourceKeySchema,
  /** Open parked records waiting for it. */
  openParked: z.number().int(),
  reasonCodes: z.array(z.string()),
  /** A target the user may accept, with why it is suggested (null when there is no basis). */
  suggestion: z.object({ target: mappingTargetSchema, reason: z.string() }).nullable(),
});
export type UnmappedValue = z.infer<typeof unmappedValueSchema>;

/** Why a Procore vendor is suggested for an Exact supplier, strongest evidence first. */
export const VENDOR_MATCH_KINDS = ['origin_code', 'origin_id', 'name'] as const;
export type VendorMatchKind = (typeof VENDOR_MATCH_KINDS)[number];

/** A supplier that is not linked yet and the one active Procore vendor the evidence points at. */
export const vendorLinkSuggestionSchema = z.object({
  supplierCode: z.string(),
  supplierName: z.string(),
  vendorId: z.string(),
  vendorName: z.string(),
  /** origin_code: the vendor's External ID is the supplier code; origin_id: its origin id is the Exact account id. */
  matchedBy: z.enum(VENDOR_MATCH_KINDS),
});
export type VendorLinkSuggestion = z.infer<typeof vendorLinkSuggestionSchema>;

/** After a mapping change the engine re-queues the parked records it affects (null: engine not running). */
const requeueSchema = z.object({ requeued: z.number().int().nullable(), requeueMessage: z.string() });

// ---------------------------------------------------------------------------------------------
// Pickers, validated imports and "create this vendor" (issue 17: speak finance)

/** A picker option (src-shared/ipc/mapping-sets.ts ReferenceOption): the stored value and what the user reads. */
export const referenceOptionSchema = z.object({
  value: z.string(),
  label: z.string(),
  code: z.string().nullable(),
  detail: z.string().nullable(),
  inactive: z.boolean().optional(),
  within: z.string().optional(),
});

/** The options of one field's picker, or why they could not be read (the field is then typed by hand). */
export const referenceFieldSchema = z.object({
  system: z.enum(SYSTEM_IDS),
  options: z.array(referenceOptionSchema),
  error: z.string().nullable(),
  /** Where the options come from, when the system has several (a Coupa chart of accounts: "chart Bouwbedrijf"). */
  scope: z.string().optional(),
});
export type ReferenceFieldView = z.infer<typeof referenceFieldSchema>;

/** One line of a file (or row of the table) and what is wrong with it; `line` null = the file as a whole. */
const importNoteSchema = z.object({ line: z.number().int().nullable(), message: z.string() });

/** What importing a mapping file would do, before anything is saved. */
export const mappingImportPreviewSchema = z.object({
  /** Rows read from the file (header not counted). */
  rows: z.number().int(),
  /** The column separator found in the header line. */
  separator: z.enum([',', ';']),
  /** Why the file cannot be imported as it is (empty when it can); each names its line. */
  problems: z.array(importNoteSchema),
  /** Imported anyway, but worth a look: source values the source system does not know. */
  flags: z.array(importNoteSchema),
  /**
   * Rows carried over unchanged from the current version whose target value the target system
   * lacks (decision 0027): imported, and the records using them keep waiting in Pending.
   */
  warnings: z.array(importNoteSchema),
  /** Compared with the current version, by source key. */
  changes: z.object({
    added: z.number().int(),
    changed: z.number().int(),
    removed: z.number().int(),
    unchanged: z.number().int(),
  }),
  /** The file holds exactly the current version's rows: importing it makes no new version. */
  identical: z.boolean(),
  impact: z.object({
    /** Open parked records every reason of which this change addresses (they are retried after the import). */
    releases: z.number().int(),
    /** Records already written whose coding this change alters (a replay or a change at the source rewrites them). */
    recoded: z.number().int(),
  }),
  /** Null when the target values were checked against the target system; otherwise why they were not. */
  unchecked: z.string().nullable(),
  current: mappingVersionViewSchema.nullable(),
  /** The name the import would get, e.g. "Cost codes v3" (null when identical). */
  nextVersionName: z.string().nullable(),
});
export type MappingImportPreview = z.infer<typeof mappingImportPreviewSchema>;

/** What "Create this vendor in Procore" would write, read from the source, before anything is created. */
export const counterpartyPreviewSchema = z.object({
  /** E.g. 'Create vendor “Bouwmaterialen Groothandel Koster B.V.” in Procore'. */
  title: z.string(),
  /** E.g. "Exact Online supplier 40030". */
  source: z.string(),
  /** The fields the new record gets, as labelled values. */
  fields: z.array(z.object({ label: z.string(), value: z.string() })),
  /** Target records that may be the same one (link one of them instead of creating another). */
  similar: z.array(referenceOptionSchema),
  /** Why it cannot be created (null when it can). */
  blocked: z.string().nullable(),
});
export type CounterpartyPreview = z.infer<typeof counterpartyPreviewSchema>;

export const parkedRecordDetailSchema = parkedRecordViewSchema.extend({
  /** Mapping keys (see src-shared/domain/validation.ts) that would fix it. */
  mappingKeys: z.array(z.string()),
  /** The source record as fetched (its snapshot), when the engine recorded one. */
  source: z.json().nullable(),
  /** The source document beside what the target holds for it (null when the flow cannot show it so). */
  comparison: recordComparisonSchema.nullable(),
});
export type ParkedRecordDetail = z.infer<typeof parkedRecordDetailSchema>;

export const parkedGroupSchema = z.object({
  flow: z.string(),
  reasonCode: z.string(),
  /** Every record of a group has this state (the reason code tells them apart). */
  state: z.enum(['parked', 'flagged']),
  /** The reason in finance language (of the group's first record). */
  reasonText: z.string(),
  count: z.number().int(),
  mappingKeys: z.array(z.string()),
  /** At most PARKED_GROUP_RECORD_LIMIT records; `count` is the full number. */
  records: z.array(parkedRecordDetailSchema),
  /** Value of all `count` records, per currency. */
  totals: moneyTotalsSchema,
  /** When the longest-waiting record of the group was parked. */
  oldestParkedAt: isoTimestamp,
});
export type ParkedGroup = z.infer<typeof parkedGroupSchema>;
export const PARKED_GROUP_RECORD_LIMIT = 200;

export const flowOverviewSchema = z.object({
  flow: z.string(),
  title: z.string(),
  /** Why the flow cannot run in this process (what to connect), or null when it can. */
  unavailable: z.string().nullable(),
  connections: z.array(
    z.object({
      id: z.string(),
      system: z.enum(SYSTEM_IDS),
      label: z.string(),
      status: z.enum(CONNECTION_STATUSES),
      /** 'sandbox' signs in by itself; absent from older engines (read as 'live'). */
      mode: z.enum(CONNECTION_MODES).optional(),
      tokenExpiresAt: isoTimestamp.nullable(),
      /** E.g. "Exact Online sign-in expires in 3 days: reconnect before then." */
      warning: z.string().nullable(),
      /**
       * Its API request budget in the window polls are spaced by (Exact: today, Procore: this
       * hour); absent when no engine runs. `used`/`left` null: not known yet.
       */
      budget: z
        .object({
          window: z.enum(BUDGET_WINDOWS),
          used: z.number().int().nullable(),
          left: z.number().int().nullable(),
          limit: z.number().int().nullable(),
          nextSafeRunAt: isoTimestamp,
        })
        .optional(),
    }),
  ),
  lastRun: runViewSchema.nullable(),
  nextRunAt: isoTimestamp.nullable(),
  /** The flow's schedule as the Settings screen shows it (so both screens say the same about the next run). */
  schedule: z.lazy(() => scheduleViewSchema).optional(),
  counts: z.object({
    synced: z.number().int(),
    /** Records held back until a fix (parked). */
    parked: z.number().int(),
    /** Records written anyway and listed for review ("created, needs review"); absent = none. */
    needsReview: z.number().int().optional(),
    failed: z.number().int(),
  }),
  running: z
    .object({ runId: z.string(), processed: z.number().int(), total: z.number().int().nullable() })
    .nullable(),
  recentRuns: z.array(
    z.object({
      runId: z.string(),
      startedAt: isoTimestamp,
      records: z.number().int(),
      errors: z.number().int(),
    }),
  ),
});
export type FlowOverview = z.infer<typeof flowOverviewSchema>;

const mappingFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  optional: z.boolean().optional(),
  reference: z.object({ list: z.string(), system: z.enum(SYSTEM_IDS) }).optional(),
});

/** What the screens need to know about a flow, whether or not it can run here (the registry, sent once). */
export const flowCatalogEntrySchema = z.object({
  flow: z.string(),
  title: z.string(),
  systems: z.array(z.enum(SYSTEM_IDS)),
  mappingSets: z.array(
    z.object({
      flow: z.string(),
      set: z.string(),
      title: z.string(),
      description: z.string(),
      keyPrefix: z.string(),
      sourceFields: z.array(mappingFieldSchema),
      targetFields: z.array(mappingFieldSchema),
      suggestsCounterpartyLinks: z.boolean().optional(),
      counterpartyNouns: z.object({ source: z.string(), target: z.string() }).optional(),
      createsCounterparty: z.object({ noun: z.string(), system: z.enum(SYSTEM_IDS) }).optional(),
      connectionPicker: z
        .object({
          system: z.enum(SYSTEM_IDS),
          action: z.string(),
          intro: z.string(),
          fields: z.array(z.string()).readonly(),
          defaults: z.record(z.string(), z.string()),
        })
        .optional(),
    }),
  ),
  /** The kinds of record its audit entries are about, with the words the screens use ("Purchase order"). */
  documents: z.array(z.object({ entity: z.string(), label: z.string() })),
});
export type FlowCatalogEntry = z.infer<typeof flowCatalogEntrySchema>;

/** A reconciliation's cause of a difference (src-main/engine/reconcile). */
export const RECON_CAUSES = ['parked', 'not-yet-synced', 'changed-in-target', 'deleted-at-source', 'rounding', 'target-only', 'unexplained'] as const;

const reconGroupSchema = z.object({
  key: z.string(),
  label: z.string(),
  currency: z.string(),
  expected: z.string(),
  actual: z.string(),
  difference: z.string(),
  documents: z.number().int(),
  differing: z.number().int(),
  unexplained: z.number().int(),
  causes: z.partialRecord(z.enum(RECON_CAUSES), z.number().int()),
});
export type ReconGroupView = z.infer<typeof reconGroupSchema>;

/** Do the two systems agree? Source vs target, to the cent, every difference with its cause. */
export const reconciliationSchema = z.object({
  flow: z.string(),
  title: z.string(),
  generatedAt: isoTimestamp,
  records: z.array(
    z.object({
      sourceId: z.string(),
      documentType: z.string(),
      documentNumber: z.string(),
      counterparty: z.string().nullable(),
      project: z.string().nullable(),
      currency: z.string(),
      targetKey: z.string(),
      targetId: z.string().nullable().optional(),
      /** What the source says the target should hold; null: the source has no such record now. */
      expected: z.string().nullable(),
      /** What the target holds; null: nothing. */
      actual: z.string().nullable(),
      difference: z.string(),
      cause: z.enum(RECON_CAUSES).nullable(),
      explanation: z.string().nullable(),
      /** In the target only: no source document accounts for it (e.g. an item typed onto a monday board). */
      targetOnly: z.boolean().optional(),
    }),
  ),
  documents: z.array(reconGroupSchema),
  byProject: z.array(reconGroupSchema),
  byCounterparty: z.array(reconGroupSchema),
  totals: z.array(reconGroupSchema),
  unexplained: z.number().int(),
  apiCalls: z.record(z.string(), z.number().int()),
  /** The two systems by name, when the flow reports records in the target only. */
  systems: z.object({ source: z.string(), target: z.string() }).optional(),
  /** Where the CSV of every compared record was written (data folder exports). */
  csvPath: z.string(),
});
export type ReconciliationView = z.infer<typeof reconciliationSchema>;

/** Limits of a flow's background cadence (minutes). */
export const SCHEDULE_MIN_MINUTES = 5;
export const SCHEDULE_MAX_MINUTES = 1440;
/** Scheduler states, plus 'not-running' when this process runs no engine (settings still save). */
export const SCHEDULE_STATES = ['idle', 'running', 'paused', 'backoff', 'waiting-for-budget', 'not-running'] as const;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 07:00 (24-hour HH:MM)');

/** Scheduled runs only inside this window; days are ISO weekdays (1 = Monday … 7 = Sunday). */
export const activeHoursSchema = z
  .strictObject({
    from: clockTime,
    to: clockTime,
    days: z
      .array(z.number().int().min(1, 'days are 1 (Monday) to 7 (Sunday)').max(7, 'days are 1 (Monday) to 7 (Sunday)'))
      .min(1, 'choose at least one day')
      .refine((days) => new Set(days).size === days.length, 'each day only once'),
  })
  .refine((hours) => hours.from !== hours.to, {
    message: 'from must be before to, or the window runs past midnight; from and to cannot be the same time',
    path: ['to'],
  });
export type ActiveHoursSetting = z.infer<typeof activeHoursSchema>;

/** What the user chooses per flow on the Settings screen (stored as JSON in the settings table). */
export const scheduleSettingsSchema = z.strictObject({
  everyMinutes: z
    .number()
    .int('must be whole minutes')
    .min(SCHEDULE_MIN_MINUTES, `must be at least ${SCHEDULE_MIN_MINUTES} minutes`)
    .max(SCHEDULE_MAX_MINUTES, `must be at most ${SCHEDULE_MAX_MINUTES} minutes (once a day)`),
  paused: z.boolean(),
  activeHours: activeHoursSchema.nullable(),
});
export type ScheduleSettings = z.infer<typeof scheduleSettingsSchema>;

export const scheduleViewSchema = z.object({
  flow: z.string(),
  title: z.string(),
  everyMinutes: z.number().int(),
  paused: z.boolean(),
  activeHours: activeHoursSchema.nullable(),
  nextRunAt: isoTimestamp.nullable(),
  state: z.enum(SCHEDULE_STATES),
  /** Why nothing runs the schedule here (state 'not-running'), in words that say where it does; null otherwise. */
  reason: z.string().nullable().optional(),
});
export type ScheduleView = z.infer<typeof scheduleViewSchema>;

export const REPLAY_OUTCOMES = ['written', 'unchanged', 'parked', 'failed'] as const;

// ---------------------------------------------------------------------------------------------
// Live sign-in (Exact Online: RFC 8252 loopback + PKCE; Procore: client credentials)

/** Exact Online's regional hosts: https://start.exactonline.<region>. */
export const EXACT_REGIONS = ['nl', 'be', 'de', 'co.uk', 'fr', 'es', 'com'] as const;
export type ExactRegionId = (typeof EXACT_REGIONS)[number];
/** Procore's environments (hosts are in the Procore connector). */
export const PROCORE_ENVIRONMENT_IDS = [
  'production',
  'developerSandbox',
  'onDemandSandbox',
  'monthlySandbox',
] as const;

/** Write-only: goes to the OS keychain, never back to the renderer, never into SQLite or logs. */
const clientSecret = z.string().min(1, 'the client secret is required').max(8000);
const clientIdField = z.string().trim().min(1, 'the client id is required').max(200);
/** A host override (the sandbox's simulators): http(s) only. */
const baseUrlOverride = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000);

export const exactDivisionSchema = z.object({ code: z.number().int(), name: z.string() });

export const SIGNIN_OUTCOMES = ['connected', 'failed'] as const;
/** How a browser sign-in ended (event 'connection.signin'; also what a pasted address returns). */
export const signinOutcomeSchema = z.object({
  connectionId: id,
  outcome: z.enum(SIGNIN_OUTCOMES),
  /** Plain language: who signed in and which division, or what went wrong. */
  message: z.string(),
  /** The user's Exact Online divisions (connected only), for the division picker. */
  divisions: z.array(exactDivisionSchema).optional(),
  /** The division now stored on the connection (connected only). */
  division: z.number().int().optional(),
});
export type SigninOutcome = z.infer<typeof signinOutcomeSchema>;

/** A browser sign-in has started (connections.connectExact / connectMonday): the address to open. */
export const browserSigninStartedSchema = z.object({
  authorizationUrl: z.string(),
  /** False when nothing listens on the redirect URI (https): the user must paste the address. */
  listening: z.boolean(),
});

// ---------------------------------------------------------------------------------------------
// The method map

export const ipcContract = {
  'app.status': {
    request: noRequest,
    response: z.object({
      appVersion: z.string(),
      dataDir: z.string(),
      schemaVersion: z.number().int(),
      counts: z.object({
        connections: z.number().int(),
        auditEntries: z.number().int(),
        openParked: z.number().int(),
      }),
      /** Last audit entry (worth noting down outside the app as a tamper anchor); null when empty. */
      auditHead: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
    }),
  },
  'connections.list': {
    request: noRequest,
    response: z.object({
      connections: z.array(connectionViewSchema),
      /**
       * Why the OS keychain cannot be read (no D-Bus session, locked…): the connections are listed
       * anyway, with `secrets` empty (not known). Null or absent when it works.
       */
      keychainProblem: z.string().nullable().optional(),
    }),
  },
  'connections.save': {
    request: connectionSaveRequestSchema,
    response: z.object({ connection: connectionViewSchema, created: z.boolean() }),
  },
  'connections.delete': {
    request: z.strictObject({ id }),
    response: z.object({ id, removedSecrets: z.array(z.string()) }),
  },
  'runs.list': {
    /** Newest first. */
    request: z.strictObject({ flow: flowId.optional(), limit: pageLimit(500, 50) }).prefault({}),
    response: z.object({ runs: z.array(runViewSchema) }),
  },
  'audit.query': {
    /**
     * Keyset paging, newest first: pass the last entry's seq as `beforeSeq` for the next (older)
     * page, or the first entry's seq as `afterSeq` for the newer one.
     */
    request: z
      .strictObject({
        filter: auditFilterSchema.default({}),
        limit: pageLimit(1000, 100),
        beforeSeq: seq.optional(),
        afterSeq: seq.optional(),
      })
      .refine((req) => req.beforeSeq === undefined || req.afterSeq === undefined, {
        message: 'give beforeSeq or afterSeq, not both',
        path: ['afterSeq'],
      })
      .prefault({}),
    response: z.object({ entries: z.array(auditEntryViewSchema), hasMore: z.boolean() }),
  },
  'audit.verify': {
    request: noRequest,
    response: z.object({
      intact: z.boolean(),
      checked: z.number().int(),
      /** First entry that is edited, missing or out of order (null when intact). */
      firstBadSeq: z.number().int().nullable(),
      /** 'missing-rows' | 'broken-link' | 'edited' | 'time-out-of-order' (null when intact). */
      problem: z.string().nullable(),
      /** What is wrong, in plain language (null when intact). */
      reason: z.string().nullable(),
    }),
  },
  'parked.list': {
    /** Open (unresolved) parked records, grouped by flow and reason. */
    request: z
      .strictObject({ flow: flowId.optional(), reasonCode: z.string().trim().min(1).max(64).optional() })
      .prefault({}),
    response: z.object({ records: z.array(parkedRecordViewSchema) }),
  },
  'audit.get': {
    request: z.strictObject({ seq: z.number().int().min(1) }),
    response: z.object({ entry: auditEntryDetailSchema }),
  },
  'audit.exportCsv': {
    /** Every entry matching the filter, streamed as `audit-<timestamp>.csv` where the host delivers exports. */
    request: z.strictObject({ filter: auditFilterSchema.default({}) }).prefault({}),
    response: exportedFileSchema,
  },
  'parked.groups': {
    /** Open parked records grouped by flow and reason (largest group first). */
    request: z.strictObject({ flow: flowId.optional() }).prefault({}),
    response: z.object({ groups: z.array(parkedGroupSchema) }),
  },
  'parked.retry': {
    /** Engine: retries the given records, or a whole reason group, or every open record of the flow. */
    request: z.strictObject({
      flow: flowId,
      ids: z.array(z.number().int().min(1)).min(1).max(10_000).optional(),
      reasonCode: z.string().trim().min(1).max(64).optional(),
    }),
    response: z.object({
      retried: z.number().int(),
      written: z.number().int(),
      stillParked: z.number().int(),
      failed: z.number().int(),
    }),
  },
  'mappings.get': {
    /** The current version of a set (or `version`), its history (newest first) and the unmapped values. */
    request: z.strictObject({
      flow: flowId,
      set: mappingSetName,
      version: z.number().int().min(1).optional(),
    }),
    response: z.object({
      flow: z.string(),
      set: z.string(),
      current: mappingVersionViewSchema.nullable(),
      /** The version whose rows are listed (null when the set has no version yet). */
      shown: mappingVersionViewSchema.nullable(),
      rows: z.array(mappingRowSchema),
      versions: z.array(mappingVersionViewSchema),
      unmapped: z.array(unmappedValueSchema),
    }),
  },
  'mappings.save': {
    /** Saves the complete rows as the set's next version; earlier versions stay as they were. */
    request: z.strictObject({
      flow: flowId,
      set: mappingSetName,
      rows: z.array(mappingRowSchema).max(50_000),
      note: z.string().trim().max(500).default(''),
      /** The version the user edited; a newer current version means somebody else saved first (conflict). */
      baseVersion: z.number().int().min(1).nullable().optional(),
    }),
    response: z
      .object({
        version: mappingVersionViewSchema,
        /** False when the rows equal the current version's: no new version was made. */
        created: z.boolean().optional(),
        /** "Cost codes v3". */
        versionName: z.string().optional(),
        /** Rows carried over unchanged whose target value the target system lacks (decision 0027), by row. */
        warnings: z.array(z.string()).optional(),
      })
      .extend(requeueSchema.shape),
  },
  'mappings.exportCsv': {
    request: z.strictObject({
      flow: flowId,
      set: mappingSetName,
      version: z.number().int().min(1).optional(),
    }),
    response: exportedFileSchema,
  },
  'mappings.importCsv': {
    /** The whole file's text; all rows are checked first, and nothing is saved if any row is wrong. */
    request: z.strictObject({
      flow: flowId,
      set: mappingSetName,
      csv: z
        .string()
        .min(1, 'the file is empty; choose a CSV file with a header row and at least one row')
        .max(900_000, 'the file is larger than 900 kB, the most one import takes'),
      note: z.string().trim().max(500).default(''),
    }),
    response: z
      .object({
        version: mappingVersionViewSchema,
        rows: z.number().int(),
        /** False when the file holds the current version's rows: no new version was made. */
        created: z.boolean().optional(),
        versionName: z.string().optional(),
        /** Lines carried over unchanged whose target value the target system lacks (decision 0027). */
        warnings: z.array(z.string()).optional(),
      })
      .extend(requeueSchema.shape),
  },
  'mappings.previewImport': {
    /**
     * What importing the file would do, saving nothing: every target value checked against the
     * target system (engine), every source value against the source, the changes and their impact.
     */
    request: z.strictObject({
      flow: flowId,
      set: mappingSetName,
      csv: z.string().max(900_000, 'the file is larger than 900 kB'),
    }),
    response: mappingImportPreviewSchema,
  },
  'mappings.reference': {
    /** Engine: the options of every picker of a table (target ids by name and code, known source values), cached briefly. */
    request: z.strictObject({ flow: flowId, set: mappingSetName, refresh: z.boolean().optional() }),
    response: z.object({
      /** Per field name that has a reference list. */
      fields: z.record(z.string(), referenceFieldSchema),
      /** The table's rowReference list (the target fields together), when it declares one. */
      row: referenceFieldSchema.optional(),
      readAt: isoTimestamp,
      /** API calls made for this answer per system (0 when cached); null when other engine work shared the count. */
      apiCalls: z.record(z.string(), z.number().int()).nullable(),
    }),
  },
  'mappings.previewCounterparty': {
    /** Engine: what creating the target record for an unmapped source value would write. Nothing is created. */
    request: z.strictObject({ flow: flowId, set: mappingSetName, sourceKey: mappingSourceKeySchema }),
    response: counterpartyPreviewSchema,
  },
  'mappings.createCounterparty': {
    /**
     * Engine: creates the target record (idempotent by the source record's id), links it in the
     * table as a new version, and retries the parked records waiting for it.
     */
    request: z.strictObject({ flow: flowId, set: mappingSetName, sourceKey: mappingSourceKeySchema }),
    response: z
      .object({
        targetId: z.string(),
        name: z.string(),
        /** What was done, in one sentence (also the audit message). */
        message: z.string(),
        version: mappingVersionViewSchema,
        versionName: z.string(),
      })
      .extend(requeueSchema.shape),
  },
  'mappings.suggestVendors': {
    /**
     * Engine: reads both systems of the flow now (F1: the Exact suppliers and the active Procore
     * vendors) and suggests links for the source counterparties its link table does not link
     * (the table marked `suggestsCounterpartyLinks`). Nothing is saved.
     */
    request: z.strictObject({ flow: flowId }),
    response: z.object({
      suggestions: z.array(vendorLinkSuggestionSchema),
      /** API calls made to read them, per system; null when other engine work ran meanwhile and shares the count. */
      apiCalls: z.record(z.string(), z.number().int()).nullable(),
    }),
  },
  'flows.catalog': {
    /** Every flow of the registry: titles, systems, mapping tables, document kinds. Needs no engine. */
    request: noRequest,
    response: z.object({ flows: z.array(flowCatalogEntrySchema) }),
  },
  'reconcile.run': {
    /** Engine: reads both systems of the flow now (counted calls) and compares them; saves the CSV too. */
    request: z.strictObject({ flow: flowId }),
    response: reconciliationSchema,
  },
  'reconcile.exportCsv': {
    /** The flow's last reconciliation as CSV (every compared record, Excel-safe), where the host delivers exports. */
    request: z.strictObject({ flow: flowId }),
    response: exportedFileSchema,
  },
  'flows.overview': {
    request: noRequest,
    response: z.object({ flows: z.array(flowOverviewSchema) }),
  },
  'money.summary': {
    /** Money per flow, project and counterparty, synced and waiting. Reads the store only (no engine). */
    request: z.strictObject({ flow: flowId.optional() }).prefault({}),
    response: z.object({ flows: z.array(flowMoneySchema) }),
  },
  'schedules.get': {
    request: noRequest,
    response: z.object({ schedules: z.array(scheduleViewSchema) }),
  },
  'schedules.save': {
    /** Stored, and applied at once when this process runs the engine's scheduler. */
    request: scheduleSettingsSchema.extend({ flow: flowId }),
    response: scheduleViewSchema,
  },
  'sync.start': {
    /** Returns at once; progress arrives as 'run.progress' events. */
    request: z.strictObject({ flow: flowId }),
    response: z.object({ runId: z.string() }),
  },
  'replay.audit': {
    /** Re-runs the write of one audit entry from its stored snapshot (idempotent by the same keys). */
    request: z.strictObject({ seq: z.number().int().min(1) }),
    response: z.object({ outcome: z.enum(REPLAY_OUTCOMES), message: z.string(), auditSeq: z.number().int() }),
  },
  'connections.connectExact': {
    /**
     * Starts an Exact Online sign-in and returns at once with the address to open. Main never
     * opens a browser itself: the renderer opens `authorizationUrl` (window.open; in Electron the
     * window-open handler hands allow-listed https addresses to the system browser). The outcome
     * arrives as 'connection.signin' (and 'connection.changed'). A new attempt cancels the last.
     */
    request: z.strictObject({
      region: z.enum(EXACT_REGIONS),
      clientId: clientIdField,
      clientSecret,
      /** The redirect URI registered with Exact (loopback): checked in main with a specific message. */
      redirectUri: z.string().trim().min(1, 'the redirect URI is required').max(2000),
      baseUrl: baseUrlOverride.optional(),
      division: z.number().int().min(1).optional(),
    }),
    response: browserSigninStartedSchema,
  },
  'connections.connectMonday': {
    /**
     * Starts a monday.com sign-in through the user's own monday app (OAuth 2.1: loopback, state,
     * PKCE), like connections.connectExact: answers at once with the address to open; the outcome
     * (after the code exchange and Test connection) arrives as 'connection.signin'. The client
     * secret goes to the keychain only when monday accepted it. A new attempt cancels the last.
     */
    request: z.strictObject({
      clientId: clientIdField,
      clientSecret,
      /** Registered in the monday app (OAuth → Redirect URLs), loopback: checked in main. */
      redirectUri: z.string().trim().min(1, 'the redirect URI is required').max(2000),
      /** A test system serving both the API (/v2) and the sign-in (the sandbox's simulator). */
      baseUrl: baseUrlOverride.optional(),
    }),
    response: browserSigninStartedSchema,
  },
  'connections.completeSignIn': {
    /** Paste fallback: the address the browser was sent to after signing in. Answers with the outcome. */
    request: z.strictObject({
      pastedUrl: z.string().trim().min(1, 'paste the address from the browser bar').max(8000),
    }),
    response: signinOutcomeSchema,
  },
  'connections.cancelSignIn': {
    /** Cancel on screen: the waiting browser sign-in stops listening (no outcome event follows). */
    request: z.strictObject({}),
    response: z.object({ cancelled: z.boolean() }),
  },
  'connections.connectProcore': {
    /** Stores a Procore (client credentials) connection after proving it works. */
    request: z.strictObject({
      companyId: z
        .string()
        .trim()
        .regex(/^[0-9]{1,20}$/, 'the company id is a number'),
      clientId: clientIdField,
      clientSecret,
      environment: z.enum(PROCORE_ENVIRONMENT_IDS).optional(),
      apiBaseUrl: baseUrlOverride.optional(),
      authBaseUrl: baseUrlOverride.optional(),
      /** Line-item writes at once; kept as stored (or the default) when not given. */
      writeConcurrency: z
        .number()
        .int(`line-item writes at once must be a whole number from 1 to ${PROCORE_WRITE_CONCURRENCY.max}`)
        .min(1, `line-item writes at once must be a whole number from 1 to ${PROCORE_WRITE_CONCURRENCY.max}`)
        .max(
          PROCORE_WRITE_CONCURRENCY.max,
          `line-item writes at once must be a whole number from 1 to ${PROCORE_WRITE_CONCURRENCY.max}`,
        )
        .optional(),
    }),
    response: z.object({ connectionId: id, detail: z.string() }),
  },
  'connections.connect': {
    /**
     * Connects the user's own account of a system with the generic form (CONNECT_FORMS): stores
     * the settings and, in the keychain, the secrets, after the system accepted them (Test
     * connection); what was there before stays when it refuses.
     */
    request: z.strictObject({
      system: z.enum(SYSTEM_IDS),
      values: z.record(z.string().max(64), z.string().max(4096)),
    }),
    response: z.object({ connectionId: id, detail: z.string() }),
  },
  'connections.test': {
    request: z.strictObject({ id }),
    response: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), detail: z.string() }),
      z.object({ ok: z.literal(false), problem: z.string() }),
    ]),
  },
} as const satisfies Record<IpcMethodName, { request: z.ZodType; response: z.ZodType }>;

/** Compile-time proof that the schema map has no method the name list lacks. */
type _NoExtraMethods = Exclude<keyof typeof ipcContract, IpcMethodName> extends never ? true : never;
const _noExtraMethods: _NoExtraMethods = true;
void _noExtraMethods;

export type IpcContract = typeof ipcContract;
/** What a caller may pass (defaults not yet applied). */
export type IpcRequestInput<M extends IpcMethodName> = z.input<IpcContract[M]['request']>;
/** What a handler receives (validated, defaults applied). */
export type IpcRequest<M extends IpcMethodName> = z.output<IpcContract[M]['request']>;
export type IpcResponse<M extends IpcMethodName> = z.output<IpcContract[M]['response']>;

// ---------------------------------------------------------------------------------------------
// Events (main -> renderer)

export const RUN_PHASES = ['starting', 'reading', 'writing', 'done', 'failed'] as const;

export const ipcEvents = {
  /** Emitted by connections.save / connections.delete. */
  'connection.changed': z.object({ id, change: z.enum(['saved', 'deleted']) }),
  /** How a browser sign-in started by connections.connectExact or connectMonday ended. */
  'connection.signin': signinOutcomeSchema,
  /** Progress of a running sync, emitted by the engine (EngineApi.startSync returns before it ends). */
  'run.progress': z.object({
    runId: id,
    flow: z.string(),
    phase: z.enum(RUN_PHASES),
    processed: z.number().int(),
    /** null while the total is not known yet. */
    total: z.number().int().nullable(),
    counts: z.object({
      created: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      parked: z.number().int(),
      /** Written with a flag ("created, needs review"); absent = none. */
      flagged: z.number().int().optional(),
      failed: z.number().int(),
    }),
    /** Plain-language note, e.g. why a run failed. */
    message: z.string().optional(),
  }),
} as const satisfies Record<IpcEventName, z.ZodType>;

export type IpcEventPayload<E extends IpcEventName> = z.output<(typeof ipcEvents)[E]>;
