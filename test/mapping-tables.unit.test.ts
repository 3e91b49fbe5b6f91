import { describe, expect, it } from 'vitest';
import { FLOWS } from '../src-main/engine/flows/registry';

/**
 * The Mappings screen builds its pickers and its "Suggest links" panel from each flow's table
 * definitions alone (no flow's column names in the renderer): what those definitions promise.
 */
describe('mapping table definitions the screens rely on', () => {
  const tables = FLOWS.flatMap((f) => f.mappingSets.map((d) => ({ flow: f, d })));

  it('a table that suggests links has one source and one target field (the columns a link fills), both with a list, and nouns to name them', () => {
    const suggesting = tables.filter(({ d }) => d.suggestsCounterpartyLinks === true);
    expect(suggesting.length).toBeGreaterThan(1);
    for (const { d } of suggesting) {
      expect([d.flow, d.set, d.sourceFields.length, d.targetFields.length]).toEqual([d.flow, d.set, 1, 1]);
      expect(d.sourceFields[0]!.reference).toBeDefined();
      expect(d.targetFields[0]!.reference).toBeDefined();
      expect(d.counterpartyNouns).toBeDefined();
    }
  });

  it('a table that creates counterparties names one source field and creates in its target field’s system, one of its flow’s', () => {
    const creating = tables.filter(({ d }) => d.createsCounterparty !== undefined);
    expect(creating.map(({ d }) => d.flow)).toEqual(expect.arrayContaining(['exact-procore', 'procore-acumatica']));
    for (const { flow, d } of creating) {
      expect([d.set, d.sourceFields.length]).toEqual([d.set, 1]);
      expect([d.set, d.createsCounterparty!.system]).toEqual([d.set, d.targetFields[0]!.reference!.system]);
      expect((flow.systems as readonly string[]).includes(d.createsCounterparty!.system)).toBe(true);
    }
  });

  it('every list a field names is read from one of its flow’s systems', () => {
    for (const { flow, d } of tables)
      for (const field of [...d.sourceFields, ...d.targetFields])
        if (field.reference) expect([d.set, field.name, (flow.systems as readonly string[]).includes(field.reference.system)]).toEqual([d.set, field.name, true]);
  });
});
