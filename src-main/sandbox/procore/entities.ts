import { Decimal } from '../../../src-shared/domain/money';
import type { World, WorldProject, WorldRequisition } from '../seed/world-types';
import { isoSeconds } from './http';
import type { CommitmentRecord, CostCodeRecord, LineItemTypeRecord } from './records';
import type { ProcoreState } from './state';

const DAY_MS = 86_400_000;
const noon = (date: string): string => `${date}T12:00:00Z`;

/** Highest Procore id the world hands out; the simulator's own ids continue above it. */
function maxWorldId(world: World): number {
  let max = 2 ** 32;
  const see = (id: number | null): void => {
    if (id !== null && id > max) max = id;
  };
  world.projects.forEach((p) => see(p.procoreId));
  world.suppliers.forEach((s) => see(s.procoreVendorId));
  world.lineItemTypes.forEach((t) => see(t.procoreId));
  for (const c of world.commitments) {
    see(c.procoreId);
    c.lines.forEach((l) => see(l.procoreId));
    c.changeOrders.forEach((co) => see(co.procoreId));
  }
  for (const r of world.requisitions) {
    see(r.procoreId);
    r.lines.forEach((l) => see(l.procoreId));
  }
  for (const d of world.directCosts) {
    see(d.procoreId);
    d.lines.forEach((l) => see(l.procoreId));
  }
  return max;
}

/**
 * Projects the world into Procore's records (first start only): projects, every world cost
 * code in every project (each with its own id), line item types, vendors (only suppliers with a
 * Procore vendor id: the deliberately missing one stays missing; some already linked to their
 * ERP vendor, see erpLinkOf), the Procore-native commitments with their SOV lines and change
 * orders, requisitions with contract items (and change-order items, see
 * projectChangeOrderBilling), and direct costs with lines. Purchase orders from Exact are not
 * here: flow F1 writes them.
 */
export function projectWorld(world: World, state: ProcoreState): void {
  state.initIdSequence(maxWorldId(world) + 1);
  const seededAt = isoSeconds(world.asOf - 400 * DAY_MS);
  const stamp = { created_at: seededAt, updated_at: seededAt };
  const origin = { origin_id: null, origin_data: null };

  const projectIds = new Map<string, WorldProject>(world.projects.map((p) => [p.key, p]));
  const projectOf = (key: string): WorldProject => {
    const p = projectIds.get(key);
    if (!p) throw new Error(`world refers to unknown project ${key}`);
    return p;
  };
  const vendorIds = new Map(world.suppliers.map((s) => [s.key, s.procoreVendorId]));
  const vendorOf = (key: string): number | null => vendorIds.get(key) ?? null;

  for (const p of world.projects) {
    state.projects.put({
      id: p.procoreId,
      name: p.name,
      display_name: `${p.code} - ${p.name}`,
      project_number: p.code,
      active: true,
      stage: 'Course of Construction',
      address: null,
      city: p.city,
      state_code: null,
      country_code: 'NL',
      zip: null,
      ...origin,
      ...stamp,
    });
  }

  const litByCode = new Map<string, LineItemTypeRecord>();
  for (const t of world.lineItemTypes) {
    const record: LineItemTypeRecord = {
      id: t.procoreId,
      name: t.name,
      code: t.code,
      base_type: t.baseType,
      ...origin,
      ...stamp,
    };
    state.lineItemTypes.put(record);
    litByCode.set(t.code, record);
  }
  const litId = (code: string): number => {
    const t = litByCode.get(code);
    if (!t) throw new Error(`world refers to unknown line item type ${code}`);
    return t.id;
  };

  const costCodeIds = new Map<string, number>(); // `${projectId}|${code}` -> id
  for (const p of world.projects) {
    world.costCodes.forEach((c, i) => {
      const record: CostCodeRecord = {
        id: state.nextId(),
        project_id: p.procoreId,
        code: c.code,
        full_code: c.code,
        name: c.name,
        parent_id: null,
        position: i + 1,
        budgeted: false,
        standard_cost_code_id: null,
        deleted_at: null,
        ...origin,
        ...stamp,
      };
      state.costCodes.put(record);
      costCodeIds.set(`${p.procoreId}|${c.code}`, record.id);
    });
  }
  const costCodeId = (projectId: number, code: string): number => {
    const id = costCodeIds.get(`${projectId}|${code}`);
    if (id === undefined) throw new Error(`world refers to unknown cost code ${code}`);
    return id;
  };

  world.suppliers.forEach((s, i) => {
    if (s.procoreVendorId === null) return;
    state.vendors.put({
      id: s.procoreVendorId,
      name: s.name,
      abbreviated_name: null,
      trade_name: null,
      legal_name: s.name,
      is_active: true,
      address: null,
      city: s.city,
      state_code: null,
      country_code: s.country,
      zip: null,
      business_phone: null,
      mobile_phone: null,
      fax_number: null,
      email_address: s.email,
      website: null,
      license_number: null,
      // Most vendors carry the Exact code as External ID, so suggested matching has something
      // to work with; every fifth one does not, so matching by name is exercised too.
      origin_code: i % 5 === 4 ? null : s.code,
      ...erpLinkOf(s, i),
      ...stamp,
    });
  });

  const lineIds = new Map<string, { id: number; costCodeId: number; description: string }>();
  for (const c of world.commitments) {
    const project = projectOf(c.projectKey);
    const at = noon(c.contractDate);
    const approvedLike = c.status === 'Approved' || c.status === 'Complete';
    const record: CommitmentRecord = {
      id: c.procoreId,
      kind: c.kind,
      project_id: project.procoreId,
      vendor_id: vendorOf(c.supplierKey),
      number: c.number,
      title: c.title,
      description: null,
      status: c.status,
      assignee_id: null,
      contract_date: c.contractDate,
      delivery_date: null,
      issued_on_date: c.contractDate,
      execution_date: approvedLike ? c.contractDate : null,
      executed: approvedLike,
      private: false,
      retainage_percent: null,
      payment_terms: null,
      bill_to_address: null,
      ship_to_address: null,
      ship_via: null,
      accounting_method: 'amount',
      origin_code: null,
      invoice_contact_user_ids: [],
      inclusions: null,
      exclusions: null,
      contract_start_date: c.kind === 'work_order_contract' ? c.contractDate : null,
      contract_estimated_completion_date: null,
      actual_completion_date: null,
      signed_contract_received_date: null,
      deleted_at: null,
      ...origin,
      created_at: at,
      updated_at: at,
    };
    state.commitments[c.kind].put(record);
    c.lines.forEach((l, i) => {
      const ccId = costCodeId(project.procoreId, l.costCode);
      lineIds.set(l.key, { id: l.procoreId, costCodeId: ccId, description: l.description });
      state.commitmentLines.put({
        id: l.procoreId,
        contract_id: c.procoreId,
        project_id: project.procoreId,
        description: l.description,
        amount: l.amount,
        quantity: null,
        unit_cost: null,
        uom: null,
        extended_type: 'manual',
        cost_code_id: ccId,
        line_item_type_id: litId(l.lineItemTypeCode),
        tax_code_id: null,
        position: i + 1,
        ...origin,
        created_at: at,
        updated_at: at,
      });
    });
    for (const co of c.changeOrders) {
      state.changeOrders.put({
        id: co.procoreId,
        project_id: project.procoreId,
        contract_id: c.procoreId,
        batch_id: null,
        number: co.number,
        title: co.title,
        description: null,
        status: co.status,
        due_date: null,
        invoiced_date: null,
        paid_date: null,
        executed: co.status === 'approved',
        private: false,
        reference: null,
        revision: 0,
        origin_code: null,
        reviewed_at: co.status === 'approved' ? at : null,
        line_items: [
          {
            id: state.nextId(),
            description: co.title,
            amount: co.amount,
            cost_code_id: costCodeId(project.procoreId, co.costCode),
            line_item_type_id: litId(co.lineItemTypeCode),
          },
        ],
        ...origin,
        created_at: at,
        updated_at: at,
      });
    }
  }

  const commitmentByKey = new Map(world.commitments.map((c) => [c.key, c]));
  for (const r of world.requisitions) {
    const commitment = commitmentByKey.get(r.commitmentKey);
    if (!commitment)
      throw new Error(`world requisition ${r.key} refers to unknown commitment ${r.commitmentKey}`);
    const projectId = projectOf(commitment.projectKey).procoreId;
    const updatedAt = isoSeconds(r.updatedAt);
    const createdAt = noon(r.billingDate);
    state.requisitions.put({
      id: r.procoreId,
      project_id: projectId,
      commitment_id: commitment.procoreId,
      number: r.number,
      invoice_number: r.invoiceNumber,
      status: r.status,
      erp_status: null,
      period_id: null,
      requisition_start: r.periodStart,
      requisition_end: r.periodEnd,
      billing_date: r.billingDate,
      payment_date: null,
      submitted_at: r.status === 'draft' ? null : createdAt,
      final: false,
      comment: null,
      retainage_percent: r.retainagePercent,
      ...origin,
      created_at: createdAt,
      updated_at: updatedAt,
    });
    for (const l of r.lines) {
      const line = lineIds.get(l.commitmentLineKey);
      if (!line) throw new Error(`world requisition line ${l.key} refers to unknown commitment line`);
      state.contractItems.put({
        id: l.procoreId,
        requisition_id: r.procoreId,
        project_id: projectId,
        line_item_id: line.id,
        cost_code_id: line.costCodeId,
        description_of_work: line.description,
        work_completed_this_period: l.workCompletedThisPeriod,
        materials_presently_stored: '0.00',
        created_at: createdAt,
        updated_at: updatedAt,
      });
    }
  }

  for (const d of world.directCosts) {
    const projectId = projectOf(d.projectKey).procoreId;
    const createdAt = noon(d.date);
    const updatedAt = isoSeconds(d.updatedAt);
    state.directCosts.put({
      id: d.procoreId,
      project_id: projectId,
      direct_cost_type: d.type,
      status: d.status,
      vendor_id: vendorOf(d.supplierKey),
      employee_id: null,
      invoice_number: d.invoiceNumber,
      description: d.description,
      direct_cost_date: d.date,
      received_date: d.date,
      payment_date: null,
      terms: null,
      deleted_at: null,
      ...origin,
      created_at: createdAt,
      updated_at: updatedAt,
    });
    d.lines.forEach((l, i) =>
      state.directCostLines.put({
        id: l.procoreId,
        direct_cost_id: d.procoreId,
        project_id: projectId,
        description: l.description,
        amount: l.amount,
        quantity: null,
        unit_cost: null,
        uom: null,
        extended_type: 'manual',
        cost_code_id: costCodeId(projectId, l.costCode),
        line_item_type_id: litId(l.lineItemTypeCode),
        position: i + 1,
        ...origin,
        created_at: createdAt,
        updated_at: updatedAt,
      }),
    );
  }

  projectChangeOrderBilling(world, state);
}

/**
 * Every third vendor that Acumatica also knows is already linked to its ERP vendor: origin_id is
 * the Acumatica vendor id (so Procore shows it as synced with the ERP). The others carry no
 * origin_id, so a Procore → ERP flow meets both linked and unlinked vendors.
 */
function erpLinkOf(
  supplier: World['suppliers'][number],
  index: number,
): { origin_id: string | null; origin_data: string | null; synced_to_erp: boolean } {
  const linked = index % 3 === 1 && supplier.acumaticaVendorId !== null;
  return linked
    ? { origin_id: supplier.acumaticaVendorId, origin_data: null, synced_to_erp: true }
    : { origin_id: null, origin_data: null, synced_to_erp: false };
}

/**
 * Change-order lines billed on subcontractor invoices: the world bills commitment lines only,
 * so the simulator derives these (no RNG, after every world record has its id): the latest
 * invoice of a commitment bills half of each of its approved change orders (toward zero, to
 * the cent; a deductive change order bills a negative amount). Pending and draft change orders
 * are never billed. The invoice's updated_at stays the world's.
 */
function projectChangeOrderBilling(world: World, state: ProcoreState): void {
  const latest = new Map<string, WorldRequisition>();
  for (const r of world.requisitions) {
    const current = latest.get(r.commitmentKey);
    if (!current || r.number > current.number) latest.set(r.commitmentKey, r);
  }
  for (const c of world.commitments) {
    const requisition = latest.get(c.key);
    if (!requisition) continue;
    for (const co of c.changeOrders) {
      if (co.status !== 'approved') continue;
      const record = state.changeOrders.get(co.procoreId);
      const line = record?.line_items[0];
      if (!record || !line) continue;
      const billed = Decimal.fromCents(Decimal.parse(line.amount).toCents() / 2n);
      if (billed.isZero()) continue;
      state.changeOrderItems.put({
        id: state.nextId(),
        requisition_id: requisition.procoreId,
        project_id: record.project_id,
        change_order_id: record.id,
        change_order_line_id: line.id,
        cost_code_id: line.cost_code_id,
        description_of_work: co.title,
        work_completed_this_period: billed.toMoneyString(),
        materials_presently_stored: '0.00',
        created_at: noon(requisition.billingDate),
        updated_at: isoSeconds(requisition.updatedAt),
      });
    }
  }
}
