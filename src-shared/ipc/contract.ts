import { z } from 'zod';
import { AUDIT_STATUSES, AUDIT_STEPS } from '../domain/audit';
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

export const SYSTEM_IDS = [
  'exact-online',
  'procore',
  'acumatica',
  'sage-intacct',
  'monday',
  'coupa',
] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

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
export const CONNECTION_STATUSES = ['not-connected', 'connected', 'needs-reauth', 'error'] as const;

const isoTimestamp = z.iso.datetime({ offset: true });
const id = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const flowId = z.string().trim().min(1).max(64);
const pageLimit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);
const seq = z.number().int().min(0);
const noRequest = z.strictObject({}).prefault({});

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
});
export type AuditEntryView = z.infer<typeof auditEntryViewSchema>;

export const parkedRecordViewSchema = z.object({
  id: z.number().int(),
  flow: z.string(),
  stream: z.string(),
  sourceId: z.string(),
  /** Stable machine code, e.g. 'unmapped-cost-code'. */
  reasonCode: z.string(),
  /** The same reason in finance language, for the person fixing the mapping. */
  reasonText: z.string(),
  details: z.json(),
  mappingVersion: z.number().int().nullable(),
  /** First time it was parked. */
  parkedAt: isoTimestamp,
  /** Last time a run parked it again. */
  updatedAt: isoTimestamp,
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
      .min(1, 'a connection needs a label')
      .max(100, 'label must be at most 100 characters'),
    mode: z.enum(CONNECTION_MODES),
    /** Replaces the stored settings as a whole (the screen sends the complete form). */
    settings: z.record(settingsKey, z.json()).default({}),
    /** Write-only: a string sets the secret, null removes it, an absent field is left as is. */
    secrets: z.record(z.string(), z.string().min(1).max(8000).nullable()).default({}),
  })
  .superRefine((req, ctx) => {
    const secretFields = SECRET_FIELDS[req.system];
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
    response: z.object({ connections: z.array(connectionViewSchema) }),
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

export const ipcEvents = {
  /** Emitted by connections.save / connections.delete. */
  'connection.changed': z.object({ id, change: z.enum(['saved', 'deleted']) }),
  /**
   * Progress of a running sync. Declared now so the bridge and transports carry it; the engine
   * (src-main/engine, not written yet) is what will emit it.
   */
  'run.progress': z.object({
    runId: id,
    flow: z.string(),
    phase: z.enum(['reading', 'writing', 'confirming', 'finished', 'failed']),
    read: z.number().int(),
    written: z.number().int(),
    parked: z.number().int(),
    failed: z.number().int(),
  }),
} as const satisfies Record<IpcEventName, z.ZodType>;

export type IpcEventPayload<E extends IpcEventName> = z.output<(typeof ipcEvents)[E]>;
