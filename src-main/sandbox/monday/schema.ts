import { buildSchema, type GraphQLSchema } from 'graphql';
import { COLUMN_TYPES, type ColumnType } from './column-values';

/**
 * The slice of monday.com's public schema (API 2026-10, vendor SDL
 * shared/vendor-specs/monday/schema.graphql, fact sheet §4.2–4.5) that the sandbox serves.
 * Every type, field and argument here has the vendor's name, type, nullability and default:
 * test/sandbox/monday.sdl.integration.test.ts compares the served schema with the vendor SDL
 * type by type. Fields and arguments the sandbox does not model are left out (a client that
 * asks for them gets monday's `undefinedField` / `argumentNotAccepted`), never served wrong.
 */
const SDL = /* GraphQL */ `
  scalar JSON
  scalar CompareValue
  scalar Date
  scalar ISO8601DateTime

  enum State { active all archived deleted }
  enum BoardKind { private public share }
  enum ColumnType { ${COLUMN_TYPES.join(' ')} }
  enum VersionKind {
    current deprecated dev maintenance old__maintenance old_previous_maintenance previous_maintenance release_candidate
  }
  enum ItemsQueryOperator { or and }
  enum ItemsQueryRuleOperator {
    any_of not_any_of is_empty is_not_empty greater_than greater_than_or_equals lower_than
    lower_than_or_equal between not_contains_text contains_text contains_terms starts_with ends_with
    within_the_next within_the_last
  }
  enum ItemsOrderByDirection { asc desc }
  enum NumberValueUnitDirection { left right }
  enum Kind { agent person team }

  type Complexity {
    "The remaining complexity after the query's execution."
    after: Int!
    "The remaining complexity before the query's execution."
    before: Int!
    "The specific query's complexity."
    query: Int!
    "How long in seconds before the complexity budget is reset."
    reset_in_x_seconds: Int!
  }

  type Version { display_name: String! kind: VersionKind! value: String! }

  type Column {
    archived: Boolean!
    description: String
    id: ID!
    "The column's settings as a JSON object (API 2025-10 and later)."
    settings: JSON
    settings_str: String! @deprecated(reason: "From version 2025-10, use settings instead. Will be removed in a future version.")
    title: String!
    type: ColumnType!
    width: Int
  }

  type Group {
    archived: Boolean
    color: String!
    deleted: Boolean
    id: ID!
    items_page(cursor: String, limit: Int! = 25, query_params: ItemsQuery): ItemsResponse!
    position: String!
    title: String!
  }

  input ItemsQueryRule {
    column_id: ID!
    compare_value: CompareValue!
    compare_attribute: String
    operator: ItemsQueryRuleOperator = any_of
  }

  input ItemsQueryGroup {
    rules: [ItemsQueryRule!]
    groups: [ItemsQueryGroup!]
    operator: ItemsQueryOperator = and
  }

  input ItemsQueryOrderBy {
    column_id: String!
    direction: ItemsOrderByDirection = asc
  }

  input ItemsQuery {
    groups: [ItemsQueryGroup!]
    ids: [ID!]
    operator: ItemsQueryOperator = and
    order_by: [ItemsQueryOrderBy!]
    rules: [ItemsQueryRule!]
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
    board_kind: BoardKind!
    columns(ids: [String], types: [ColumnType!]): [Column]
    created_at: ISO8601DateTime
    description: String
    groups(ids: [String]): [Group]
    id: ID!
    items_count: Int
    items_page(cursor: String, limit: Int! = 25, query_params: ItemsQuery): ItemsResponse!
    name: String!
    state: State!
    top_group: Group!
    updated_at: ISO8601DateTime
    url: String!
    workspace_id: ID
  }

  interface ColumnValue {
    column: Column!
    id: ID!
    is_leaf: Boolean!
    text: String
    type: ColumnType!
    value: JSON
  }

  type DropdownValueOption { id: ID! label: String! }
  type PeopleEntity { id: ID! kind: Kind }

  type Item {
    board: Board
    column_values(ids: [String!], types: [ColumnType!]): [ColumnValue!]!
    created_at: Date
    group: Group
    id: ID!
    name: String!
    parent_item: Item
    relative_link: String
    state: State
    subitems: [Item]
    updated_at: Date
    url: String!
  }

  type Query {
    boards(
      board_kind: BoardKind
      ids: [ID!]
      limit: Int = 25
      page: Int = 1
      state: State = active
      workspace_ids: [ID]
    ): [Board]
    complexity: Complexity
    items(exclude_nonactive: Boolean, ids: [ID!], limit: Int = 25, newest_first: Boolean, page: Int = 1): [Item]
    items_page_by_column_values(
      board_id: ID!
      columns: [ItemsPageByColumnValuesQuery!]
      cursor: String
      limit: Int! = 25
    ): ItemsResponse!
    next_items_page(cursor: String!, limit: Int! = 25): ItemsResponse!
    version: Version!
    versions: [Version!]
  }

  type Mutation {
    archive_item(item_id: ID): Item
    change_column_value(
      board_id: ID!
      column_id: String!
      create_labels_if_missing: Boolean
      item_id: ID
      value: JSON!
    ): Item
    change_multiple_column_values(
      board_id: ID!
      column_values: JSON!
      create_labels_if_missing: Boolean
      item_id: ID
    ): Item
    change_simple_column_value(
      board_id: ID!
      column_id: String!
      create_labels_if_missing: Boolean
      item_id: ID
      value: String
    ): Item
    complexity: Complexity
    create_board(board_kind: BoardKind!, board_name: String!, description: String, workspace_id: ID): Board
    create_column(
      after_column_id: ID
      board_id: ID!
      column_type: ColumnType!
      defaults: JSON
      description: String
      id: String
      title: String!
    ): Column
    create_group(board_id: ID!, group_color: String, group_name: String!): Group
    create_item(
      board_id: ID!
      column_values: JSON
      create_labels_if_missing: Boolean
      group_id: String
      item_name: String!
    ): Item
    delete_item(item_id: ID): Item
  }
`;

/**
 * The column value implementations the sandbox serves, with their type-specific fields
 * (vendor SDL `type XValue implements ColumnValue`). There is no NameValue: the name column is
 * not part of column_values (its text is Item.name).
 */
const VALUE_TYPES: Record<string, string> = {
  TextValue: '',
  NumbersValue: 'direction: NumberValueUnitDirection number: Float symbol: String',
  DateValue: 'date: String icon: String time: String updated_at: Date',
  StatusValue: 'index: Int is_done: Boolean label: String update_id: ID updated_at: Date',
  DropdownValue: 'values: [DropdownValueOption!]!',
  LinkValue: 'updated_at: Date url: String url_text: String',
  LongTextValue: 'updated_at: Date',
  EmailValue: 'email: String label: String updated_at: Date',
  PhoneValue: 'country_short_name: String phone: String updated_at: Date',
  CheckboxValue: 'checked: Boolean updated_at: Date',
  PeopleValue: 'persons_and_teams: [PeopleEntity!] updated_at: Date',
  TimelineValue: 'from: Date to: Date updated_at: Date visualization_type: String',
  BoardRelationValue: 'display_value: String! linked_item_ids: [ID!]! linked_items: [Item!]! updated_at: Date',
  FormulaValue: 'display_value: String!',
  MirrorValue: 'display_value: String!',
  FileValue: '',
  SubtasksValue: 'display_value: String! subitems: [Item!]! subitems_ids: [ID!]!',
  UnsupportedValue: '',
};

/** Column type -> GraphQL type name of its value (vendor SDL implementations of ColumnValue). */
export const VALUE_TYPE_BY_COLUMN: Partial<Record<ColumnType, string>> = {
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
  formula: 'FormulaValue',
  mirror: 'MirrorValue',
  file: 'FileValue',
  subtasks: 'SubtasksValue',
};

export function buildMondaySchema(): GraphQLSchema {
  const valueTypes = Object.entries(VALUE_TYPES)
    .map(
      ([name, extra]) =>
        `type ${name} implements ColumnValue { column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON ${extra} }`,
    )
    .join('\n');
  return buildSchema(SDL + valueTypes);
}
