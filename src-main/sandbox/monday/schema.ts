import { buildSchema, type GraphQLSchema } from 'graphql';
import { COLUMN_TYPES } from './column-values';

/**
 * The slice of monday.com's public schema (API 2026-10, repo mondaycom/mcp schema.graphql,
 * fact sheet §4.2–4.5) that the connector needs, with monday's own argument names and
 * defaults. Anything not listed here fails GraphQL validation, as an unknown field would.
 */
const SDL = /* GraphQL */ `
  scalar JSON
  scalar CompareValue
  scalar Date

  enum State { active all archived deleted }
  enum BoardKind { public private share }
  enum ColumnType { ${COLUMN_TYPES.join(' ')} }
  enum VersionKind { current maintenance previous_maintenance release_candidate deprecated dev }
  enum ItemsQueryOperator { and or }
  enum ItemsQueryRuleOperator {
    any_of not_any_of is_empty is_not_empty greater_than greater_than_or_equals lower_than
    lower_than_or_equal between contains_text not_contains_text contains_terms starts_with ends_with
    within_the_next within_the_last
  }

  type Complexity {
    "Budget left before this query."
    before: Int!
    "Budget left after this query."
    after: Int!
    "Cost of this query."
    query: Int!
    reset_in_x_seconds: Int!
  }

  type Version { kind: VersionKind! value: String! display_name: String! }

  type Column {
    id: ID!
    title: String!
    type: ColumnType!
    settings_str: String!
    description: String
    archived: Boolean!
  }

  type Group {
    id: ID!
    title: String!
    color: String!
    position: String!
    archived: Boolean
    deleted: Boolean
  }

  input ItemsQueryRule {
    column_id: ID!
    compare_value: CompareValue!
    compare_attribute: String
    operator: ItemsQueryRuleOperator = any_of
  }

  input ItemsQuery {
    rules: [ItemsQueryRule!]
    operator: ItemsQueryOperator = and
    ids: [ID!]
  }

  input ItemsPageByColumnValuesQuery {
    column_id: String!
    column_values: [String]!
  }

  type ItemsResponse {
    "Null on the last page."
    cursor: String
    items: [Item!]!
  }

  type Board {
    id: ID!
    name: String!
    state: State!
    board_kind: BoardKind!
    description: String
    workspace_id: ID
    items_count: Int
    updated_at: Date
    columns(ids: [String], types: [ColumnType!]): [Column]
    groups(ids: [String]): [Group]
    items_page(limit: Int! = 25, cursor: String, query_params: ItemsQuery): ItemsResponse!
  }

  interface ColumnValue {
    id: ID!
    type: ColumnType!
    text: String
    value: JSON
    column: Column!
  }

  type Item {
    id: ID!
    name: String!
    state: State
    created_at: Date
    updated_at: Date
    board: Board
    group: Group
    column_values(ids: [String!], types: [ColumnType!]): [ColumnValue!]!
  }

  type Query {
    boards(ids: [ID!], limit: Int = 25, page: Int = 1, state: State = active, board_kind: BoardKind): [Board]
    items(ids: [ID!], limit: Int = 25, page: Int = 1, exclude_nonactive: Boolean, newest_first: Boolean): [Item]
    next_items_page(cursor: String!, limit: Int! = 25): ItemsResponse!
    items_page_by_column_values(
      board_id: ID!
      columns: [ItemsPageByColumnValuesQuery!]
      cursor: String
      limit: Int! = 25
    ): ItemsResponse!
    complexity: Complexity
    version: Version!
    versions: [Version!]
  }

  type Mutation {
    create_board(
      board_name: String!
      board_kind: BoardKind!
      description: String
      workspace_id: ID
      folder_id: ID
    ): Board
    create_column(
      board_id: ID!
      title: String!
      column_type: ColumnType!
      description: String
      defaults: JSON
      id: String
      after_column_id: ID
    ): Column
    create_group(board_id: ID!, group_name: String!, group_color: String, relative_to: String): Group
    create_item(
      board_id: ID!
      item_name: String!
      group_id: String
      column_values: JSON
      create_labels_if_missing: Boolean
    ): Item
    change_multiple_column_values(
      board_id: ID!
      item_id: ID
      column_values: JSON!
      create_labels_if_missing: Boolean
    ): Item
    change_column_value(
      board_id: ID!
      item_id: ID
      column_id: String!
      value: JSON!
      create_labels_if_missing: Boolean
    ): Item
    change_simple_column_value(
      board_id: ID!
      item_id: ID
      column_id: String!
      value: String
      create_labels_if_missing: Boolean
    ): Item
    complexity: Complexity
  }
`;

/** Typed column values (§4.4 "typed fragments"); the rest resolve as the generic entries. */
const VALUE_TYPES: Record<string, string> = {
  TextValue: '',
  NumbersValue: 'number: Float',
  DateValue: 'date: String time: String',
  StatusValue: 'index: Int label: String',
  DropdownValue: 'values: [String!]',
  LinkValue: 'url: String url_text: String',
  LongTextValue: '',
  EmailValue: 'email: String',
  PhoneValue: 'phone: String country_short_name: String',
  CheckboxValue: 'checked: Boolean',
  PeopleValue: '',
  TimelineValue: 'from: Date to: Date',
  BoardRelationValue: 'linked_item_ids: [ID!]!',
  NameValue: '',
};

/** Column type -> GraphQL type name of its value. */
export const VALUE_TYPE_BY_COLUMN: Record<string, string> = {
  name: 'NameValue',
  text: 'TextValue',
  numbers: 'NumbersValue',
  date: 'DateValue',
  status: 'StatusValue',
  dropdown: 'DropdownValue',
  link: 'LinkValue',
  long_text: 'LongTextValue',
  email: 'EmailValue',
  phone: 'PhoneValue',
  checkbox: 'CheckboxValue',
  people: 'PeopleValue',
  timeline: 'TimelineValue',
  board_relation: 'BoardRelationValue',
};

export function buildMondaySchema(): GraphQLSchema {
  const valueTypes = Object.entries(VALUE_TYPES)
    .map(
      ([name, extra]) =>
        `type ${name} implements ColumnValue { id: ID! type: ColumnType! text: String value: JSON column: Column! ${extra} }`,
    )
    .join('\n');
  return buildSchema(SDL + valueTypes);
}
