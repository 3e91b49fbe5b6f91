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
