import type { JsonValue } from '../../../src-shared/domain/audit';
import { Decimal } from '../../../src-shared/domain/money';
import { canonicalJson, sha256Hex } from '../../store/canonical-json';
import { audit, confirmTarget, containerKey, systemTitle, type StreamRunContext } from './run-stream';
import type { FoundTarget, PlannedTargetWrite } from './types';

/**
 * After a crash or a lost response, some outbox intents of the flow are pending (never known
 * to be sent) or unknown (sent, outcome unknown). Pending intents never attempted are retired
 * (nothing was sent). Before anything is retried, each other one is looked up by its origin id
 * in the target:
 *  - found with the same total (and every planned line with its amount) → the write happened:
 *    confirm it (no second write);
 *  - not found, or found with another total or without a planned line → retire the intent
 *    (a header written without its lines counts as not done); the source record is still
 *    behind the cursor, so the next pass re-plans and re-writes it (the target's upsert by
 *    origin id makes that write safe either way).
 */
export async function recoverUnconfirmed<P extends PlannedTargetWrite>(ctx: StreamRunContext<P>): Promise<number> {
  const { store } = ctx;
  const unconfirmed = store.outbox.listUnconfirmed(ctx.flow);
  if (unconfirmed.length === 0) return 0;
  // An intent never attempted was never sent (the attempt is committed before the call): the
  // target cannot hold it, so it is retired without spending a lookup.
  const neverSent = unconfirmed.filter((intent) => intent.status === 'pending' && intent.attempts === 0);
  if (neverSent.length > 0)
    store.transaction(() => {
      for (const intent of neverSent) store.outbox.markFailed(intent.id, 'superseded: never sent before the run stopped; re-planned from the source');
    });
  const groups = new Map<string, typeof unconfirmed>();
  for (const intent of unconfirmed) {
    if (intent.status === 'pending' && intent.attempts === 0) continue;
    const key = containerKey(intent.payload as unknown as P);
    const group = groups.get(key);
    if (group) group.push(intent);
    else groups.set(key, [intent]);
  }
  let recovered = 0;
  for (const intents of groups.values()) {
    ctx.guard?.checkpoint();
    const first = intents[0]!.payload as unknown as P;
    const found = await ctx.writer.lookup(
      first.entity,
      first.containerId,
      intents.map((i) => (i.payload as unknown as P).originId),
    );
    store.transaction(() => {
      for (const intent of intents) {
        const plan = intent.payload as unknown as P;
        const hit = found.get(plan.originId);
        if (hit && holdsPlan(hit, plan)) {
          // The source document is not at hand here: named as it was when last written or parked.
          const label = store.targetRecords.bySource(ctx.flow, plan.sourceId).find((t) => t.label !== null)?.label ?? null;
          const system = systemTitle(ctx.writer.system);
          const targetLabel = { system, documentType: plan.entity.replace(/-/g, ' '), number: null, id: hit.targetId, counterparty: null, project: null, amount: plan.total, currency: plan.currency };
          store.outbox.markConfirmed(intent.id, hit.targetId);
          confirmTarget(ctx, plan, sha256Hex(canonicalJson(intent.payload as JsonValue)), hit.targetId, intent.payload, { label, targetLabel });
          audit(ctx, {
            entity: plan.entity,
            sourceId: plan.sourceId,
            step: 'confirmed',
            status: 'ok',
            targetId: hit.targetId,
            amount: plan.total,
            currency: plan.currency,
            message: `Found ${plan.entity.replace(/-/g, ' ')} ${hit.targetId} in ${system} after an interrupted run; confirmed without writing it again`,
            targetPayload: intent.payload,
            label,
            targetLabel,
          });
          recovered += 1;
        } else {
          store.outbox.markFailed(
            intent.id,
            hit
              ? `superseded: ${ctx.writer.system} holds ${hit.total}, not ${plan.total}; re-planned from the source`
              : `superseded: not found in ${ctx.writer.system} after an interruption; re-planned from the source`,
          );
        }
      }
    });
  }
  ctx.counts.recovered += recovered;
  return recovered;
}

/** The target holds what the intent planned: same total and, when both sides know lines, every planned line with its amount. */
function holdsPlan(found: FoundTarget, plan: PlannedTargetWrite): boolean {
  if (!Decimal.parse(found.total).equals(Decimal.parse(plan.total))) return false;
  if (!plan.lines || !found.lines) return true;
  const held = new Map(found.lines.map((l) => [l.originId, l.amount]));
  return plan.lines.every((l) => {
    const amount = held.get(l.originId);
    return amount !== undefined && Decimal.parse(amount).equals(Decimal.parse(l.amount));
  });
}
