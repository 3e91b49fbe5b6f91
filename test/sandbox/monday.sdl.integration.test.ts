import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startMondaySimulator } from '../../src-main/sandbox/monday/index';

/**
 * Every type, field and argument the monday simulator serves matches monday's published schema
 * (API 2026-10, shared/vendor-specs/monday/schema.graphql): name, type, nullability, defaults,
 * deprecation, enum values. The simulator's schema is read the way a client reads it, by
 * introspection over HTTP; the vendor file is read at run time and never copied.
 */
const VENDOR_SDL = join(process.cwd(), '..', 'shared', 'vendor-specs', 'monday', 'schema.graphql');

function vendorSchema(): GraphQLSchema {
  if (!existsSync(VENDOR_SDL)) throw new Error(`monday's vendor SDL is missing: expected it at ${VENDOR_SDL} (shared/vendor-specs/monday/schema.graphql)`);
  return buildSchema(readFileSync(VENDOR_SDL, 'utf8'));
}

async function servedSchema(sim: RunningSimulator): Promise<GraphQLSchema> {
  const res = await fetch(`${sim.baseUrl}/v2`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: String(sim.credentials.apiToken), 'API-Version': '2026-10' },
    body: JSON.stringify({ query: getIntrospectionQuery({ inputValueDeprecation: false }) }),
  });
  const body = (await res.json()) as { data?: IntrospectionQuery; errors?: unknown };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  if (!body.data) throw new Error('no introspection data');
  return buildClientSchema(body.data);
}

/** The simulator's own types: everything but introspection types and GraphQL's built-in scalars. */
function ownTypes(schema: GraphQLSchema): GraphQLNamedType[] {
  const builtIn = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);
  return Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__') && !builtIn.has(t.name));
}

const kindOf = (t: GraphQLNamedType): string =>
  isObjectType(t) ? 'object' : isInterfaceType(t) ? 'interface' : isInputObjectType(t) ? 'input' : isEnumType(t) ? 'enum' : isUnionType(t) ? 'union' : isScalarType(t) ? 'scalar' : 'other';

/** The comparable facts of an argument or input field: type with nullability, default. */
const inputFacts = (v: GraphQLArgument | GraphQLInputField): { type: string; defaultValue: unknown } => ({
  type: String(v.type),
  defaultValue: v.defaultValue === undefined ? undefined : JSON.stringify(v.defaultValue),
});

/** Differences between what the simulator serves and the vendor SDL, one line each ([] = conforms). */
function differences(served: GraphQLSchema, vendor: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const type of ownTypes(served)) {
    const theirs = vendor.getType(type.name);
    if (!theirs) {
      out.push(`type ${type.name} does not exist in the vendor SDL`);
      continue;
    }
    if (kindOf(type) !== kindOf(theirs)) {
      out.push(`type ${type.name} is a ${kindOf(type)}, the vendor's is a ${kindOf(theirs)}`);
      continue;
    }
    if (isEnumType(type) && isEnumType(theirs)) {
      const ours = type.getValues().map((v) => v.name).sort();
      const vendorValues = theirs.getValues().map((v) => v.name).sort();
      if (JSON.stringify(ours) !== JSON.stringify(vendorValues)) out.push(`enum ${type.name}: served [${ours.join(' ')}], vendor [${vendorValues.join(' ')}]`);
    }
    if (isUnionType(type) && isUnionType(theirs)) {
      const members = new Set(theirs.getTypes().map((t) => t.name));
      for (const member of type.getTypes()) if (!members.has(member.name)) out.push(`union ${type.name}: ${member.name} is not a vendor member`);
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(theirs) || isInterfaceType(theirs))) {
      const vendorInterfaces = new Set(theirs.getInterfaces().map((i) => i.name));
      for (const i of type.getInterfaces()) if (!vendorInterfaces.has(i.name)) out.push(`${type.name} implements ${i.name}; the vendor's does not`);
      const vendorFields = theirs.getFields();
      for (const field of Object.values(type.getFields())) {
        const vendorField = vendorFields[field.name];
        if (!vendorField) {
          out.push(`${type.name}.${field.name} does not exist in the vendor SDL`);
          continue;
        }
        if (String(field.type) !== String(vendorField.type)) out.push(`${type.name}.${field.name}: served ${String(field.type)}, vendor ${String(vendorField.type)}`);
        if ((field.deprecationReason ?? null) !== (vendorField.deprecationReason ?? null))
          out.push(`${type.name}.${field.name}: deprecation served ${String(field.deprecationReason)}, vendor ${String(vendorField.deprecationReason)}`);
        const served = new Map(field.args.map((a) => [a.name, a]));
        for (const arg of field.args) {
          const vendorArg = vendorField.args.find((a) => a.name === arg.name);
          if (!vendorArg) out.push(`${type.name}.${field.name}(${arg.name}) does not exist in the vendor SDL`);
          else if (JSON.stringify(inputFacts(arg)) !== JSON.stringify(inputFacts(vendorArg)))
            out.push(`${type.name}.${field.name}(${arg.name}): served ${JSON.stringify(inputFacts(arg))}, vendor ${JSON.stringify(inputFacts(vendorArg))}`);
        }
        // A call valid for monday must not be refused for a missing required argument.
        for (const vendorArg of vendorField.args)
          if (isNonNullType(vendorArg.type) && vendorArg.defaultValue === undefined && !served.has(vendorArg.name))
            out.push(`${type.name}.${field.name}: the vendor's required argument ${vendorArg.name} is not served`);
      }
    }
    if (isInputObjectType(type) && isInputObjectType(theirs)) {
      const vendorFields = theirs.getFields();
      for (const field of Object.values(type.getFields())) {
        const vendorField = vendorFields[field.name];
        if (!vendorField) out.push(`input ${type.name}.${field.name} does not exist in the vendor SDL`);
        else if (JSON.stringify(inputFacts(field)) !== JSON.stringify(inputFacts(vendorField)))
          out.push(`input ${type.name}.${field.name}: served ${JSON.stringify(inputFacts(field))}, vendor ${JSON.stringify(inputFacts(vendorField))}`);
      }
      for (const vendorField of Object.values(vendorFields))
        if (isNonNullType(vendorField.type) && vendorField.defaultValue === undefined && !type.getFields()[vendorField.name])
          out.push(`input ${type.name}: the vendor's required field ${vendorField.name} is not served`);
    }
  }
  return out;
}

describe('monday simulator schema vs the vendor SDL (API 2026-10)', () => {
  let sim: RunningSimulator | undefined;
  let served: GraphQLSchema;
  let vendor: GraphQLSchema;
  beforeAll(async () => {
    // Read first: a missing vendor file fails every test here with its path, before anything starts.
    vendor = vendorSchema();
    sim = await startMondaySimulator({ dataDir: null, seed: 7 });
    served = await servedSchema(sim);
  });
  afterAll(() => sim?.close());

  it('every served type, field and argument exists in the vendor SDL with the same type, nullability, default and deprecation', () => {
    expect(differences(served, vendor)).toEqual([]);
  });

  it('the comparison catches a wrong type, a missing enum value and an invented field (it can fail)', () => {
    const wrong = buildSchema(`
      enum ColumnType { text numbers }
      type DropdownValue { values: [String!] invented: Int }
      type Query { boards(limit: Int = 10): [DropdownValue] }
    `);
    const found = differences(wrong, vendor);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^enum ColumnType: served \[numbers text\], vendor \[auto_number/),
        'DropdownValue.values: served [String!], vendor [DropdownValueOption!]!',
        'DropdownValue.invented does not exist in the vendor SDL',
        'Query.boards(limit): served {"type":"Int","defaultValue":"10"}, vendor {"type":"Int","defaultValue":"25"}',
      ]),
    );
  });

  it('the facts the issue names: 43 column types, Column.settings (JSON) beside the deprecated settings_str, DropdownValueOption, no NameValue, ISO8601DateTime updated_at, order_by, Group.items_page', () => {
    const columnType = served.getType('ColumnType');
    expect(isEnumType(columnType) ? columnType.getValues().length : 0).toBe(43);
    const column = served.getType('Column');
    if (!isObjectType(column)) throw new Error('no Column type');
    expect(String(column.getFields().settings?.type)).toBe('JSON');
    expect(column.getFields().settings_str?.deprecationReason).toMatch(/use settings instead/);
    const dropdown = served.getType('DropdownValue');
    expect(isObjectType(dropdown) ? String(dropdown.getFields().values?.type) : '').toBe('[DropdownValueOption!]!');
    expect(served.getType('NameValue')).toBeUndefined();
    const board = served.getType('Board');
    expect(isObjectType(board) ? String(board.getFields().updated_at?.type) : '').toBe('ISO8601DateTime');
    const query = served.getType('ItemsQuery');
    expect(isInputObjectType(query) ? String(query.getFields().order_by?.type) : '').toBe('[ItemsQueryOrderBy!]');
    const group = served.getType('Group');
    expect(isObjectType(group) ? String(group.getFields().items_page?.type) : '').toBe('ItemsResponse!');
  });
});
