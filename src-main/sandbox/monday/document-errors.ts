import {
  FieldsOnCorrectTypeRule,
  getNamedType,
  getVariableValues,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  KnownArgumentNamesRule,
  KnownTypeNamesRule,
  Kind,
  Lexer,
  NoUndefinedVariablesRule,
  NoUnusedVariablesRule,
  print,
  ProvidedRequiredArgumentsRule,
  ScalarLeafsRule,
  Source,
  specifiedRules,
  TokenKind,
  typeFromAST,
  TypeInfo,
  validate,
  ValuesOfCorrectTypeRule,
  VariablesAreInputTypesRule,
  VariablesInAllowedPositionRule,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  type GraphQLType,
  type ObjectFieldNode,
  type ObjectValueNode,
  type OperationDefinitionNode,
  type ValidationRule,
  type VariableDefinitionNode,
} from 'graphql';

/**
 * monday's API runs on graphql-ruby, so a document it cannot parse or validate is answered in
 * graphql-ruby's words, not graphql-js's (issue: "Field 'x' doesn't exist on type 'Y'" with
 * `path` and `extensions.code` such as `undefinedField`). graphql-js finds the errors; this
 * module rewrites each into the message, path and extensions graphql-ruby's static validation
 * produces (graphql-ruby lib/graphql/static_validation/rules/*.rb): the path is the operation
 * ("query", "mutation Name"), then field aliases or names, argument names, "... on Type",
 * "fragment Name" and "... Name" on the way down. Rules without a rewrite keep graphql-js's
 * message (they are rare for a client: duplicate names, fragment cycles, …).
 */
export type MondayErrorEntry = Record<string, unknown>;

interface Location {
  line: number;
  column: number;
}

/** A syntax error as graphql-ruby's parser words it: `Parse error on "}" (RCURLY) at [1, 19]`. */
export function parseErrorEntry(query: string, error: GraphQLError): MondayErrorEntry {
  const location = error.locations?.[0];
  if (!location) return { message: `Parse error on ${error.message}`, locations: [] };
  // Column values hand-escaped into the query text (fact sheet §4.8): graphql-ruby's own wording.
  const badEscape = /Invalid Unicode escape sequence: "([^"]*)"/.exec(error.message)?.[1];
  if (badEscape)
    return {
      message: `Parse error on bad Unicode escape sequence: ${JSON.stringify(badEscape)} (BAD_UNICODE_ESCAPE) at [${location.line}, ${location.column}]`,
      locations: [location],
    };
  const token = tokenAt(query, location);
  if (token === 'eof') return { message: 'Unexpected end of document', locations: [] };
  const described = token ? `${JSON.stringify(token.value)} (${token.name})` : `${JSON.stringify(charAt(query, location))} (UNKNOWN_CHAR)`;
  return { message: `Parse error on ${described} at [${location.line}, ${location.column}]`, locations: [location] };
}

const TOKEN_NAMES: Partial<Record<string, string>> = {
  [TokenKind.BANG]: 'BANG',
  [TokenKind.DOLLAR]: 'VAR_SIGN',
  [TokenKind.AMP]: 'AMP',
  [TokenKind.PAREN_L]: 'LPAREN',
  [TokenKind.PAREN_R]: 'RPAREN',
  [TokenKind.SPREAD]: 'ELLIPSIS',
  [TokenKind.COLON]: 'COLON',
  [TokenKind.EQUALS]: 'EQUALS',
  [TokenKind.AT]: 'DIR_SIGN',
  [TokenKind.BRACKET_L]: 'LBRACKET',
  [TokenKind.BRACKET_R]: 'RBRACKET',
  [TokenKind.BRACE_L]: 'LCURLY',
  [TokenKind.BRACE_R]: 'RCURLY',
  [TokenKind.PIPE]: 'PIPE',
  [TokenKind.INT]: 'INT',
  [TokenKind.FLOAT]: 'FLOAT',
  [TokenKind.STRING]: 'STRING',
  [TokenKind.BLOCK_STRING]: 'STRING',
};

/** graphql-ruby names keywords after themselves (QUERY, ON, TRUE, …) and other names IDENTIFIER. */
const KEYWORDS = new Set(['query', 'mutation', 'subscription', 'fragment', 'on', 'true', 'false', 'null']);

function tokenAt(query: string, at: Location): { value: string; name: string } | 'eof' | null {
  const lexer = new Lexer(new Source(query));
  try {
    for (let token = lexer.advance(); ; token = lexer.advance()) {
      if (token.kind === TokenKind.EOF) return 'eof';
      if (token.line === at.line && token.column === at.column) {
        const value = token.value ?? token.kind;
        if (token.kind === TokenKind.NAME) return { value, name: KEYWORDS.has(value) ? value.toUpperCase() : 'IDENTIFIER' };
        return { value, name: TOKEN_NAMES[token.kind] ?? 'UNKNOWN_CHAR' };
      }
      if (token.line > at.line || (token.line === at.line && token.column > at.column)) return null;
    }
  } catch {
    // The lexer itself failed at this spot (bad character, unterminated string).
    return null;
  }
}

function charAt(query: string, at: Location): string {
  const line = query.split(/\r\n|\r|\n/)[at.line - 1] ?? '';
  return line.slice(at.column - 1, at.column) || ' ';
}

/** Where a node sits: its graphql-ruby path and what encloses it. */
interface NodeInfo {
  path: string[];
  /** For a field: the type the field was asked on. */
  parentTypeName?: string | undefined;
  /** For a field: its return type. */
  fieldType?: GraphQLType | undefined;
  /** For an argument or input-object field: its declared type, its owner and the owner's kind. */
  argument?: ArgumentInfo | undefined;
  /** For an object value: its input type. */
  inputType?: GraphQLInputType | undefined;
  /** The operation the node belongs to. */
  operation?: OperationDefinitionNode | undefined;
  /** For a named type inside a variable definition: that definition. */
  variableDefinition?: VariableDefinitionNode | undefined;
  /** For a selection set: the field it belongs to. */
  ownerField?: FieldNode | undefined;
}

interface ArgumentInfo {
  name: string;
  type: GraphQLInputType | undefined;
  ownerKind: 'Field' | 'InputObject' | 'Directive';
  ownerName: string;
  node: ArgumentNode | ObjectFieldNode;
  ownerNode: ASTNode;
}

function typeSignature(type: GraphQLType | undefined): string {
  return type ? String(type) : '';
}

/** One visit with TypeInfo that records, for every node, what the rewrites need to know. */
function indexDocument(schema: GraphQLSchema, document: DocumentNode): Map<ASTNode, NodeInfo> {
  const typeInfo = new TypeInfo(schema);
  const infos = new Map<ASTNode, NodeInfo>();
  const path: string[] = [];
  const argumentStack: ArgumentInfo[] = [];
  const objectStack: ObjectValueNode[] = [];
  const ownerStack: { kind: 'Field' | 'Directive'; name: string; node: ASTNode }[] = [];
  let operation: OperationDefinitionNode | undefined;
  let variableDefinition: VariableDefinitionNode | undefined;
  const record = (node: ASTNode, extra: Partial<NodeInfo> = {}): void => {
    infos.set(node, { path: [...path], operation, variableDefinition, argument: argumentStack[argumentStack.length - 1], ...extra });
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition: {
        enter(node) {
          operation = node;
          path.push(`${node.operation}${node.name ? ` ${node.name.value}` : ''}`);
          record(node);
        },
        leave() {
          path.pop();
        },
      },
      VariableDefinition: {
        enter(node) {
          variableDefinition = node;
          record(node);
        },
        leave() {
          variableDefinition = undefined;
        },
      },
      FragmentDefinition: {
        enter(node) {
          path.push(`fragment ${node.name.value}`);
          record(node);
        },
        leave() {
          path.pop();
        },
      },
      InlineFragment: {
        enter(node) {
          path.push(`...${node.typeCondition ? ` on ${node.typeCondition.name.value}` : ''}`);
          record(node);
        },
        leave() {
          path.pop();
        },
      },
      FragmentSpread: {
        enter(node) {
          path.push(`... ${node.name.value}`);
          record(node);
        },
        leave() {
          path.pop();
        },
      },
      Field: {
        enter(node) {
          path.push(node.alias?.value ?? node.name.value);
          const fieldType = typeInfo.getFieldDef()?.type;
          record(node, { parentTypeName: typeInfo.getParentType()?.name, fieldType });
          if (node.selectionSet) record(node.selectionSet, { fieldType, ownerField: node });
          ownerStack.push({ kind: 'Field', name: node.alias?.value ?? node.name.value, node });
        },
        leave() {
          ownerStack.pop();
          path.pop();
        },
      },
      Directive: {
        enter(node) {
          ownerStack.push({ kind: 'Directive', name: node.name.value, node });
        },
        leave() {
          ownerStack.pop();
        },
      },
      Argument: {
        enter(node) {
          const owner = ownerStack[ownerStack.length - 1];
          path.push(node.name.value);
          argumentStack.push({
            name: node.name.value,
            type: typeInfo.getArgument()?.type,
            ownerKind: owner?.kind ?? 'Field',
            ownerName: owner?.name ?? '',
            node,
            ownerNode: owner?.node ?? node,
          });
          record(node);
        },
        leave() {
          argumentStack.pop();
          path.pop();
        },
      },
      ObjectValue: {
        enter(node) {
          objectStack.push(node);
          record(node, { inputType: typeInfo.getInputType() ?? undefined });
        },
        leave() {
          objectStack.pop();
        },
      },
      ObjectField: {
        enter(node) {
          const ownerType = getNamedType(typeInfo.getParentInputType() ?? undefined);
          path.push(node.name.value);
          argumentStack.push({
            name: node.name.value,
            type: typeInfo.getInputType() ?? undefined,
            ownerKind: 'InputObject',
            ownerName: ownerType?.name ?? '',
            node,
            ownerNode: objectStack[objectStack.length - 1] ?? node,
          });
          record(node);
        },
        leave() {
          argumentStack.pop();
          path.pop();
        },
      },
      enter(node) {
        if (!infos.has(node)) record(node);
      },
    }),
  );
  return infos;
}

function locationOf(node: ASTNode | undefined): Location[] {
  const loc = node?.loc;
  return loc ? [{ line: loc.startToken.line, column: loc.startToken.column }] : [];
}

type Rewrite = (error: GraphQLError, info: (node: ASTNode | undefined) => NodeInfo | undefined) => MondayErrorEntry[] | null;

/** graphql-ruby's "Type mismatch / List dimension mismatch / Nullability mismatch" (VariableUsagesAreAllowed). */
function variableMismatch(varType: GraphQLType, argType: GraphQLType, hasDefault: boolean): string {
  const listDimension = (t: GraphQLType): number => (isNonNullType(t) ? listDimension(t.ofType) : isListType(t) ? 1 + listDimension(t.ofType) : 0);
  const effective = hasDefault && !isNonNullType(varType) ? `${String(varType)}!` : String(varType);
  if (getNamedType(varType).name !== getNamedType(argType).name) return `Type mismatch|${effective}`;
  if (listDimension(varType) !== listDimension(argType)) return `List dimension mismatch|${effective}`;
  return `Nullability mismatch|${effective}`;
}

const REWRITES = new Map<ValidationRule, Rewrite>([
  [
    FieldsOnCorrectTypeRule,
    (error, info) => {
      const node = error.nodes?.[0] as FieldNode | undefined;
      const at = info(node);
      if (!node || !at) return null;
      const typeName = at.parentTypeName ?? '';
      return [
        {
          message: `Field '${node.name.value}' doesn't exist on type '${typeName}'`,
          locations: locationOf(node),
          path: at.path,
          extensions: { code: 'undefinedField', typeName, fieldName: node.name.value },
        },
      ];
    },
  ],
  [
    KnownArgumentNamesRule,
    (error, info) => {
      const node = error.nodes?.[0] as ArgumentNode | undefined;
      const at = info(node);
      if (!node || !at?.argument) return null;
      const { ownerKind, ownerName } = at.argument;
      return [
        {
          message: `${ownerKind} '${ownerName}' doesn't accept argument '${node.name.value}'`,
          locations: locationOf(node),
          path: at.path,
          extensions: { code: 'argumentNotAccepted', name: ownerName, typeName: ownerKind, argumentName: node.name.value },
        },
      ];
    },
  ],
  [
    ScalarLeafsRule,
    (error, info) => {
      // graphql-js points at the field (no selections) or at its selection set (selections on a leaf).
      const first = error.nodes?.[0];
      const node = first?.kind === Kind.SELECTION_SET ? info(first)?.ownerField : (first as FieldNode | undefined);
      const at = info(node);
      if (!node || node.kind !== Kind.FIELD || !at?.fieldType) return null;
      const named = getNamedType(at.fieldType);
      const nodeName = `field '${node.name.value}'`;
      const message = isLeafType(named)
        ? `Selections can't be made on scalars (${nodeName} returns ${named.name} but has selections [${(node.selectionSet?.selections ?? [])
            .map((s) => (s.kind === Kind.INLINE_FRAGMENT ? `"... on ${s.typeCondition?.name.value ?? ''} { ... }"` : `"${s.name.value}"`))
            .join(', ')}])`
        : `Field must have selections (${nodeName} returns ${named.name} but has no selections. Did you mean '${node.name.value} { ... }'?)`;
      return [{ message, locations: locationOf(node), path: at.path, extensions: { code: 'selectionMismatch', nodeName, typeName: named.name } }];
    },
  ],
  [
    ValuesOfCorrectTypeRule,
    (error, info) => {
      const node = error.nodes?.[0];
      const at = info(node);
      if (!node || !at) return null;
      // A required input-object field left out: graphql-ruby RequiredInputObjectAttributesArePresent.
      if (node.kind === Kind.OBJECT && at.inputType && isInputObjectType(getNamedType(at.inputType))) {
        const type = getNamedType(at.inputType);
        if (!isInputObjectType(type)) return null;
        const present = new Set(node.fields.map((f) => f.name.value));
        return Object.values(type.getFields())
          .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined && !present.has(f.name))
          .map((f) => ({
            message: `Argument '${f.name}' on InputObject '${type.name}' is required. Expected type ${String(f.type)}`,
            locations: locationOf(node),
            path: [...at.path, f.name],
            extensions: { code: 'missingRequiredInputObjectAttribute', argumentName: f.name, argumentType: String(f.type), inputObjectType: type.name },
          }));
      }
      const argument = at.argument;
      if (!argument) return null;
      // An input-object field the type does not have: graphql-ruby ArgumentsAreDefined on an InputObject.
      if (node.kind === Kind.OBJECT_FIELD && argument.type === undefined)
        return [
          {
            message: `InputObject '${argument.ownerName}' doesn't accept argument '${argument.name}'`,
            locations: locationOf(node),
            path: at.path,
            extensions: { code: 'argumentNotAccepted', name: argument.ownerName, typeName: 'InputObject', argumentName: argument.name },
          },
        ];
      // graphql-ruby reports the innermost argument whose literal does not fit, printing its whole value.
      const argumentInfo = info(argument.node);
      return [
        {
          message: `Argument '${argument.name}' on ${argument.ownerKind} '${argument.ownerName}' has an invalid value (${print(argument.node.value)}). Expected type '${typeSignature(argument.type)}'.`,
          locations: locationOf(argument.ownerNode),
          path: argumentInfo?.path ?? at.path,
          extensions: { code: 'argumentLiteralsIncompatible', typeName: argument.ownerKind === 'InputObject' ? 'InputObject' : 'Field', argumentName: argument.name },
        },
      ];
    },
  ],
  [
    NoUnusedVariablesRule,
    (error, info) => {
      const node = error.nodes?.[0] as VariableDefinitionNode | undefined;
      const at = info(node);
      if (!node || !at) return null;
      const name = node.variable.name.value;
      return [
        {
          message: `Variable $${name} is declared by ${at.operation?.name?.value ?? ''} but not used`,
          locations: locationOf(at.operation),
          path: at.path,
          extensions: { code: 'variableNotUsed', variableName: name },
        },
      ];
    },
  ],
  [
    NoUndefinedVariablesRule,
    (error, info) => {
      const node = error.nodes?.[0];
      const at = info(node);
      if (!node || node.kind !== Kind.VARIABLE || !at) return null;
      const name = node.name.value;
      return [
        {
          message: `Variable $${name} is used by ${at.operation?.name?.value ?? ''} but not declared`,
          locations: locationOf(node),
          path: at.path,
          extensions: { code: 'variableNotDefined', variableName: name },
        },
      ];
    },
  ],
  [
    KnownTypeNamesRule,
    (error, info) => {
      const node = error.nodes?.[0];
      const at = info(node);
      if (!node || node.kind !== Kind.NAMED_TYPE || !at) return null;
      if (at.variableDefinition)
        return [
          {
            message: `${node.name.value} isn't a defined input type (on $${at.variableDefinition.variable.name.value})`,
            locations: locationOf(at.variableDefinition),
            path: at.path,
            extensions: { code: 'variableRequiresValidType', typeName: node.name.value, variableName: at.variableDefinition.variable.name.value },
          },
        ];
      return [
        {
          message: `No such type ${node.name.value}, so it can't be a fragment condition`,
          locations: locationOf(node),
          path: at.path,
          extensions: { code: 'undefinedType', typeName: node.name.value },
        },
      ];
    },
  ],
  [
    VariablesAreInputTypesRule,
    (error, info) => {
      const node = error.nodes?.[0];
      const at = info(node);
      if (!node || !at?.variableDefinition) return null;
      const definition = at.variableDefinition;
      const typeName = getNamedTypeName(definition);
      return [
        {
          message: `${typeName} isn't a valid input type (on $${definition.variable.name.value})`,
          locations: locationOf(definition),
          path: at.path,
          extensions: { code: 'variableRequiresValidType', typeName, variableName: definition.variable.name.value },
        },
      ];
    },
  ],
]);

function getNamedTypeName(definition: VariableDefinitionNode): string {
  let type = definition.type;
  while (type.kind !== Kind.NAMED_TYPE) type = type.type;
  return type.name.value;
}

/** The document's validation errors in graphql-ruby's words, in document order; [] when valid. */
export function validationErrors(schema: GraphQLSchema, document: DocumentNode): MondayErrorEntry[] {
  const all = validate(schema, document);
  if (all.length === 0) return [];
  const index = indexDocument(schema, document);
  const info = (node: ASTNode | undefined): NodeInfo | undefined => (node ? index.get(node) : undefined);
  const entries: { entry: MondayErrorEntry; at: Location }[] = [];
  const seen = new Set<string>();
  const add = (entry: MondayErrorEntry): void => {
    const key = JSON.stringify(entry);
    if (seen.has(key)) return;
    seen.add(key);
    const at = (entry.locations as Location[] | undefined)?.[0] ?? { line: 0, column: 0 };
    entries.push({ entry, at });
  };
  for (const rule of specifiedRules) {
    const errors = validate(schema, document, [rule]);
    if (rule === ProvidedRequiredArgumentsRule) {
      for (const entry of missingArguments(schema, document, errors, info)) add(entry);
      continue;
    }
    if (rule === VariablesInAllowedPositionRule) {
      for (const error of errors) add(variableUsageEntry(schema, error, info) ?? fallback(error, info));
      continue;
    }
    const rewrite = REWRITES.get(rule);
    for (const error of errors) {
      const rewritten = rewrite?.(error, info);
      for (const entry of rewritten ?? [fallback(error, info)]) add(entry);
    }
  }
  return entries.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column).map((e) => e.entry);
}

/** graphql-ruby lists every missing argument of a field in one error (RequiredArgumentsArePresent). */
function missingArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  errors: readonly GraphQLError[],
  info: (node: ASTNode | undefined) => NodeInfo | undefined,
): MondayErrorEntry[] {
  const byNode = new Map<ASTNode, string[]>();
  for (const error of errors) {
    const node = error.nodes?.[0];
    const name = /argument "([^"]+)" of type/.exec(error.message)?.[1];
    if (!node || !name) continue;
    const list = byNode.get(node) ?? [];
    list.push(name);
    byNode.set(node, list);
  }
  return [...byNode].map(([node, names]) => {
    const className = node.kind === Kind.DIRECTIVE ? 'Directive' : 'Field';
    const nodeName = node.kind === Kind.FIELD || node.kind === Kind.DIRECTIVE ? node.name.value : '';
    return {
      message: `${className} '${nodeName}' is missing required arguments: ${names.join(', ')}`,
      locations: locationOf(node),
      path: info(node)?.path ?? [],
      extensions: { code: 'missingRequiredArguments', className, name: nodeName, arguments: names.join(', ') },
    };
  });
}

function variableUsageEntry(
  schema: GraphQLSchema,
  error: GraphQLError,
  info: (node: ASTNode | undefined) => NodeInfo | undefined,
): MondayErrorEntry | null {
  const [definition, usage] = (error.nodes ?? []) as [VariableDefinitionNode | undefined, ASTNode | undefined];
  const argument = info(usage)?.argument;
  if (!definition || !argument?.type) return null;
  const varType = typeFromAST(schema, definition.type);
  if (!varType) return null;
  const [kind, signature] = variableMismatch(varType, argument.type, definition.defaultValue !== undefined).split('|') as [string, string];
  const name = definition.variable.name.value;
  return {
    message: `${kind} on variable $${name} and argument ${argument.name} (${signature} / ${String(argument.type)})`,
    locations: locationOf(argument.node),
    path: info(argument.node)?.path ?? [],
    extensions: { code: 'variableMismatch', variableName: name, typeName: signature, argumentName: argument.name, errorMessage: kind },
  };
}

/** Rules without a graphql-ruby rewrite keep graphql-js's message, with monday's path. */
function fallback(error: GraphQLError, info: (node: ASTNode | undefined) => NodeInfo | undefined): MondayErrorEntry {
  const node = error.nodes?.[0];
  return { message: error.message, locations: error.locations ?? [], ...(info(node) ? { path: info(node)?.path } : {}) };
}

/**
 * Variables that do not coerce, as graphql-ruby reports them at run time (VariableValidationError):
 * "Variable $x of type T was provided invalid value", extensions {value, problems}. [] when fine.
 */
export function variableErrors(schema: GraphQLSchema, operation: OperationDefinitionNode, inputs: Record<string, unknown>): MondayErrorEntry[] {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], inputs);
  if (!result.errors) return [];
  return result.errors.map((error) => {
    const definition = error.nodes?.find((n): n is VariableDefinitionNode => n.kind === Kind.VARIABLE_DEFINITION);
    if (!definition) return { message: error.message, locations: error.locations ?? [] };
    const name = definition.variable.name.value;
    const value = inputs[name];
    const explanation =
      value === undefined || value === null ? 'Expected value to not be null' : (error.message.split('; ').slice(1).join('; ') || error.message);
    return {
      message: `Variable $${name} of type ${print(definition.type)} was provided invalid value`,
      locations: locationOf(definition),
      extensions: { value: value ?? null, problems: [{ path: [], explanation }] },
    };
  });
}
