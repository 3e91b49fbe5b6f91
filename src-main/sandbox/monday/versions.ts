import { MondayError } from './errors';

export type VersionKind = 'current' | 'maintenance' | 'previous_maintenance' | 'release_candidate' | 'deprecated' | 'dev';

export interface ApiVersion {
  value: string;
  kind: VersionKind;
}

/**
 * Live versions per the 2026-10 changelog (§4.1): 2027-01 RC, 2026-10 current (default when
 * the header is omitted), 2026-07 maintenance; older ones deprecated.
 * Override with config.apiVersions.
 */
export const DEFAULT_API_VERSIONS: readonly ApiVersion[] = [
  { value: '2027-01', kind: 'release_candidate' },
  { value: '2026-10', kind: 'current' },
  { value: '2026-07', kind: 'maintenance' },
  { value: '2026-04', kind: 'deprecated' },
  { value: '2026-01', kind: 'deprecated' },
  { value: '2025-10', kind: 'deprecated' },
  { value: '2025-07', kind: 'deprecated' },
];

/**
 * What happens with a well-formed version the list does not know, and with a deprecated one,
 * is only reported by third parties (§4.1, §5): non-existent -> served as current, deprecated
 * -> served as maintenance. Both are switches (config.unknownVersion / config.deprecatedVersion).
 */
export interface VersionPolicy {
  versions: readonly ApiVersion[];
  unknownVersion: 'current' | 'error';
  deprecatedVersion: 'maintenance' | 'as-is';
}

const WELL_FORMED = /^(\d{4}-\d{2}|dev)$/;

export function displayName(v: ApiVersion): string {
  const kind = v.kind.replace(/_/g, ' ');
  return `${kind.charAt(0).toUpperCase()}${kind.slice(1)}`;
}

/** The version a request is served with, from its API-Version header (missing -> current). */
export function resolveVersion(header: string | undefined, policy: VersionPolicy): ApiVersion {
  const current = policy.versions.find((v) => v.kind === 'current');
  if (!current) throw new Error('config.apiVersions needs one version of kind "current"');
  const requested = header?.trim();
  if (!requested) return current;
  if (!WELL_FORMED.test(requested))
    throw new MondayError('InvalidVersionException', `The API version "${requested}" is malformed; use YYYY-MM, e.g. ${current.value}`);
  const known = policy.versions.find((v) => v.value === requested);
  if (!known) {
    if (policy.unknownVersion === 'error')
      throw new MondayError('InvalidVersionException', `The API version "${requested}" does not exist`);
    return current;
  }
  if (known.kind === 'deprecated' && policy.deprecatedVersion === 'maintenance')
    return policy.versions.find((v) => v.kind === 'maintenance') ?? current;
  return known;
}

/** True when `v` is `atLeast` or newer ("dev" counts as newest). */
export function versionAtLeast(v: ApiVersion, atLeast: string): boolean {
  return v.value === 'dev' || v.value >= atLeast;
}
