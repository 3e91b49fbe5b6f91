import type { IpcMethodName } from './names';

/**
 * Request problems in the words of the screen that sent the request: "Run every: must be at
 * least 5 minutes", not "Invalid schedules.save request: everyMinutes: …". Main builds the
 * message of every 'invalid-request' answer from these labels (the label of the field the user
 * sees), so a method added to the contract only needs its labels here.
 */

/** Labels per method, by request path ("activeHours.from"); an index in a path is matched as "#". */
export const REQUEST_FIELD_LABELS: Partial<Record<IpcMethodName, Readonly<Record<string, string>>>> = {
  'schedules.save': {
    flow: 'Flow',
    everyMinutes: 'Run every',
    paused: 'Paused',
    activeHours: 'Active hours',
    'activeHours.from': 'Active hours, from',
    'activeHours.to': 'Active hours, to',
    'activeHours.days': 'Active hours, days',
    'activeHours.days.#': 'Active hours, day',
  },
  'mappings.importCsv': { flow: 'Flow', set: 'Mapping table', csv: 'CSV file', note: 'Note' },
  'mappings.save': { flow: 'Flow', set: 'Mapping table', rows: 'Rows', 'rows.#': 'Row', note: 'Note for this version', baseVersion: 'Version' },
  'mappings.get': { flow: 'Flow', set: 'Mapping table', version: 'Version' },
  'mappings.exportCsv': { flow: 'Flow', set: 'Mapping table', version: 'Version' },
  'connections.save': { system: 'System', label: 'Name', mode: 'Mode', settings: 'Settings', secrets: 'Secrets' },
  'connections.connectExact': {
    region: 'Region',
    clientId: 'Client id',
    clientSecret: 'Client secret',
    redirectUri: 'Registered redirect URI',
    baseUrl: 'Exact Online address',
    division: 'Division',
  },
  'connections.connectMonday': {
    clientId: 'Client id',
    clientSecret: 'Client secret',
    redirectUri: 'Registered redirect URI',
    baseUrl: 'monday.com address',
  },
  'connections.completeSignIn': { pastedUrl: 'Paste the address' },
  'connections.connectProcore': {
    companyId: 'Company id',
    clientId: 'Client id',
    clientSecret: 'Client secret',
    environment: 'Environment',
    apiBaseUrl: 'API address',
    authBaseUrl: 'Sign-in address',
    writeConcurrency: 'Line-item writes at once',
  },
  'audit.query': {
    'filter.flow': 'Flow',
    'filter.entity': 'Record type',
    'filter.status': 'Status',
    'filter.step': 'Step',
    'filter.from': 'From',
    'filter.to': 'To',
    'filter.text': 'Search',
    limit: 'Page size',
  },
  'audit.exportCsv': { 'filter.from': 'From', 'filter.to': 'To', 'filter.text': 'Search', 'filter.status': 'Status' },
  'parked.retry': { flow: 'Flow', ids: 'Records', reasonCode: 'Reason' },
  'mappings.previewImport': { flow: 'Flow', set: 'Mapping table', csv: 'CSV file' },
  'mappings.reference': { flow: 'Flow', set: 'Mapping table' },
  'mappings.previewCounterparty': { flow: 'Flow', set: 'Mapping table', sourceKey: 'Source value' },
  'mappings.createCounterparty': { flow: 'Flow', set: 'Mapping table', sourceKey: 'Source value' },
  'reconcile.run': { flow: 'Flow' },
  'reconcile.exportCsv': { flow: 'Flow' },
};

export interface RequestIssue {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
}

const MAX_MESSAGE_LENGTH = 1_000;

/**
 * One plain sentence per problem, led by the label the user sees: "Run every: must be at least
 * 5 minutes." A field without a label is named in words from its name ("company id"); a row of
 * a list by its number as the screen shows it ("Row 3, cost code").
 */
export function describeRequestIssues(method: IpcMethodName, issues: readonly RequestIssue[]): string {
  const labels = REQUEST_FIELD_LABELS[method] ?? {};
  const sentences = issues.map((issue) => {
    const field = fieldName(issue.path, labels);
    const message = plainMessage(issue);
    const end = /[.!?]$/.test(message) ? '' : '.';
    // A message that already names the field ("the company id is a number") stands on its own.
    if (!field || message.toLowerCase().includes(field.toLowerCase())) return `${capitalise(message)}${end}`;
    return `${field}: ${message}${end}`;
  });
  const text = [...new Set(sentences)].join(' ');
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

/** Parts of a path that hold fields rather than name one. */
const CONTAINERS = ['sourceKey', 'target', 'values', 'filter'];

function fieldName(path: readonly PropertyKey[], labels: Readonly<Record<string, string>>): string {
  if (path.length === 0) return '';
  const parts = path.map((p) => (typeof p === 'number' ? '#' : String(p)));
  // The longest labelled prefix, then the rest in words: rows.2.target.costCode → "Row 3, cost code".
  for (let end = parts.length; end > 0; end--) {
    const label = labels[parts.slice(0, end).join('.')];
    if (label === undefined) continue;
    const index = path[end - 1];
    const head = typeof index === 'number' ? `${label} ${index + 1}` : label;
    const rest = path
      .slice(end)
      .filter((p) => typeof p !== 'number' && !CONTAINERS.includes(String(p)))
      .map((p) => words(String(p)));
    return [head, ...rest].join(', ');
  }
  const named = path.filter((p) => typeof p !== 'number' && !CONTAINERS.includes(String(p))).map((p) => words(String(p)));
  const first = named.join(', ');
  return first.charAt(0).toUpperCase() + first.slice(1);
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** "companyId" → "company id", "redirect_uri" → "redirect uri". */
function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}

/** zod's own wording ("Invalid input: expected number, received NaN") in plain words; ours as written. */
function plainMessage(issue: RequestIssue): string {
  const { message } = issue;
  const expected = /^Invalid input: expected (\w+), received (\w+)/.exec(message);
  if (expected) {
    const [, want, got] = expected;
    if (got === 'undefined') return 'is required';
    if (want === 'int') return 'must be a whole number';
    if (want === 'number' || got === 'NaN') return 'must be a number';
    if (want === 'string') return 'must be text';
    if (want === 'boolean') return 'must be yes or no';
    if (want === 'array') return 'must be a list';
    return 'is not in the expected form';
  }
  const option = /^Invalid option: expected one of (.+)$/.exec(message);
  if (option) return `must be one of ${option[1]!.replace(/"/g, '').replace(/\|/g, ', ')}`;
  const small = /^Too small: expected (\w+) to (?:have |be )?>=?(\d+)( characters| items)?/.exec(message);
  if (small) return small[1] === 'string' && small[2] === '1' ? 'must not be empty' : `must be at least ${small[2]}${small[3] ?? ''}`;
  const big = /^Too big: expected (\w+) to (?:have |be )?<=?(\d+)( characters| items)?/.exec(message);
  if (big) return `must be at most ${big[2]}${big[3] ?? ''}`;
  const unknownKeys = /^Unrecognized keys?: (.+)$/.exec(message);
  if (unknownKeys) return `${unknownKeys[1]} ${unknownKeys[1]!.includes(',') ? 'are' : 'is'} not part of this request`;
  if (/^Invalid ISO (datetime|date)/.test(message)) return 'must be a date and time';
  if (/^Invalid (input|string|format|URL|url)/.test(message)) return 'is not in the expected form';
  return message;
}
