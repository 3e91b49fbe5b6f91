import type { SystemId } from './systems';

/**
 * "Connect your own account" for systems without a sign-in flow of their own: the fields the
 * Connections screen asks for and `connections.connect` checks. Secret fields go to the OS
 * keychain only; the others are the connection's settings (SQLite). Exact Online (browser
 * sign-in) and Procore (its own form) are not here.
 */
export interface ConnectField {
  /** Settings key, or the keychain field for a secret. */
  name: string;
  label: string;
  kind: 'text' | 'url' | 'number' | 'secret' | 'select';
  required?: boolean;
  options?: readonly { value: string; label: string }[];
  /** Shown under the field: where to find the value, what it is for. */
  hint?: string;
  /** Prefilled value (e.g. an API version the connector is pinned to). */
  default?: string;
}

export interface ConnectForm {
  /** One line under the form's title: what kind of account or credentials it takes. */
  intro: string;
  fields: readonly ConnectField[];
}

/** One entry per system connected through the generic form (added with the system's connector). */
export const CONNECT_FORMS: Partial<Record<SystemId, ConnectForm>> = {
  acumatica: {
    intro:
      'An API user of your Acumatica instance (cookie sign-in), or a Connected Application (OAuth, SM303010) plus that user. The Test reports the endpoint versions the instance publishes.',
    fields: [
      { name: 'instanceUrl', label: 'Instance URL', kind: 'url', required: true, hint: 'With the site name when Acumatica is not at the web root, e.g. https://erp.acme.nl/AcumaticaERP' },
      { name: 'tenant', label: 'Tenant (company)', kind: 'text', required: true, hint: 'As on the sign-in screen' },
      { name: 'endpointVersion', label: 'Endpoint version', kind: 'text', required: true, default: '24.200.001', hint: 'Of the Default endpoint; the instance must publish it (Web Service Endpoints, SM207060)' },
      {
        name: 'auth',
        label: 'Sign-in',
        kind: 'select',
        required: true,
        default: 'login',
        options: [
          { value: 'login', label: 'User name and password (cookie session)' },
          { value: 'oauth', label: 'OAuth client (Connected Application) and user' },
        ],
      },
      { name: 'username', label: 'API user name', kind: 'text', required: true },
      { name: 'password', label: 'Password', kind: 'secret', required: true },
      { name: 'clientId', label: 'OAuth client id', kind: 'text', hint: 'OAuth only; it ends with @<tenant>' },
      { name: 'clientSecret', label: 'OAuth client secret', kind: 'secret', hint: 'OAuth only' },
      { name: 'branch', label: 'Branch', kind: 'text', hint: 'Branch new bills belong to; empty = the user’s default branch' },
      {
        name: 'construction',
        label: 'Construction features',
        kind: 'select',
        default: 'no',
        options: [
          { value: 'no', label: 'No: bill lines carry account, subaccount and branch' },
          { value: 'yes', label: 'Yes: bill lines also carry project, project task and cost code' },
        ],
      },
      {
        name: 'releaseBills',
        label: 'Release bills',
        kind: 'select',
        default: 'no',
        options: [
          { value: 'no', label: 'No: bills wait in Acumatica for AP to release them' },
          { value: 'yes', label: 'Yes: release each bill once it is posted' },
        ],
      },
      {
        name: 'retainage',
        label: 'Retainage',
        kind: 'select',
        default: 'net-line',
        options: [
          { value: 'net-line', label: 'A line of its own on the bill (to the retainage account below)' },
          { value: 'gross', label: 'Not on the bill: bills carry the gross amount' },
          { value: 'acumatica', label: 'Acumatica’s retainage on the bill (needs its retainage fields on the AP bill screen)' },
        ],
      },
      { name: 'retainageAccount', label: 'Retainage payable account', kind: 'text', hint: 'For retainage on a line of its own' },
      {
        name: 'newVendors',
        label: 'Vendors new on one side',
        kind: 'select',
        default: 'create',
        options: [
          { value: 'create', label: 'Create them on the other side and link them' },
          { value: 'park', label: 'Wait in Pending validation for a person to link or create them' },
        ],
      },
      {
        name: 'costCodesToProcore',
        label: 'Acumatica cost codes',
        kind: 'select',
        default: 'yes',
        options: [
          { value: 'yes', label: 'Add them to the cost code list of each mapped Procore project' },
          { value: 'no', label: 'Keep them in the mapping table only' },
        ],
      },
      {
        name: 'createSubcontracts',
        label: 'Commitments',
        kind: 'select',
        default: 'no',
        options: [
          { value: 'no', label: 'Reconcile only (read-only)' },
          { value: 'yes', label: 'Create the Acumatica subcontract of an approved Procore work order contract' },
        ],
      },
      { name: 'requestsPerMinute', label: 'Licence: requests per minute', kind: 'number', hint: 'From the License Monitoring Console (SM604000); empty = no per-minute limit' },
    ],
  },
  'sage-intacct': {
    intro: 'A Web Services sender (authorised in the company) and a Web Services user of the company. The passwords go to the keychain.',
    fields: [
      { name: 'endpointUrl', label: 'XML gateway', kind: 'url', required: true, default: 'https://api.intacct.com/ia/xml/xmlgw.phtml' },
      { name: 'senderId', label: 'Sender ID', kind: 'text', required: true, hint: 'Your Web Services sender; an administrator adds it under Company > Setup > Company > Security > Web Services authorizations.' },
      { name: 'senderPassword', label: 'Sender password', kind: 'secret', required: true },
      { name: 'companyId', label: 'Company ID', kind: 'text', required: true },
      { name: 'userId', label: 'User ID', kind: 'text', required: true, hint: 'A Web Services user of the company.' },
      { name: 'userPassword', label: 'User password', kind: 'secret', required: true },
      { name: 'entityId', label: 'Entity (optional)', kind: 'text', hint: 'Sign in to this entity of a multi-entity company; empty = top level.' },
      {
        name: 'commitmentDocument',
        label: 'Procore commitments post as',
        kind: 'select',
        default: 'purchasing',
        options: [
          { value: 'purchasing', label: 'Purchasing transactions (Subcontract / Purchase Order)' },
          { value: 'draft-bill', label: 'AP bills in draft' },
          { value: 'journal', label: 'GL journal entries' },
        ],
        hint: 'Applies to commitments posted from now on; a commitment already posted keeps its document.',
      },
      { name: 'purchasingItemId', label: 'Item on commitment lines', kind: 'text', hint: 'Purchasing lines need an item (Non-Inventory, Purchase only).' },
      { name: 'journalSymbol', label: 'Journal for commitments', kind: 'text', hint: 'Only when commitments post as journal entries, e.g. JCJ.' },
      { name: 'journalOffsetAccountNo', label: 'Commitments offset account', kind: 'text', hint: 'Only for journal entries: the account credited against the job cost lines.' },
      {
        name: 'retainage',
        label: 'Retainage on pay applications',
        kind: 'select',
        default: 'gross',
        options: [
          { value: 'gross', label: 'Bill the full amount (retainage not withheld in Intacct)' },
          { value: 'net', label: 'Bill the amount less retainage' },
          { value: 'separate-line', label: 'Full amount, retainage credited to a retainage payable account' },
        ],
      },
      { name: 'retainageAccountNo', label: 'Retainage payable account', kind: 'text', hint: 'Only with "retainage credited to a retainage payable account".' },
      {
        name: 'vendorFields',
        label: 'Vendor fields kept in step',
        kind: 'text',
        default: 'name=intacct, active=intacct, email=both, phone=both',
        hint: 'Per field, which system wins: intacct, procore, or both (whichever changed it; a change on both sides waits for you).',
      },
    ],
  },
  coupa: {
    intro: 'An OAuth2 / OpenID Connect client of your Coupa instance with the client-credentials grant (Setup › Integrations › OAuth2/OpenID Connect Clients).',
    fields: [
      { name: 'instanceUrl', label: 'Instance URL', kind: 'url', required: true, hint: 'e.g. https://yourcompany.coupahost.com' },
      { name: 'clientId', label: 'Client ID', kind: 'text', required: true },
      { name: 'clientSecret', label: 'Client secret', kind: 'secret', required: true, hint: 'Kept in the OS keychain only.' },
      {
        name: 'scopes',
        label: 'Scopes',
        kind: 'text',
        hint: 'Space-separated, as granted to the client. Purchase orders, invoices and suppliers read and write, and core.common.read.',
        default: 'core.purchase_order.read core.purchase_order.write core.invoice.read core.invoice.write core.supplier.read core.supplier.write core.common.read',
      },
      {
        name: 'tokenPath',
        label: 'Token path',
        kind: 'select',
        options: [
          { value: '/oauth2/token', label: '/oauth2/token (Coupa Compass)' },
          { value: '/oauth2/access_tokens', label: '/oauth2/access_tokens (R39 API reference)' },
        ],
        default: '/oauth2/token',
        hint: "Coupa's documents name both; most instances answer the first.",
      },
    ],
  },
  monday: {
    intro: 'A personal API token of the monday.com user whose boards the app fills (fact sheet §4.1). It is kept in the OS keychain only.',
    fields: [
      {
        name: 'apiToken',
        label: 'API token',
        kind: 'secret',
        required: true,
        hint: 'In monday.com: your avatar → Developers → My access tokens → Show. That user needs edit rights on the boards to sync.',
      },
      {
        name: 'apiVersion',
        label: 'API version',
        kind: 'text',
        default: '2026-10',
        hint: 'The API-Version header sent with every call: a quarter such as 2026-10. Change it only when monday retires this one.',
      },
      {
        name: 'account',
        label: 'Account (optional)',
        kind: 'text',
        hint: 'Your monday.com account slug, e.g. "acme" of acme.monday.com: every token of one account shares one complexity budget per minute.',
      },
    ],
  },
};

/**
 * The form's values checked against its fields: trimmed; required ones present; numbers whole
 * numbers; URLs https (or http on loopback); selects one of their options. Returns what is wrong,
 * per field label, in plain words.
 */
export function checkConnectValues(form: ConnectForm, values: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const field of form.fields) {
    const value = (values[field.name] ?? '').trim();
    if (!value) {
      if (field.required) problems.push(`${field.label} is required.`);
      continue;
    }
    if (field.kind === 'number' && !/^\d+$/.test(value)) problems.push(`${field.label} must be a whole number, not "${value}".`);
    if (field.kind === 'url' && !/^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$))/i.test(value))
      problems.push(`${field.label} must be an https:// address (http only for this computer), not "${value}".`);
    if (field.kind === 'select' && field.options && !field.options.some((o) => o.value === value))
      problems.push(`${field.label} must be one of ${field.options.map((o) => o.label).join(', ')}.`);
  }
  for (const name of Object.keys(values))
    if (!form.fields.some((f) => f.name === name)) problems.push(`"${name}" is not a field of this form.`);
  return problems;
}
