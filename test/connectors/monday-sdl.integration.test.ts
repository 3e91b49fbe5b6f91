import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NoDeprecatedCustomRule,
  buildSchema,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type GraphQLSchema,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  OPERATION_NAMES,
  documentSamples,
  type MondayDocument,
} from '../../src-main/connectors/monday/documents';

/**
 * Every GraphQL document the monday connector can send is valid against monday's published
 * schema (API 2026-10, shared/vendor-specs/monday/schema.graphql, read at run time and never
 * copied): it parses, passes graphql-js validation with no deprecated field or argument, and
 * its variables coerce to the declared types. The documents come from the connector's own
 * builders (`documentSamples()`), one per operation.
 */
const VENDOR_SDL = join(process.cwd(), '..', 'shared', 'vendor-specs', 'monday', 'schema.graphql');

function vendorSchema(): GraphQLSchema {
  if (!existsSync(VENDOR_SDL))
    throw new Error(
      `monday's vendor SDL is missing: expected it at ${VENDOR_SDL} (shared/vendor-specs/monday/schema.graphql)`,
    );
  return buildSchema(readFileSync(VENDOR_SDL, 'utf8'));
}

/** Problems of one document against the schema, one line each ([] = valid). */
function problems(
  schema: GraphQLSchema,
  document: Pick<MondayDocument, 'query' | 'variables'> & { operationName: string },
): string[] {
  let ast;
  try {
    ast = parse(document.query);
  } catch (error) {
    return [`does not parse: ${(error as Error).message}`];
  }
  const found = validate(schema, ast, [...specifiedRules, NoDeprecatedCustomRule]).map(
    (error) => error.message,
  );
  const operation = getOperationAST(ast, document.operationName);
  if (!operation) return [...found, `no operation named ${document.operationName}`];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], document.variables);
  for (const error of coerced.errors ?? []) found.push(`variables: ${error.message}`);
  return found;
}

describe('monday connector documents vs the vendor SDL (API 2026-10)', () => {
  let schema: GraphQLSchema;
  beforeAll(() => {
    // Read first: a missing vendor file fails every test here with its path.
    schema = vendorSchema();
  });

  const samples = documentSamples();

  it('has a sample of every operation the connector sends', () => {
    expect(new Set(samples.map((sample) => sample.operationName))).toEqual(new Set(OPERATION_NAMES));
  });

  for (const [index, sample] of samples.entries()) {
    it(`${sample.operationName} #${index} is valid, uses nothing deprecated, and its variables coerce`, () => {
      expect(problems(schema, sample)).toEqual([]);
      // §4.3: column_values travel as a JSON-encoded string in a variable, never inline.
      expect(sample.query).not.toMatch(/column_values:\s*"/);
      for (const [name, value] of Object.entries(sample.variables))
        if (/^values\d+$/.test(name)) expect(typeof value, `variable ${name}`).toBe('string');
    });
  }

  it('the check can fail: an invented field, a deprecated field, a mistyped variable', () => {
    expect(
      problems(schema, { operationName: 'X', query: 'query X { boards { id invented } }', variables: {} }),
    ).toEqual(['Cannot query field "invented" on type "Board".']);
    expect(
      problems(schema, {
        operationName: 'X',
        query: 'query X { boards { columns { settings_str } } }',
        variables: {},
      })[0],
    ).toMatch(/Column\.settings_str is deprecated/);
    expect(
      problems(schema, {
        operationName: 'X',
        query: 'query X($l: Int!) { boards(limit: $l) { id } }',
        variables: { l: 'ten' },
      })[0],
    ).toMatch(/^variables: Variable "\$l" got invalid value "ten"/);
  });
});
