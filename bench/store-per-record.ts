/**
 * The store's own CPU per synced record, without simulators or connectors: the calls the engine
 * makes for one new source record that is written and confirmed (run-stream.ts processPage +
 * writeAndConfirm), on a real SQLite file, with records shaped like Exact purchase orders
 * (~1.2 KB canonical JSON, planned Procore commitment ~1.1 KB).
 *
 *   npm run bench -- store-per-record [--records N] [--page N] [--lines N]
 *
 * Prints ONE JSON object: CPU and wall µs per record, wall µs per phase (page bookkeeping,
 * attempt, confirm; wall time includes the durable commits), for the calls the engine makes
 * today ("objects") and for the lean calls ("lean": source record and plan made CanonicalJson
 * once and passed everywhere; methods that do not read back what they wrote).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { JsonValue } from '../src-shared/domain/audit';
import {
  CanonicalJson,
  canonicalJson,
  openStore,
  sha256Hex,
  type AuditAppendInput,
  type JsonInput,
  type Store,
} from '../src-main/store';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '4000' },
    page: { type: 'string', default: '1000' },
    lines: { type: 'string', default: '4' },
  },
});
const recordCount = Number(values.records);
const pageSize = Number(values.page);
const linesPerRecord = Number(values.lines);

/** objects: the calls run-stream.ts makes today · lean: CanonicalJson made once + the *Returning* methods. */
type Shape = 'objects' | 'lean';

function sourceRecord(n: number): JsonValue {
  const lines = Array.from({ length: linesPerRecord }, (_, i) => ({
    amount: `${(n * 37 + i * 101) % 90000}.${String((n + i) % 100).padStart(2, '0')}`,
    costCenterCode: `KST-${10 + (i % 9)}`,
    costUnitCode: i % 3 === 0 ? null : 'KDR-03',
    description: i % 2 ? 'Installatiekabel YMvK 5x6 mm²' : 'Elektrotechnische installatie, termijn',
    glAccountCode: '4120',
    itemCode: 'ELK-TERM',
    lineNumber: i + 1,
    projectCode: `P26-${String(n % 40).padStart(3, '0')}`,
    quantity: String(1 + ((n * 7 + i) % 900)),
    sourceLineId: `${n.toString(16).padStart(8, '0')}-a323-4c78-ac11-${i.toString(16).padStart(12, '0')}`,
    unit: i % 2 ? 'm' : 'post',
    unitPrice: '42731.01',
  }));
  return {
    sourceId: `po-${n}`,
    kind: 'purchase-order',
    currency: 'EUR',
    description: `P26-005/${n}`,
    orderDate: '2026-05-18',
    supplierCode: `S${n % 300}`,
    lines,
  };
}

function plannedWrite(n: number, record: JsonValue): JsonValue {
  const lines = (record as { lines: Record<string, JsonValue>[] }).lines.map((line) => ({
    amount: line['amount']!,
    costCodeId: '562949953422058',
    description: line['description']!,
    lineItemTypeId: '562949953421352',
    originId: line['sourceLineId']!,
    quantity: line['quantity']!,
    unitCost: line['unitPrice']!,
    uom: line['unit']!,
  }));
  return {
    entity: 'commitment',
    originId: `po-${n}`,
    sourceId: `po-${n}`,
    containerId: '562949953421317',
    contractDate: '2026-05-18',
    currency: 'EUR',
    description: `P26-005/${n}`,
    total: '12345.67',
    lines,
  };
}

interface Figures {
  /** CPU (user + system) of this process per record: steadier than wall time on a busy machine. */
  cpu_us_per_record: number;
  wall_us_per_record: number;
  page_us: number;
  attempt_us: number;
  confirm_us: number;
}

function runOnce(shape: Shape): Figures {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-bench-store-'));
  const store: Store = openStore(dir);
  const flow = 'exact-procore';
  const runId = 'bench-run';
  store.runs.start(runId, flow, 'cli');
  const result = { mappingVersions: { costs: 2, projects: 1, vendors: 3 } };
  const audit = (fields: Partial<AuditAppendInput>) => {
    const input: AuditAppendInput = {
      flow,
      runId,
      entity: 'commitment',
      sourceId: null,
      step: 'fetched',
      status: 'ok',
      mappingVersion: 3,
      targetSystem: 'procore',
      targetId: null,
      amount: null,
      currency: null,
      sourceSnapshot: null,
      targetPayload: null,
      result,
      message: '',
      ...fields,
    };
    if (shape === 'lean') store.audit.appendReturningHead(input);
    else store.audit.append(input);
  };
  const timings = { page: 0, attempt: 0, confirm: 0 };
  const cpuBefore = process.cpuUsage();
  for (let first = 0; first < recordCount; first += pageSize) {
    const records = Array.from({ length: Math.min(pageSize, recordCount - first) }, (_, i) =>
      sourceRecord(first + i),
    );
    const pending: { plan: JsonInput; record: JsonInput; hash: string; intentId: number; n: number }[] = [];
    let started = performance.now();
    store.transaction(() => {
      records.forEach((raw, i) => {
        const n = first + i;
        const record = shape === 'lean' ? CanonicalJson.of(raw, `source record ${n}`) : raw;
        const { isNew } =
          shape === 'lean'
            ? store.snapshots.recordReturningId(flow, 'purchase-orders', `po-${n}`, record)
            : store.snapshots.record(flow, 'purchase-orders', `po-${n}`, record);
        if (isNew)
          audit({ sourceId: `po-${n}`, message: `PO ${n} read from the source`, sourceSnapshot: record });
        store.targetRecords.bySource(flow, `po-${n}`);
        const planValue = plannedWrite(n, raw);
        const plan = shape === 'lean' ? CanonicalJson.of(planValue, `planned commitment po-${n}`) : planValue;
        const hash = plan instanceof CanonicalJson ? plan.sha256 : sha256Hex(canonicalJson(plan));
        const knownHash =
          shape === 'lean'
            ? store.targetRecords.payloadHash(flow, 'commitment', `po-${n}`)
            : store.targetRecords.get(flow, 'commitment', `po-${n}`)?.payloadHash;
        if (knownHash === hash) return;
        const newIntent = {
          runId,
          flow,
          sourceId: `po-${n}`,
          idempotencyKey: `${flow}:commitment:po-${n}:${hash}`,
          targetSystem: 'procore',
          operation: 'create-commitment',
          payload: plan,
        };
        const intentId =
          shape === 'lean'
            ? store.outbox.insertIntentReturningStatus(newIntent).id
            : store.outbox.insertIntent(newIntent).intent.id;
        pending.push({ plan, record, hash, intentId, n });
      });
    });
    timings.page += performance.now() - started;
    started = performance.now();
    store.transaction(() => {
      for (const p of pending) store.outbox.recordAttempt(p.intentId);
    });
    timings.attempt += performance.now() - started;
    started = performance.now();
    store.transaction(() => {
      for (const p of pending) {
        const targetId = String(900000 + p.n);
        if (shape === 'lean') store.outbox.markConfirmedWithoutReadBack(p.intentId, targetId);
        else store.outbox.markConfirmed(p.intentId, targetId);
        const confirmed = {
          flow,
          entity: 'commitment',
          originId: `po-${p.n}`,
          sourceId: `po-${p.n}`,
          targetSystem: 'procore',
          targetId,
          containerId: '562949953421317',
          payloadHash: p.hash,
          payload: p.plan,
          mappingVersion: 3,
        };
        if (shape === 'lean') store.targetRecords.upsertWithoutReadBack(confirmed);
        else store.targetRecords.upsert(confirmed);
        audit({
          sourceId: `po-${p.n}`,
          step: 'written',
          targetId,
          amount: '12345.67',
          currency: 'EUR',
          message: `PO ${p.n} written to procore as commitment po-${p.n}`,
          sourceSnapshot: p.record,
          targetPayload: p.plan,
        });
        store.parked.resolve(flow, 'purchase-orders', `po-${p.n}`, 'written');
      }
    });
    timings.confirm += performance.now() - started;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const verdict = store.audit.verifyAuditChain();
  if (!verdict.ok || verdict.checked !== recordCount * 2)
    throw new Error(`Audit chain not as expected: ${JSON.stringify(verdict)}`);
  store.close();
  rmSync(dir, { recursive: true, force: true });
  const perRecord = (ms: number) => Math.round((ms * 1000) / recordCount);
  return {
    cpu_us_per_record: Math.round((cpu.user + cpu.system) / recordCount),
    wall_us_per_record: perRecord(timings.page + timings.attempt + timings.confirm),
    page_us: perRecord(timings.page),
    attempt_us: perRecord(timings.attempt),
    confirm_us: perRecord(timings.confirm),
  };
}

// A warm-up pass first (JIT), then the measured passes; the best of three is reported per shape.
runOnce('objects');
const best = (shape: Shape) =>
  [runOnce(shape), runOnce(shape), runOnce(shape)].sort(
    (a, b) => a.cpu_us_per_record - b.cpu_us_per_record,
  )[0]!;
const objects = best('objects');
const lean = best('lean');
process.stdout.write(
  `${JSON.stringify({
    records: recordCount,
    page_size: pageSize,
    lines_per_record: linesPerRecord,
    objects,
    lean,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
