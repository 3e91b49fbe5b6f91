import type { CounterpartyLinkSuggestion } from '../types';

/**
 * Suggested supplier → vendor links (any flow whose counterparties live in two systems) for the
 * Mappings screen and `mappings suggest`. The user confirms them; nothing is linked automatically. Strongest evidence first: the vendor's
 * External ID (origin_code) equals the Exact supplier code, or its origin_id equals the Exact
 * account id; then the same name once legal forms, accents, case and punctuation are ignored.
 */
export interface SupplierForMatching {
  sourceId: string;
  code: string;
  name: string;
}

export interface VendorForMatching {
  id: string;
  name: string;
  originId: string | null;
  originCode: string | null;
}

export type VendorSuggestion = CounterpartyLinkSuggestion;

const LEGAL_FORMS = /\b(b\.?\s?v\.?|n\.?\s?v\.?|v\.?\s?o\.?\s?f\.?|c\.?\s?v\.?|gmbh|ltd|limited|llc|inc|plc|bvba|sarl|s\.?a\.?|holding|& co\.?)\b/g;

/** "Bouwbedrijf Ærø & Söhne B.V." → "bouwbedrijf aero sohne" */
export function normaliseCompanyName(name: string): string {
  return name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(LEGAL_FORMS, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * One suggestion per supplier that has no link yet, when the evidence points at exactly one
 * vendor (an ambiguous name match is not suggested: two vendors with the same name need a human).
 */
export function suggestVendorLinks(
  suppliers: readonly SupplierForMatching[],
  vendors: readonly VendorForMatching[],
  alreadyLinked: ReadonlySet<string>,
): VendorSuggestion[] {
  const byOriginCode = new Map<string, VendorForMatching[]>();
  const byOriginId = new Map<string, VendorForMatching[]>();
  const byName = new Map<string, VendorForMatching[]>();
  const add = (m: Map<string, VendorForMatching[]>, key: string | null, v: VendorForMatching) => {
    if (!key) return;
    m.set(key, [...(m.get(key) ?? []), v]);
  };
  for (const v of vendors) {
    add(byOriginCode, v.originCode?.trim() ?? null, v);
    add(byOriginId, v.originId, v);
    add(byName, normaliseCompanyName(v.name) || null, v);
  }
  const out: VendorSuggestion[] = [];
  for (const s of suppliers) {
    if (alreadyLinked.has(s.code)) continue;
    const candidates: [VendorSuggestion['matchedBy'], VendorForMatching[] | undefined][] = [
      ['origin_code', byOriginCode.get(s.code)],
      ['origin_id', byOriginId.get(s.sourceId)],
      ['name', byName.get(normaliseCompanyName(s.name))],
    ];
    for (const [matchedBy, found] of candidates) {
      if (found?.length === 1) {
        out.push({ supplierCode: s.code, supplierName: s.name, vendorId: found[0]!.id, vendorName: found[0]!.name, matchedBy });
        break;
      }
    }
  }
  return out;
}
