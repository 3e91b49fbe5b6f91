import { GraphQLError, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parseErrorEntry, validationErrors, variableErrors } from './document-errors';
import { buildMondaySchema } from './schema';

const schema = buildMondaySchema();
const errorsOf = (query: string): Record<string, unknown>[] => validationErrors(schema, parse(query));
const parseError = (query: string): Record<string, unknown> => {
  try {
    parse(query);
  } catch (err) {
    if (err instanceof GraphQLError) return parseErrorEntry(query, err);
  }
  throw new Error(`"${query}" parsed`);
};

describe('monday document errors in graphql-ruby words', () => {
  it('an unknown field: "Field \'x\' doesn\'t exist on type \'Y\'", path from the operation, code undefinedField', () => {
    expect(errorsOf('query Lookup { boards { items_page { items { nope } } } }')).toEqual([
      {
        message: "Field 'nope' doesn't exist on type 'Item'",
        locations: [{ line: 1, column: 46 }],
        path: ['query Lookup', 'boards', 'items_page', 'items', 'nope'],
        extensions: { code: 'undefinedField', typeName: 'Item', fieldName: 'nope' },
      },
    ]);
    // Aliases and inline fragments name the path as graphql-ruby does.
    expect(errorsOf('{ b: boards { id ... on Board { nope } } }')[0]?.path).toEqual(['query', 'b', '... on Board', 'nope']);
  });

  it('arguments: argumentNotAccepted, missingRequiredArguments (all in one), argumentLiteralsIncompatible', () => {
    expect(errorsOf('{ boards(foo: 1) { id } }')[0]).toMatchObject({
      message: "Field 'boards' doesn't accept argument 'foo'",
      path: ['query', 'boards', 'foo'],
      extensions: { code: 'argumentNotAccepted', name: 'boards', typeName: 'Field', argumentName: 'foo' },
    });
    expect(errorsOf('mutation { create_item { id } }')).toEqual([
      expect.objectContaining({
        message: "Field 'create_item' is missing required arguments: board_id, item_name",
        path: ['mutation', 'create_item'],
        extensions: { code: 'missingRequiredArguments', className: 'Field', name: 'create_item', arguments: 'board_id, item_name' },
      }),
    ]);
    expect(errorsOf('{ boards(limit: "ten") { id } }')[0]).toMatchObject({
      message: `Argument 'limit' on Field 'boards' has an invalid value ("ten"). Expected type 'Int'.`,
      extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: 'limit' },
    });
    expect(errorsOf('{ boards { items_page(query_params: {rules: [{column_id: "s", compare_value: [1], operator: bogus}]}) { cursor } } }')[0]).toMatchObject({
      message: "Argument 'operator' on InputObject 'ItemsQueryRule' has an invalid value (bogus). Expected type 'ItemsQueryRuleOperator'.",
      path: ['query', 'boards', 'items_page', 'query_params', 'rules', 'operator'],
    });
    expect(errorsOf('{ boards { items_page(query_params: {rules: [{compare_value: [1]}]}) { cursor } } }')[0]).toMatchObject({
      message: "Argument 'column_id' on InputObject 'ItemsQueryRule' is required. Expected type ID!",
      extensions: { code: 'missingRequiredInputObjectAttribute' },
    });
  });

  it('selections and variables: selectionMismatch, variableMismatch, variableNotUsed, variableNotDefined', () => {
    expect(errorsOf('{ boards }')[0]).toMatchObject({
      message: "Field must have selections (field 'boards' returns Board but has no selections. Did you mean 'boards { ... }'?)",
      extensions: { code: 'selectionMismatch' },
    });
    expect(errorsOf('{ boards { id { x } } }')[0]?.message).toBe(`Selections can't be made on scalars (field 'id' returns ID but has selections ["x"])`);
    expect(errorsOf('query ($b: ID) { items_page_by_column_values(board_id: $b) { cursor } }')[0]).toMatchObject({
      message: 'Nullability mismatch on variable $b and argument board_id (ID / ID!)',
      extensions: { code: 'variableMismatch', variableName: 'b', argumentName: 'board_id' },
    });
    expect(errorsOf('query Q($x: Int) { boards { id } }')[0]).toMatchObject({ message: 'Variable $x is declared by Q but not used', extensions: { code: 'variableNotUsed' } });
    expect(errorsOf('query Q { boards(ids: [$b]) { id } }')[0]).toMatchObject({ message: 'Variable $b is used by Q but not declared', extensions: { code: 'variableNotDefined' } });
  });

  it('a valid document has no errors', () => {
    expect(errorsOf('query ($b: [ID!]) { boards(ids: $b) { id columns { id settings } } complexity { query } }')).toEqual([]);
  });

  it('parse errors: "Parse error on "}" (RCURLY) at [l, c]", "Unexpected end of document", bad Unicode escapes', () => {
    expect(parseError('{ boards { id } } }')).toEqual({ message: 'Parse error on "}" (RCURLY) at [1, 19]', locations: [{ line: 1, column: 19 }] });
    expect(parseError('{ boards { id ')).toEqual({ message: 'Unexpected end of document', locations: [] });
    expect(parseError('mutation { create_item(board_id: 1, item_name: "\\u00zz") { id } }').message).toMatch(/^Parse error on bad Unicode escape sequence: .* \(BAD_UNICODE_ESCAPE\) at \[1, \d+\]$/);
  });

  it('variables that do not coerce: "Variable $x of type T was provided invalid value" with value and problems', () => {
    const operation = parse('query ($b: ID!, $l: Int) { boards(ids: [$b], limit: $l) { id } }').definitions[0] as OperationDefinitionNode;
    expect(variableErrors(schema, operation, { b: '1', l: 5 })).toEqual([]);
    expect(variableErrors(schema, operation, { l: 'x' })).toEqual([
      expect.objectContaining({ message: 'Variable $b of type ID! was provided invalid value', extensions: { value: null, problems: [{ path: [], explanation: 'Expected value to not be null' }] } }),
      expect.objectContaining({ message: 'Variable $l of type Int was provided invalid value', extensions: expect.objectContaining({ value: 'x' }) }),
    ]);
  });
});
