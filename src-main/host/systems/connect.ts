import { CONNECT_FORMS, checkConnectValues } from '../../../src-shared/domain/connect-forms';
import type { SystemId } from '../../../src-shared/domain/systems';
import { redactString } from '../../connectors/_kit';
import { connectionAccount, KeychainUnavailableError } from '../../credentials';
import type { JsonValue } from '../../../src-shared/domain/audit';
import type { AppContext } from '../context';
import { IpcFailure } from '../errors';
import { openerOf } from './index';

/**
 * `connections.connect`: the user's own account of a system connected with the generic form.
 * Settings and secrets are written, proven with the system's own Test connection, and rolled
 * back (settings, and each secret as it was) when the system refuses, so a typo never leaves a
 * half-made connection.
 */
export async function connectSystem(ctx: AppContext, system: SystemId, values: Readonly<Record<string, string>>): Promise<{ connectionId: string; detail: string }> {
  const form = CONNECT_FORMS[system];
  const opener = openerOf(system);
  if (!form || !opener?.genericConnect)
    throw new IpcFailure('invalid-request', `${system} is connected with its own form, not the generic one.`);
  const problems = checkConnectValues(form, values);
  if (problems.length) throw new IpcFailure('invalid-request', problems.join(' '));

  const id = opener.liveConnectionId;
  const settings: Record<string, JsonValue> = { ...opener.genericConnectSettings };
  const secrets: Record<string, string> = {};
  for (const field of form.fields) {
    const value = (values[field.name] ?? '').trim();
    if (!value) continue;
    if (field.kind === 'secret') secrets[field.name] = value;
    else settings[field.name] = field.kind === 'number' ? Number(value) : value;
  }
  const existing = ctx.store.connections.get(id);
  const previousSecrets = new Map<string, string | null>();
  for (const name of Object.keys(secrets)) previousSecrets.set(name, await ctx.credentials.get(connectionAccount(id, name)));
  // New credentials must prove themselves: a stored token from the earlier ones would hide a wrong secret.
  const previousTokens = await ctx.credentials.get(connectionAccount(id, 'tokens'));
  const restore = async () => {
    if (existing) ctx.store.connections.update(id, { settings: existing.settings });
    else if (ctx.store.connections.get(id)) ctx.store.connections.delete(id);
    for (const [name, value] of previousSecrets)
      if (value === null) await ctx.credentials.delete(connectionAccount(id, name));
      else await ctx.credentials.set(connectionAccount(id, name), value);
    if (previousTokens) await ctx.credentials.set(connectionAccount(id, 'tokens'), previousTokens);
  };
  try {
    await ctx.credentials.delete(connectionAccount(id, 'tokens'));
    for (const [name, value] of Object.entries(secrets)) await ctx.credentials.set(connectionAccount(id, name), value);
    if (existing) ctx.store.connections.update(id, { settings: { ...existing.settings, ...settings } });
    else ctx.store.connections.create({ id, system, label: opener.label, mode: 'live', settings });
    const live = opener.openLive({ store: ctx.store, credentials: ctx.credentials, log: ctx.log, dataDir: ctx.dataDir });
    let result;
    try {
      result = await live.connector.testConnection();
    } finally {
      await live.close();
    }
    if (!result.ok) throw new Error(result.problem);
    ctx.store.connections.setStatus(id, 'connected');
    return { connectionId: id, detail: result.detail };
  } catch (error) {
    await restore().catch(() => {});
    if (error instanceof KeychainUnavailableError || error instanceof IpcFailure) throw error;
    throw new IpcFailure('unavailable', `${opener.label} did not accept the connection: ${redactString(error instanceof Error ? error.message : String(error))}`);
  } finally {
    ctx.events.emit('connection.changed', { id, change: 'saved' });
  }
}
