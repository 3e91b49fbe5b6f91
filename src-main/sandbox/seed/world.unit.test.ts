import { describe, expect, it } from 'vitest';
import { generateWorld } from './world';
import type { World } from './world-types';

// Decimal arithmetic written independently of world.ts, so a rounding bug there cannot hide.
const MONEY = /^-?\d+\.\d{2}$/;
const QUANTITY = /^\d+(\.\d{1,3})?$/;

function cents(amount: string): bigint {
  if (!MONEY.test(amount)) throw new Error(`not a two-decimal amount: ${JSON.stringify(amount)}`);
  const negative = amount.startsWith('-');
  const [whole, frac] = amount.replace('-', '').split('.') as [string, string];
  const value = BigInt(whole) * 100n + BigInt(frac);
  return negative ? -value : value;
}

/** quantity × price in cents, rounded half-up (both non-negative). */
function expectedAmount(quantity: string, unitPrice: string): bigint {
  if (!QUANTITY.test(quantity)) throw new Error(`not a quantity: ${JSON.stringify(quantity)}`);
  const [whole, frac = ''] = quantity.split('.') as [string, string?];
  const thousandths = BigInt(whole) * 1000n + BigInt(frac.padEnd(3, '0'));
  const product = thousandths * cents(unitPrice); // in 1/1000 cent
  return (product + 500n) / 1000n;
}

/** Collects what is wrong and asserts once at the end (thousands of expect() calls are slow). */
function problems() {
  const found: string[] = [];
  return {
    found,
    check(ok: boolean, what: string): void {
      if (!ok) found.push(what);
    },
    need(set: ReadonlySet<string> | undefined, value: string): void {
      if (!set?.has(value)) found.push(`missing ${value}`);
    },
  };
}

function duplicates(values: readonly unknown[]): unknown[] {
  const seen = new Set<unknown>();
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
}

const worlds = new Map<string, World>();
function world(seed: number, scale: number): World {
  const key = `${seed}/${scale}`;
  let w = worlds.get(key);
  if (!w) {
    w = generateWorld(seed, scale);
    worlds.set(key, w);
  }
  return w;
}

describe('generateWorld: determinism and size', () => {
  it('same seed and scale give a deep-equal world; another seed gives another world', () => {
    expect(generateWorld(42, 1)).toStrictEqual(generateWorld(42, 1));
    const other = generateWorld(43, 1);
    expect(other).not.toStrictEqual(generateWorld(42, 1));
    expect(other.suppliers[0]?.exactId).not.toBe(generateWorld(42, 1).suppliers[0]?.exactId);
  });

  it('scale 1 is a small demo and reference data grows slowly while transactions grow linearly', () => {
    const w1 = world(1, 1);
    const lines1 = w1.purchaseOrders.reduce((n, po) => n + po.lines.length, 0);
    expect(w1.projects).toHaveLength(6);
    expect(w1.suppliers).toHaveLength(30);
    expect(w1.purchaseOrders).toHaveLength(80);
    expect(lines1).toBeGreaterThan(250);
    expect(lines1).toBeLessThan(450);
    expect(w1.purchaseEntries).toHaveLength(120);
    expect(w1.salesOrders).toHaveLength(40);
    expect(w1.salesInvoices).toHaveLength(60);
    expect(w1.commitments).toHaveLength(40);
    expect(w1.requisitions.length).toBeGreaterThan(35);
    expect(w1.requisitions.length).toBeLessThan(90);
    expect(w1.directCosts).toHaveLength(50);

    const w20 = generateWorld(1, 20);
    const lines20 = w20.purchaseOrders.reduce((n, po) => n + po.lines.length, 0);
    expect(lines20).toBeGreaterThanOrEqual(7_000);
    expect(lines20).toBeLessThanOrEqual(10_000);
    expect(w20.suppliers.length).toBeLessThan(w1.suppliers.length * 4);
    expect(w20.projects.length).toBeLessThan(w1.projects.length * 4);
    expect(new Set(w20.suppliers.map((s) => s.name)).size).toBe(w20.suppliers.length);
  });

  it('rejects a scale or seed that is not a usable number', () => {
    expect(() => generateWorld(1, 0)).toThrow(/scale must be a number > 0/);
    expect(() => generateWorld(1, Number.NaN)).toThrow(/scale/);
    expect(() => generateWorld(Number.POSITIVE_INFINITY, 1)).toThrow(/seed must be a finite number/);
  });
});

describe.each([
  [1, 1],
  [7, 5],
  [3, 0.05],
])('generateWorld(%i, %d)', (seed, scale) => {
  const w = world(seed, scale);

  it('line amounts are quantity × unit price rounded half-up to the cent; totals add up', () => {
    const { found, check } = problems();
    const lineOk = (l: { key: string; quantity: string; unitPrice: string; amount: string }) =>
      check(
        cents(l.amount) === expectedAmount(l.quantity, l.unitPrice),
        `${l.key}: ${l.quantity} × ${l.unitPrice} ≠ ${l.amount}`,
      );
    for (const po of w.purchaseOrders) {
      check(po.lines.length >= 1 && po.lines.length <= 8, `${po.key} has ${po.lines.length} lines`);
      po.lines.forEach(lineOk);
    }
    for (const so of w.salesOrders) {
      so.lines.forEach(lineOk);
      check(cents(so.amount) === so.lines.reduce((t, l) => t + cents(l.amount), 0n), `${so.key} total`);
    }
    for (const si of w.salesInvoices) {
      si.lines.forEach(lineOk);
      check(
        cents(si.amountExclVat) === si.lines.reduce((t, l) => t + cents(l.amount), 0n),
        `${si.key} total`,
      );
      check(cents(si.vatAmount) > 0n, `${si.key} VAT`);
    }
    expect(found).toEqual([]);
  });

  it('purchase entries carry 21 %, 9 % or 0 % VAT computed to the cent', () => {
    const { found, check } = problems();
    const rates = new Set<string>();
    for (const entry of w.purchaseEntries) {
      for (const line of entry.lines) {
        rates.add(line.vatPercentage);
        const basisPoints = cents(line.vatPercentage); // "21.00" → 2100
        check(
          cents(line.vatAmount) === (cents(line.amount) * basisPoints * 2n + 10_000n) / 20_000n,
          `${line.key} VAT`,
        );
      }
    }
    expect(found).toEqual([]);
    expect(['0.00', '21.00', '9.00']).toEqual(expect.arrayContaining([...rates]));
    if (scale >= 1) expect([...rates].sort()).toEqual(['0.00', '21.00', '9.00']);
  });

  it('requisitions never bill more than their commitment line, and most are approved', () => {
    const { found, check } = problems();
    const billed = new Map<string, bigint>();
    for (const req of w.requisitions) {
      for (const line of req.lines) {
        check(cents(line.workCompletedThisPeriod) > 0n, `${line.key} bills nothing`);
        billed.set(
          line.commitmentLineKey,
          (billed.get(line.commitmentLineKey) ?? 0n) + cents(line.workCompletedThisPeriod),
        );
      }
    }
    const lineAmounts = new Map(
      w.commitments.flatMap((c) => c.lines.map((l) => [l.key, cents(l.amount)] as const)),
    );
    for (const [lineKey, total] of billed)
      check(total <= (lineAmounts.get(lineKey) as bigint), `${lineKey} billed ${total} cents`);
    expect(found).toEqual([]);
    const approved = w.requisitions.filter(
      (r) => r.status === 'approved' || r.status === 'approved_as_noted',
    ).length;
    expect(approved * 2).toBeGreaterThan(w.requisitions.length);
    if (scale >= 1) expect(new Set(w.requisitions.map((r) => r.status)).size).toBeGreaterThanOrEqual(3);
  });

  it('every key and code a record references exists', () => {
    const { found, check, need } = problems();
    const keys = <T extends { key: string }>(list: readonly T[]) => new Set(list.map((x) => x.key));
    const codes = <T extends { code: string }>(list: readonly T[]) => new Set(list.map((x) => x.code));
    const projects = keys(w.projects);
    const suppliers = keys(w.suppliers);
    const customers = keys(w.customers);
    const items = keys(w.items);
    const gls = codes(w.glAccounts);
    const costCenters = codes(w.costCenters);
    const costUnits = codes(w.costUnits);
    const costCodes = codes(w.costCodes);
    const lineItemTypes = codes(w.lineItemTypes);
    const procoreVendor = new Map(w.suppliers.map((s) => [s.key, s.procoreVendorId]));

    for (const item of w.items) need(gls, item.glAccountCode);
    for (const m of w.costMappings) {
      need(gls, m.glAccountCode);
      need(costCenters, m.costCenterCode);
      need(costCodes, m.costCode);
      need(lineItemTypes, m.lineItemTypeCode);
    }
    for (const po of w.purchaseOrders) {
      need(suppliers, po.supplierKey);
      need(projects, po.projectKey);
      for (const line of po.lines) {
        need(items, line.itemKey);
        need(costCenters, line.costCenterCode);
        if (line.costUnitCode !== null) need(costUnits, line.costUnitCode);
        need(projects, line.projectKey);
      }
    }
    for (const entry of w.purchaseEntries) {
      need(suppliers, entry.supplierKey);
      for (const line of entry.lines) {
        need(gls, line.glAccountCode);
        need(costCenters, line.costCenterCode);
        if (line.costUnitCode !== null) need(costUnits, line.costUnitCode);
        need(projects, line.projectKey);
      }
    }
    for (const so of w.salesOrders) {
      need(customers, so.customerKey);
      need(projects, so.projectKey);
      for (const line of so.lines) need(gls, line.glAccountCode);
    }
    for (const si of w.salesInvoices) {
      need(customers, si.customerKey);
      need(projects, si.projectKey);
      for (const line of si.lines) {
        need(gls, line.glAccountCode);
        need(costCenters, line.costCenterCode);
      }
    }
    const commitmentLines = new Map(w.commitments.map((c) => [c.key, new Set(c.lines.map((l) => l.key))]));
    for (const c of w.commitments) {
      need(projects, c.projectKey);
      // Procore-native records can only name vendors that exist in Procore.
      check(typeof procoreVendor.get(c.supplierKey) === 'number', `${c.key} vendor ${c.supplierKey}`);
      for (const l of [...c.lines, ...c.changeOrders]) {
        need(costCodes, l.costCode);
        need(lineItemTypes, l.lineItemTypeCode);
      }
    }
    for (const r of w.requisitions) {
      const lines = commitmentLines.get(r.commitmentKey);
      check(lines !== undefined, `requisition ${r.key} → ${r.commitmentKey}`);
      for (const l of r.lines) need(lines, l.commitmentLineKey);
    }
    for (const dc of w.directCosts) {
      need(projects, dc.projectKey);
      check(typeof procoreVendor.get(dc.supplierKey) === 'number', `${dc.key} vendor ${dc.supplierKey}`);
      for (const l of dc.lines) {
        need(costCodes, l.costCode);
        need(lineItemTypes, l.lineItemTypeCode);
      }
    }
    for (const a of w.apAccounts) need(costCodes, a.costCode);
    expect(found).toEqual([]);
  });

  it('cost mappings cover every (G/L, cost centre) pair on cost lines except the planted gap', () => {
    const { found, need } = problems();
    const mapped = new Set(w.costMappings.map((m) => `${m.glAccountCode}|${m.costCenterCode}`));
    const glOfItem = new Map(w.items.map((i) => [i.key, i.glAccountCode]));
    const gap = `${w.deliberate.unmappedPair.glAccountCode}|${w.deliberate.unmappedPair.costCenterCode}`;
    expect(mapped.has(gap)).toBe(false);
    const posUsingGap = new Set<string>();
    for (const po of w.purchaseOrders) {
      for (const line of po.lines) {
        const pair = `${glOfItem.get(line.itemKey)}|${line.costCenterCode}`;
        if (pair === gap) posUsingGap.add(po.key);
        else need(mapped, pair);
      }
    }
    for (const entry of w.purchaseEntries) {
      for (const line of entry.lines) need(mapped, `${line.glAccountCode}|${line.costCenterCode}`);
    }
    expect(found).toEqual([]);
    expect([...posUsingGap]).toEqual([w.deliberate.unmappedPair.purchaseOrderKey]);
  });

  it('plants every deliberate problem', () => {
    const d = w.deliberate;
    const po = (key: string) => w.purchaseOrders.find((p) => p.key === key);
    const supplier = (key: string) => w.suppliers.find((s) => s.key === key);

    expect(supplier(d.supplierMissingInProcoreKey)?.procoreVendorId).toBeNull();
    expect(w.purchaseOrders.some((p) => p.supplierKey === d.supplierMissingInProcoreKey)).toBe(true);
    expect(w.suppliers.filter((s) => s.procoreVendorId === null)).toHaveLength(1);

    expect(po(d.cancelledPurchaseOrderKey)?.orderStatus).toBe(40);

    const edited = po(d.editedAfterSync.purchaseOrderKey);
    const editedLine = edited?.lines.find((l) => l.key === d.editedAfterSync.lineKey);
    expect(editedLine).toBeDefined();
    expect(edited?.orderStatus).not.toBe(40);
    expect(d.editedAfterSync.newQuantity).toMatch(QUANTITY);
    expect(d.editedAfterSync.newQuantity).not.toBe(editedLine?.quantity);

    const nonAscii = supplier(d.nonAsciiSupplierKey);
    expect(nonAscii?.name).toMatch(/[^\x20-\x7e]/);
    expect(w.purchaseOrders.some((p) => p.supplierKey === d.nonAsciiSupplierKey)).toBe(true);

    const controlEntry = w.purchaseEntries.find((e) => e.key === d.controlCharPurchaseEntryKey);
    expect(controlEntry?.description).toContain('\u0007');

    expect(po(d.unmappedPair.purchaseOrderKey)?.orderStatus).not.toBe(40);

    expect(w.suppliers.filter((s) => s.acumaticaVendorId === null).length).toBeGreaterThanOrEqual(1);
    expect(w.suppliers.filter((s) => s.intacctVendorId === null).length).toBeGreaterThanOrEqual(1);
    expect(w.suppliers.filter((s) => s.coupaSupplierId === null).length).toBeGreaterThanOrEqual(1);
  });

  it('ids, codes and numbers are unique; Procore ids sit between 2^32 and 2^53', () => {
    const exactIds = [
      ...w.projects,
      ...w.suppliers,
      ...w.customers,
      ...w.glAccounts,
      ...w.costCenters,
      ...w.costUnits,
      ...w.items,
      ...w.purchaseOrders,
      ...w.purchaseOrders.flatMap((p) => p.lines),
      ...w.purchaseEntries,
      ...w.purchaseEntries.flatMap((e) => e.lines),
      ...w.salesOrders,
      ...w.salesOrders.flatMap((s) => s.lines),
      ...w.salesInvoices,
      ...w.salesInvoices.flatMap((s) => s.lines),
    ].map((x) => x.exactId);
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(exactIds.filter((id) => !guid.test(id))).toEqual([]);
    expect(duplicates(exactIds)).toEqual([]);

    const procoreIds = [
      ...w.projects.map((p) => p.procoreId),
      ...w.suppliers.flatMap((s) => (s.procoreVendorId === null ? [] : [s.procoreVendorId])),
      ...w.lineItemTypes.map((t) => t.procoreId),
      ...w.commitments.flatMap((c) => [
        c.procoreId,
        ...c.lines.map((l) => l.procoreId),
        ...c.changeOrders.map((o) => o.procoreId),
      ]),
      ...w.requisitions.flatMap((r) => [r.procoreId, ...r.lines.map((l) => l.procoreId)]),
      ...w.directCosts.flatMap((d) => [d.procoreId, ...d.lines.map((l) => l.procoreId)]),
    ];
    expect(procoreIds.filter((id) => !Number.isSafeInteger(id) || id <= 2 ** 32 || id >= 2 ** 53)).toEqual(
      [],
    );
    expect(duplicates(procoreIds)).toEqual([]);

    const allKeys = [
      ...w.projects,
      ...w.suppliers,
      ...w.customers,
      ...w.glAccounts,
      ...w.costCenters,
      ...w.costUnits,
      ...w.items,
      ...w.costCodes,
      ...w.lineItemTypes,
      ...w.purchaseOrders,
      ...w.purchaseOrders.flatMap((p) => p.lines),
      ...w.purchaseEntries,
      ...w.purchaseEntries.flatMap((e) => e.lines),
      ...w.salesOrders,
      ...w.salesInvoices,
      ...w.commitments,
      ...w.commitments.flatMap((c) => [...c.lines, ...c.changeOrders]),
      ...w.requisitions,
      ...w.requisitions.flatMap((r) => r.lines),
      ...w.directCosts,
      ...w.directCosts.flatMap((d) => d.lines),
      ...w.apAccounts,
      ...w.departments,
    ].map((x) => x.key);
    expect(duplicates(allKeys)).toEqual([]);

    for (const list of [
      w.projects,
      w.suppliers,
      w.customers,
      w.glAccounts,
      w.costCenters,
      w.costUnits,
      w.items,
      w.costCodes,
      w.lineItemTypes,
      w.apAccounts,
      w.departments,
    ])
      expect(duplicates(list.map((x) => x.code))).toEqual([]);
    expect(duplicates(w.purchaseOrders.map((p) => p.orderNumber))).toEqual([]);
    expect(duplicates(w.purchaseEntries.map((e) => e.entryNumber))).toEqual([]);
    expect(duplicates(w.salesOrders.map((s) => s.orderNumber))).toEqual([]);
    expect(duplicates(w.salesInvoices.map((s) => s.invoiceNumber))).toEqual([]);
    expect(
      duplicates([...w.purchaseEntries, ...w.requisitions, ...w.directCosts].map((x) => x.invoiceNumber)),
    ).toEqual([]);
    expect(duplicates(w.commitments.map((c) => `${c.projectKey}|${c.number}`))).toEqual([]);
    expect(duplicates(w.requisitions.map((r) => `${r.commitmentKey}|${r.number}`))).toEqual([]);
    expect(
      duplicates(
        w.suppliers
          .flatMap((s) => [s.acumaticaVendorId, s.intacctVendorId, s.coupaSupplierId])
          .filter((x) => x !== null),
      ),
    ).toEqual([]);
    expect(
      duplicates(w.costMappings.map((m) => `${m.glAccountCode}|${m.costCenterCode}|${m.costUnitCode}`)),
    ).toEqual([]);
    expect(
      w.purchaseOrders.filter((po) => po.lines.some((l, i) => l.lineNumber !== i + 1)).map((po) => po.key),
    ).toEqual([]);
  });

  it('keeps every timestamp and date on the timeline ending at asOf', () => {
    const stamps = [
      ...w.purchaseOrders.map((p) => p.modifiedAt),
      ...w.purchaseEntries.map((e) => e.modifiedAt),
      ...w.salesOrders.map((s) => s.modifiedAt),
      ...w.salesInvoices.map((s) => s.modifiedAt),
      ...w.requisitions.map((r) => r.updatedAt),
      ...w.directCosts.map((d) => d.updatedAt),
    ];
    const { found, check } = problems();
    for (const t of stamps)
      check(Number.isInteger(t) && t <= w.asOf && t > w.asOf - 400 * 86_400_000, `timestamp ${t}`);
    const asOfDate = new Date(w.asOf).toISOString().slice(0, 10);
    for (const po of w.purchaseOrders) {
      check(po.orderDate <= asOfDate && po.orderDate <= po.receiptDate, `${po.key} dates`);
      check(
        new Date(po.modifiedAt).toISOString().slice(0, 10) >= po.orderDate,
        `${po.key} modified before ordered`,
      );
    }
    for (const r of w.requisitions)
      check(r.periodStart <= r.periodEnd && r.periodEnd <= asOfDate, `${r.key} period`);
    expect(found).toEqual([]);
  });
});
