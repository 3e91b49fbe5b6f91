import { DECIMAL_SCALE, Decimal as SharedDecimal } from '../../../src-shared/domain/money';
import { createRng, type Rng } from '../_common/rng';
import type {
  Decimal,
  IsoDate,
  World,
  WorldApAccount,
  WorldCommitment,
  WorldCostCenter,
  WorldCostCode,
  WorldCostMapping,
  WorldCostUnit,
  WorldCustomer,
  WorldDepartment,
  WorldDirectCost,
  WorldGlAccount,
  WorldItem,
  WorldLineItemType,
  WorldMondayBoard,
  WorldMondayColumn,
  WorldProject,
  WorldPurchaseEntry,
  WorldPurchaseEntryLine,
  WorldPurchaseOrder,
  WorldPurchaseOrderLine,
  WorldRequisition,
  WorldSalesInvoice,
  WorldSalesOrder,
  WorldSupplier,
} from './world-types';

/**
 * Generates the sandbox world of a Dutch/UK general contractor from (seed, scale).
 *
 * Same (seed, scale) → deep-equal world: every random choice comes from one seeded RNG, drawn
 * in a fixed order, and the timeline ends at a fixed instant (WORLD_AS_OF), never "now".
 * Scale 1 is a demo that syncs in seconds; transactional data grows linearly with scale,
 * reference data (projects, suppliers, customers) grows with log2(scale).
 *
 * Money is computed in integer cents (BigInt for products) and only formatted at the end;
 * quantities are integer thousandths. No binary floating point touches an amount.
 */
export function generateWorld(seed: number, scale: number): World {
  if (!Number.isFinite(seed)) throw new Error(`world seed must be a finite number, got ${seed}`);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`world scale must be a number > 0, got ${scale}`);
  return new WorldBuilder(seed, scale).build();
}

/** The world's timeline ends here (all modifiedAt/updatedAt are <= this). */
export const WORLD_AS_OF = Date.UTC(2026, 9, 30, 16, 0, 0); // 2026-10-30T16:00:00Z
/** First Procore id handed out; Procore ids are above 2^32 (see the fact sheet), well below 2^53. */
export const PROCORE_ID_BASE = 562_949_953_421_312; // 2^49

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------- money and quantities
// Amounts are integer cents and quantities integer thousandths while generating; the decimal
// arithmetic and formatting is the app's own (src-shared Decimal: BigInt, half away from zero).

/** Cents → "1234.50" / "-12.05". */
function formatCents(cents: bigint): Decimal {
  return SharedDecimal.fromCents(cents).toMoneyString();
}

const UNITS_PER_THOUSANDTH = 10n ** BigInt(DECIMAL_SCALE - 3);

function quantityDecimal(thousandths: bigint): SharedDecimal {
  return SharedDecimal.fromUnits(thousandths * UNITS_PER_THOUSANDTH);
}

/** Thousandths → "12.5" / "40" / "0.125" (no trailing zeros, as quantities are shown). */
function formatQuantity(thousandths: bigint): Decimal {
  return quantityDecimal(thousandths).toString();
}

/** quantity (thousandths) × unit price (cents), rounded once, half-up, to the cent. */
function lineAmountCents(quantityThousandths: bigint, unitPriceCents: bigint): bigint {
  return quantityDecimal(quantityThousandths).times(SharedDecimal.fromCents(unitPriceCents), 2).toCents();
}

/** VAT on an amount at a percentage given in basis points (2100 = 21.00 %), to the cent. */
function vatCents(amountCents: bigint, basisPoints: bigint): bigint {
  return SharedDecimal.fromCents(amountCents)
    .times(SharedDecimal.fromUnits(basisPoints * 100n), 2)
    .toCents();
}

/** Dates repeat a lot (a year of days for thousands of records): format each day once. */
const isoDateCache = new Map<number, IsoDate>();
function isoDate(ms: number): IsoDate {
  let text = isoDateCache.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString().slice(0, 10);
    if (isoDateCache.size < 10_000) isoDateCache.set(ms, text);
  }
  return text;
}

/** Start of the UTC day of ms. */
function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

// ---------------------------------------------------------------- reference catalogue

type Trade =
  | 'concrete'
  | 'rebar'
  | 'steel'
  | 'timber'
  | 'electrical'
  | 'hvac'
  | 'plumbing'
  | 'scaffolding'
  | 'plant'
  | 'groundworks'
  | 'finishing'
  | 'roofing'
  | 'labour'
  | 'site'
  | 'general';

/** Subcontract trades get work order contracts in Procore; the others purchase order contracts. */
const SUBCONTRACT_TRADES: ReadonlySet<Trade> = new Set([
  'steel',
  'electrical',
  'hvac',
  'plumbing',
  'groundworks',
  'finishing',
  'roofing',
  'scaffolding',
]);

interface GlSpec {
  code: string;
  description: string;
  costCode: string;
  lineItemType: 'L' | 'M' | 'E' | 'S' | 'O';
}

/** Purchase (cost of sales) G/L accounts: the ones PO and purchase entry lines are coded to. */
// prettier-ignore
const PURCHASE_GL: readonly GlSpec[] = [
  { code: '4000', description: 'Inkoop betonmortel en toeslagstoffen', costCode: '03-300', lineItemType: 'M' },
  { code: '4010', description: 'Inkoop wapeningsstaal', costCode: '03-200', lineItemType: 'M' },
  { code: '4020', description: 'Inkoop constructiestaal', costCode: '05-100', lineItemType: 'M' },
  { code: '4030', description: 'Inkoop hout en bekisting', costCode: '03-100', lineItemType: 'M' },
  { code: '4040', description: 'Inkoop afbouwmaterialen', costCode: '09-200', lineItemType: 'M' },
  { code: '4050', description: 'Inkoop dakbedekking en isolatie', costCode: '07-500', lineItemType: 'M' },
  { code: '4100', description: 'Onderaanneming grond- en funderingswerk', costCode: '31-200', lineItemType: 'S' },
  { code: '4110', description: 'Onderaanneming staalbouw', costCode: '05-120', lineItemType: 'S' },
  { code: '4120', description: 'Onderaanneming elektrotechniek', costCode: '26-000', lineItemType: 'S' },
  { code: '4130', description: 'Onderaanneming werktuigbouw (HVAC)', costCode: '23-000', lineItemType: 'S' },
  { code: '4140', description: 'Onderaanneming sanitair', costCode: '22-000', lineItemType: 'S' },
  { code: '4150', description: 'Onderaanneming afbouw en schilderwerk', costCode: '09-900', lineItemType: 'S' },
  { code: '4200', description: 'Huur materieel en kranen', costCode: '01-540', lineItemType: 'E' },
  { code: '4210', description: 'Huur steigers', costCode: '01-542', lineItemType: 'E' },
  { code: '4300', description: 'Inleen personeel', costCode: '01-100', lineItemType: 'L' },
  { code: '4400', description: 'Bouwplaatsinrichting', costCode: '01-500', lineItemType: 'O' },
  { code: '4500', description: 'Transport en afvoer bouwafval', costCode: '01-740', lineItemType: 'O' },
  { code: '4990', description: 'Diverse projectkosten', costCode: '01-900', lineItemType: 'O' },
  { code: '7000', description: 'Kleingereedschap en verbruiksmaterialen', costCode: '01-900', lineItemType: 'M' },
  { code: '7010', description: 'Inkoop metselwerk en lijmwerk', costCode: '04-200', lineItemType: 'M' },
];

const OTHER_GL: readonly { code: string; description: string; balanceType: 'B' | 'W' }[] = [
  { code: '1300', description: 'Debiteuren', balanceType: 'B' },
  { code: '1600', description: 'Crediteuren', balanceType: 'B' },
  { code: '1520', description: 'Af te dragen btw', balanceType: 'B' },
  { code: '1530', description: 'Te vorderen btw', balanceType: 'B' },
  { code: '8000', description: 'Omzet aanneemsommen', balanceType: 'W' },
  { code: '8010', description: 'Omzet meer- en minderwerk', balanceType: 'W' },
  { code: '8100', description: 'Omzet onderhoud en service', balanceType: 'W' },
];
const REVENUE_GL = ['8000', '8010', '8100'] as const;
const SUBCONTRACT_GL: ReadonlySet<string> = new Set(
  PURCHASE_GL.filter((g) => g.lineItemType === 'S').map((g) => g.code),
);

/** Deliberately missing from costMappings; used by exactly one PO line. */
const UNMAPPED_GL = '4990';
const UNMAPPED_COST_CENTER = 'KST-19';

const COST_CENTERS: readonly [string, string][] = [
  ['KST-10', 'Ruwbouw'],
  ['KST-11', 'Afbouw'],
  ['KST-12', 'Elektrotechnische installaties'],
  ['KST-13', 'Werktuigbouwkundige installaties'],
  ['KST-14', 'Grond- en funderingswerk'],
  ['KST-15', 'Bouwplaatsinrichting'],
  ['KST-16', 'Materieel'],
  ['KST-17', 'Uitvoering en projectleiding'],
  ['KST-18', 'Staal- en metaalwerk'],
  ['KST-19', 'Onvoorzien'],
];

const COST_UNITS: readonly [string, string][] = [
  ['KDR-01', 'Nieuwbouw utiliteit'],
  ['KDR-02', 'Nieuwbouw woningen'],
  ['KDR-03', 'Renovatie en transformatie'],
  ['KDR-04', 'Onderhoud'],
  ['KDR-05', 'Infra en civiel'],
];

/** Company cost code list (CSI MasterFormat-like divisions), every GL cost code included. */
const COST_CODES: readonly [string, string][] = [
  ['01-100', 'General Labour'],
  ['01-310', 'Project Management and Coordination'],
  ['01-500', 'Temporary Facilities and Controls'],
  ['01-540', 'Construction Aids - Plant and Cranes'],
  ['01-542', 'Temporary Scaffolding and Platforms'],
  ['01-740', 'Cleaning and Waste Management'],
  ['01-900', 'General Requirements - Sundries'],
  ['03-100', 'Concrete Forming and Accessories'],
  ['03-200', 'Concrete Reinforcing'],
  ['03-300', 'Cast-in-place Concrete'],
  ['04-200', 'Unit Masonry'],
  ['05-100', 'Structural Metal Framing'],
  ['05-120', 'Structural Steel Erection'],
  ['06-100', 'Rough Carpentry'],
  ['07-200', 'Thermal Protection'],
  ['07-500', 'Membrane Roofing'],
  ['08-100', 'Doors and Frames'],
  ['09-200', 'Plaster and Gypsum Board'],
  ['09-900', 'Painting and Coating'],
  ['22-000', 'Plumbing'],
  ['23-000', 'Heating, Ventilating and Air Conditioning'],
  ['26-000', 'Electrical'],
  ['31-200', 'Earth Moving and Piling'],
];

const COST_CODE_NAMES: ReadonlyMap<string, string> = new Map(COST_CODES);

const LINE_ITEM_TYPES: readonly {
  code: 'L' | 'M' | 'E' | 'S' | 'O';
  name: string;
  baseType: WorldLineItemType['baseType'];
}[] = [
  // The fact sheet's base_type enum has no "labor"; Procore companies file labour under "other".
  { code: 'L', name: 'Labor', baseType: 'other' },
  { code: 'M', name: 'Materials', baseType: 'materials' },
  { code: 'E', name: 'Equipment', baseType: 'equipment' },
  { code: 'S', name: 'Subcontract', baseType: 'commitment' },
  { code: 'O', name: 'Other', baseType: 'other' },
];

interface ItemSpec {
  code: string;
  description: string;
  gl: string;
  unit: string;
  trade: Trade;
  /** Unit price range in cents. */
  price: [number, number];
  /** Quantity range in thousandths, and the step quantities are drawn in. */
  qty: [number, number];
  qtyStep: number;
}

const SUNDRY_ITEM_CODE = 'DIV-PROJ';

// prettier-ignore
const ITEMS: readonly ItemSpec[] = [
  { code: 'BET-C2025', description: 'Betonmortel C20/25 XC2', gl: '4000', unit: 'm3', trade: 'concrete', price: [9_500, 11_800], qty: [4_000, 180_000], qtyStep: 500 },
  { code: 'BET-C3037', description: 'Betonmortel C30/37 XC4 F4', gl: '4000', unit: 'm3', trade: 'concrete', price: [10_850, 13_475], qty: [4_000, 240_000], qtyStep: 250 },
  { code: 'BET-POMP', description: 'Inzet betonpomp 36m', gl: '4000', unit: 'uur', trade: 'concrete', price: [16_500, 21_000], qty: [2_000, 12_000], qtyStep: 500 },
  { code: 'WAP-B500B', description: 'Wapeningsstaal B500B geknipt en gebogen', gl: '4010', unit: 'kg', trade: 'rebar', price: [98, 149], qty: [500_000, 24_000_000], qtyStep: 1_000 },
  { code: 'WAP-NET8', description: 'Wapeningsnet 150x150x8 mm', gl: '4010', unit: 'st', trade: 'rebar', price: [2_450, 3_275], qty: [20_000, 600_000], qtyStep: 1_000 },
  { code: 'STL-HEA200', description: 'HEA 200 S355 gestraald en gegrond', gl: '4020', unit: 'm', trade: 'steel', price: [6_850, 8_900], qty: [12_000, 480_000], qtyStep: 100 },
  { code: 'STL-IPE300', description: 'IPE 300 S355', gl: '4020', unit: 'm', trade: 'steel', price: [5_975, 7_650], qty: [12_000, 360_000], qtyStep: 100 },
  { code: 'STL-MONT', description: 'Montage staalconstructie', gl: '4110', unit: 'post', trade: 'steel', price: [850_000, 6_500_000], qty: [1_000, 1_000], qtyStep: 1_000 },
  { code: 'HOUT-BEK18', description: 'Bekistingsplaat betonplex 18 mm', gl: '4030', unit: 'm2', trade: 'timber', price: [1_295, 1_895], qty: [20_000, 900_000], qtyStep: 500 },
  { code: 'HOUT-C24', description: 'Constructiehout C24 71x196 mm', gl: '4030', unit: 'm1', trade: 'timber', price: [845, 1_275], qty: [50_000, 1_200_000], qtyStep: 100 },
  { code: 'ELK-TERM', description: 'Elektrotechnische installatie, termijn', gl: '4120', unit: 'post', trade: 'electrical', price: [1_250_000, 9_800_000], qty: [1_000, 1_000], qtyStep: 1_000 },
  { code: 'ELK-YMVK56', description: 'Installatiekabel YMvK 5x6 mm2', gl: '4120', unit: 'm', trade: 'electrical', price: [612, 835], qty: [100_000, 2_500_000], qtyStep: 1_000 },
  { code: 'WTB-TERM', description: 'Werktuigbouwkundige installatie, termijn', gl: '4130', unit: 'post', trade: 'hvac', price: [1_500_000, 12_500_000], qty: [1_000, 1_000], qtyStep: 1_000 },
  { code: 'WTB-WP40', description: 'Warmtepomp lucht/water 40 kW', gl: '4130', unit: 'st', trade: 'hvac', price: [1_895_000, 2_450_000], qty: [1_000, 6_000], qtyStep: 1_000 },
  { code: 'SAN-TERM', description: 'Sanitaire installatie, termijn', gl: '4140', unit: 'post', trade: 'plumbing', price: [650_000, 4_800_000], qty: [1_000, 1_000], qtyStep: 1_000 },
  { code: 'SAN-PPR50', description: 'Leidingwerk PP-R 50 mm incl. hulpstukken', gl: '4140', unit: 'm', trade: 'plumbing', price: [1_475, 2_150], qty: [25_000, 800_000], qtyStep: 500 },
  { code: 'STG-HUUR', description: 'Huur gevelsteiger per week', gl: '4210', unit: 'm2·wk', trade: 'scaffolding', price: [165, 245], qty: [200_000, 6_000_000], qtyStep: 10_000 },
  { code: 'STG-OPAF', description: 'Op- en afbouw steiger', gl: '4210', unit: 'post', trade: 'scaffolding', price: [185_000, 1_450_000], qty: [1_000, 1_000], qtyStep: 1_000 },
  { code: 'MAT-KRAAN50', description: 'Mobiele kraan 50 t incl. machinist', gl: '4200', unit: 'uur', trade: 'plant', price: [14_500, 19_750], qty: [4_000, 120_000], qtyStep: 500 },
  { code: 'MAT-GRAAF20', description: 'Rupsgraafmachine 20 t', gl: '4200', unit: 'dag', trade: 'plant', price: [62_500, 84_000], qty: [1_000, 40_000], qtyStep: 500 },
  { code: 'MAT-HOOG16', description: 'Hoogwerker 16 m', gl: '4200', unit: 'week', trade: 'plant', price: [42_500, 61_000], qty: [1_000, 12_000], qtyStep: 1_000 },
  { code: 'GRW-ONTG', description: 'Ontgraven en afvoeren grond', gl: '4100', unit: 'm3', trade: 'groundworks', price: [1_475, 2_890], qty: [50_000, 4_000_000], qtyStep: 1_000 },
  { code: 'GRW-PAAL32', description: 'Prefab betonpaal 320x320 mm geheid', gl: '4100', unit: 'st', trade: 'groundworks', price: [48_500, 79_500], qty: [8_000, 260_000], qtyStep: 1_000 },
  { code: 'AFB-GIPS125', description: 'Gipsplaat 12,5 mm', gl: '4040', unit: 'm2', trade: 'finishing', price: [412, 598], qty: [100_000, 3_000_000], qtyStep: 1_000 },
  { code: 'AFB-SCHILD', description: 'Schilderwerk binnen, twee lagen', gl: '4150', unit: 'm2', trade: 'finishing', price: [975, 1_650], qty: [100_000, 5_000_000], qtyStep: 1_000 },
  { code: 'AFB-SYSWND', description: 'Systeemwanden geplaatst', gl: '4150', unit: 'm2', trade: 'finishing', price: [6_850, 11_200], qty: [20_000, 900_000], qtyStep: 500 },
  { code: 'DAK-BIT', description: 'Bitumineuze dakbedekking 2-laags', gl: '4050', unit: 'm2', trade: 'roofing', price: [3_250, 4_875], qty: [50_000, 2_400_000], qtyStep: 1_000 },
  { code: 'DAK-PIR120', description: 'Dakisolatie PIR 120 mm', gl: '4050', unit: 'm2', trade: 'roofing', price: [2_175, 2_980], qty: [50_000, 2_400_000], qtyStep: 1_000 },
  { code: 'INL-TIMM', description: 'Inleen timmerman', gl: '4300', unit: 'uur', trade: 'labour', price: [4_850, 6_250], qty: [8_000, 640_000], qtyStep: 250 },
  { code: 'INL-UITV', description: 'Inleen uitvoerder', gl: '4300', unit: 'uur', trade: 'labour', price: [7_250, 9_500], qty: [8_000, 320_000], qtyStep: 250 },
  { code: 'BPL-KEET', description: 'Huur schaftkeet', gl: '4400', unit: 'maand', trade: 'site', price: [42_500, 68_000], qty: [1_000, 12_000], qtyStep: 1_000 },
  { code: 'BPL-HEKKEN', description: 'Huur bouwhekken', gl: '4400', unit: 'week', trade: 'site', price: [8_950, 14_500], qty: [1_000, 52_000], qtyStep: 1_000 },
  { code: 'TRN-CONT10', description: 'Container bouw- en sloopafval 10 m3', gl: '4500', unit: 'st', trade: 'site', price: [29_500, 41_500], qty: [1_000, 40_000], qtyStep: 1_000 },
  { code: 'ALG-KLEIN', description: 'Klein materiaal en bevestigingsmiddelen', gl: '7000', unit: 'post', trade: 'general', price: [12_500, 185_000], qty: [1_000, 1_000], qtyStep: 1_000 },
  { code: 'ALG-PBM', description: 'Persoonlijke beschermingsmiddelen', gl: '7000', unit: 'set', trade: 'general', price: [3_450, 8_900], qty: [5_000, 120_000], qtyStep: 1_000 },
  { code: 'ALG-KALKZ', description: 'Kalkzandsteen lijmblokken CS20', gl: '7010', unit: 'm2', trade: 'general', price: [2_650, 3_475], qty: [40_000, 1_800_000], qtyStep: 500 },
  { code: 'DIV-PROJ', description: 'Diverse projectkosten', gl: '4990', unit: 'post', trade: 'general', price: [7_500, 250_000], qty: [1_000, 1_000], qtyStep: 1_000 },
];

/** Cost centres a trade's lines usually land on (the rest of the time: any cost centre). */
const TRADE_COST_CENTERS: Record<Trade, readonly string[]> = {
  concrete: ['KST-10'],
  rebar: ['KST-10', 'KST-18'],
  steel: ['KST-18'],
  timber: ['KST-10', 'KST-11'],
  electrical: ['KST-12'],
  hvac: ['KST-13'],
  plumbing: ['KST-13'],
  scaffolding: ['KST-15', 'KST-16'],
  plant: ['KST-16'],
  groundworks: ['KST-14'],
  finishing: ['KST-11'],
  roofing: ['KST-11', 'KST-10'],
  labour: ['KST-17', 'KST-10'],
  site: ['KST-15'],
  general: ['KST-15', 'KST-17'],
};

/** Procore-side coding of a trade's commitments and direct costs. */
const TRADE_COST_CODES: Record<Trade, readonly string[]> = {
  concrete: ['03-300', '03-100'],
  rebar: ['03-200'],
  steel: ['05-100', '05-120'],
  timber: ['06-100', '03-100'],
  electrical: ['26-000'],
  hvac: ['23-000'],
  plumbing: ['22-000'],
  scaffolding: ['01-542'],
  plant: ['01-540'],
  groundworks: ['31-200'],
  finishing: ['09-200', '09-900', '08-100'],
  roofing: ['07-500', '07-200'],
  labour: ['01-100', '01-310'],
  site: ['01-500', '01-740'],
  general: ['01-900', '04-200'],
};

interface SupplierSpec {
  name: string;
  trade: Trade;
  country: 'NL' | 'GB' | 'BE' | 'DE';
  city: string;
}

const NON_ASCII_SUPPLIER_NAME = 'Bouwbedrijf Ærø & Söhne';

// prettier-ignore
const BASE_SUPPLIERS: readonly SupplierSpec[] = [
  { name: 'Van den Berg Betonmortel B.V.', trade: 'concrete', country: 'NL', city: 'Amstelveen' },
  { name: 'Holcrete Readymix Ltd', trade: 'concrete', country: 'GB', city: 'Manchester' },
  { name: 'Wapeningscentrale Brabant B.V.', trade: 'rebar', country: 'NL', city: 'Tilburg' },
  { name: 'Betonstaal Vlaanderen NV', trade: 'rebar', country: 'BE', city: 'Antwerpen' },
  { name: 'Staalbouw Hendriks B.V.', trade: 'steel', country: 'NL', city: 'Eindhoven' },
  { name: 'Northern Steel Fabrications Ltd', trade: 'steel', country: 'GB', city: 'Leeds' },
  { name: 'De Vries Elektrotechniek B.V.', trade: 'electrical', country: 'NL', city: 'Utrecht' },
  { name: 'Brightline Electrical Services Ltd', trade: 'electrical', country: 'GB', city: 'Birmingham' },
  { name: 'Électricité Lefèvre SPRL', trade: 'electrical', country: 'BE', city: 'Liège' },
  { name: 'Klimaattechniek Jansen B.V.', trade: 'hvac', country: 'NL', city: 'Rotterdam' },
  { name: 'Airflow HVAC Contractors Ltd', trade: 'hvac', country: 'GB', city: 'Manchester' },
  { name: 'Installatiebedrijf Bakker & Zn. B.V.', trade: 'plumbing', country: 'NL', city: 'Den Haag' },
  { name: 'Sanitär Müller GmbH', trade: 'plumbing', country: 'DE', city: 'Düsseldorf' },
  { name: 'Steigerbouw Rijnmond B.V.', trade: 'scaffolding', country: 'NL', city: 'Rotterdam' },
  { name: 'Apex Scaffolding Ltd', trade: 'scaffolding', country: 'GB', city: 'Leeds' },
  { name: 'Kraanverhuur Mulder B.V.', trade: 'plant', country: 'NL', city: 'Utrecht' },
  { name: 'Materieelverhuur Visser B.V.', trade: 'plant', country: 'NL', city: 'Almere' },
  { name: 'Pennine Plant Hire Ltd', trade: 'plant', country: 'GB', city: 'Sheffield' },
  { name: 'Grondverzet Smit B.V.', trade: 'groundworks', country: 'NL', city: 'Haarlem' },
  { name: 'Funderingstechniek Meijer B.V.', trade: 'groundworks', country: 'NL', city: 'Zwolle' },
  { name: NON_ASCII_SUPPLIER_NAME, trade: 'groundworks', country: 'DE', city: 'Flensburg' },
  { name: 'Timmerfabriek De Jong B.V.', trade: 'timber', country: 'NL', city: 'Apeldoorn' },
  { name: 'Houthandel Van Dijk B.V.', trade: 'timber', country: 'NL', city: 'Zaandam' },
  { name: 'Afbouwgroep Peters B.V.', trade: 'finishing', country: 'NL', city: 'Nijmegen' },
  { name: 'Schildersbedrijf Willems B.V.', trade: 'finishing', country: 'NL', city: 'Breda' },
  { name: 'Dakdekkersbedrijf Bos B.V.', trade: 'roofing', country: 'NL', city: 'Amersfoort' },
  { name: 'Premier Roofing Systems Ltd', trade: 'roofing', country: 'GB', city: 'Birmingham' },
  { name: 'Bouwvakkers Flex Uitzendbureau B.V.', trade: 'labour', country: 'NL', city: 'Rotterdam' },
  { name: 'Bouwplaatsservice Dekker B.V.', trade: 'site', country: 'NL', city: 'Utrecht' },
  { name: 'Bouwmaterialen Groothandel Koster B.V.', trade: 'general', country: 'NL', city: 'Amersfoort' },
];

/** Extra suppliers at larger scales: "<surname> <trade word> B.V.". */
// prettier-ignore
const EXTRA_SUPPLIER_SURNAMES = [
  'Van Leeuwen', 'Kramer', 'Hoekstra', 'Verhoeven', 'Brouwer', 'Postma', 'Vermeulen', 'Kok', 'Schouten', 'Prins',
  'Huisman', 'Wouters', 'Maas', 'Blom', 'Kuipers', 'Van Wijk', 'Hermans', 'Evers', 'Gerritsen', 'Van der Linden',
];
const EXTRA_SUPPLIER_TRADES: readonly [Trade, string][] = [
  ['concrete', 'Beton'],
  ['rebar', 'Wapening'],
  ['steel', 'Staalbouw'],
  ['timber', 'Houtbouw'],
  ['electrical', 'Elektro'],
  ['hvac', 'Klimaattechniek'],
  ['plumbing', 'Installatietechniek'],
  ['scaffolding', 'Steigerbouw'],
  ['plant', 'Verhuur'],
  ['groundworks', 'Grondwerken'],
  ['finishing', 'Afbouw'],
  ['roofing', 'Dakwerken'],
  ['site', 'Bouwservice'],
  ['general', 'Bouwmaterialen'],
];
const NL_CITIES = [
  'Amsterdam',
  'Rotterdam',
  'Utrecht',
  'Eindhoven',
  'Groningen',
  'Arnhem',
  'Leiden',
  'Deventer',
  'Venlo',
  'Hilversum',
];

interface ProjectSpec {
  name: string;
  city: string;
  costUnit: string;
}

// prettier-ignore
const BASE_PROJECTS: readonly ProjectSpec[] = [
  { name: 'Kantoorpand Zuidas', city: 'Amsterdam', costUnit: 'KDR-01' },
  { name: 'Bridge Street Depot', city: 'Manchester', costUnit: 'KDR-01' },
  { name: 'Woontoren Kop van Zuid', city: 'Rotterdam', costUnit: 'KDR-02' },
  { name: 'Scholencomplex Leidsche Rijn', city: 'Utrecht', costUnit: 'KDR-01' },
  { name: 'Riverside Medical Centre', city: 'Leeds', costUnit: 'KDR-03' },
  { name: 'Distributiecentrum Tilburg-Noord', city: 'Tilburg', costUnit: 'KDR-01' },
  { name: 'Zorgcentrum De Linde', city: 'Zwolle', costUnit: 'KDR-03' },
  { name: 'Canal Wharf Apartments', city: 'Birmingham', costUnit: 'KDR-02' },
  { name: 'Sporthal Meerzicht', city: 'Almere', costUnit: 'KDR-01' },
  { name: 'Fietsenstalling Stationsplein', city: 'Eindhoven', costUnit: 'KDR-05' },
  { name: 'Victoria Road Primary School', city: 'Sheffield', costUnit: 'KDR-01' },
  { name: 'Renovatie Stadhuis', city: 'Haarlem', costUnit: 'KDR-03' },
  { name: 'Woningen Brouwerijterrein', city: 'Breda', costUnit: 'KDR-02' },
  { name: 'Quayside Office Refurbishment', city: 'Newcastle', costUnit: 'KDR-03' },
  { name: 'Laboratorium Bio Science Park', city: 'Leiden', costUnit: 'KDR-01' },
  { name: 'Parkeergarage Centrum', city: 'Nijmegen', costUnit: 'KDR-05' },
  { name: 'Old Mill Lane Housing', city: 'Bristol', costUnit: 'KDR-02' },
  { name: 'Brandweerkazerne Oost', city: 'Den Haag', costUnit: 'KDR-01' },
  { name: 'Zwembad De Wetering', city: 'Amersfoort', costUnit: 'KDR-04' },
  { name: 'Northern Rail Maintenance Shed', city: 'York', costUnit: 'KDR-05' },
];

const BASE_CUSTOMERS: readonly string[] = [
  'Zuidas Vastgoed B.V.',
  'Northgate Property Developments Ltd',
  'Woningcorporatie Maasoever',
  'Stichting Onderwijs Leidsche Rijn',
  'Riverside NHS Estates Ltd',
  'Logistiek Vastgoed Brabant B.V.',
  'Gemeente Haarlem',
  'Canal Wharf Living Ltd',
];

const DEPARTMENTS: readonly [string, string][] = [
  ['CON', 'Construction'],
  ['PM', 'Project Management'],
  ['EST', 'Estimating'],
  ['EQP', 'Equipment'],
  ['ADM', 'Administration'],
];

/** The monday.com simulator hands out board ids from this one, in creation order. */
const FIRST_MONDAY_BOARD_ID = 1_800_000_001;

/**
 * The finance team's three monday.com boards, one per Exact document type, each with the same
 * columns (titles differ where the document does). Fixed, not random: the boards are set up once.
 */
function mondayBoards(): WorldMondayBoard[] {
  const specs: { documentType: WorldMondayBoard['documentType']; name: string; party: string; dateTitle: string; dueTitle: string; statusLabels: Record<string, string>; doneIndex: number }[] = [
    { documentType: 'purchase-order', name: 'Purchase orders', party: 'Supplier', dateTitle: 'Order date', dueTitle: 'Receipt date', statusLabels: { '0': 'Open', '1': 'Partial', '2': 'Complete', '3': 'Canceled' }, doneIndex: 2 },
    { documentType: 'sales-invoice', name: 'Sales invoices', party: 'Customer', dateTitle: 'Invoice date', dueTitle: 'Due date', statusLabels: { '0': 'Draft', '1': 'Open', '2': 'Processed' }, doneIndex: 2 },
    { documentType: 'sales-order', name: 'Sales orders', party: 'Customer', dateTitle: 'Order date', dueTitle: 'Delivery date', statusLabels: { '0': 'Open', '1': 'Partial', '2': 'Complete', '3': 'Canceled' }, doneIndex: 2 },
  ];
  return specs.map((spec, i) => {
    const columns: WorldMondayColumn[] = [
      { id: 'exact_key', title: 'Exact number', type: 'text', field: 'key' },
      { id: 'party', title: spec.party, type: 'text', field: 'party' },
      { id: 'amount', title: 'Amount', type: 'numbers', field: 'amount' },
      { id: 'doc_date', title: spec.dateTitle, type: 'date', field: 'date' },
      { id: 'status', title: 'Status', type: 'status', field: 'status' },
      { id: 'gl_account', title: 'GL account', type: 'text', field: 'glAccount' },
      { id: 'cost_center', title: 'Cost center', type: 'text', field: 'costCenter' },
      { id: 'project', title: 'Project', type: 'text', field: 'project' },
      { id: 'due_date', title: spec.dueTitle, type: 'date', field: 'dueDate' },
      { id: 'vat', title: 'VAT', type: 'numbers', field: 'vat' },
      { id: 'currency', title: 'Currency', type: 'text', field: 'currency' },
      { id: 'gl_name', title: 'GL account name', type: 'text', field: 'glAccountName' },
      { id: 'exact_url', title: 'Exact Online', type: 'link', field: 'link' },
      { id: 'review', title: 'Needs review', type: 'long_text', field: 'review' },
    ];
    return {
      key: `monday-board-${i + 1}`,
      documentType: spec.documentType,
      name: spec.name,
      mondayBoardId: String(FIRST_MONDAY_BOARD_ID + i),
      groupId: 'topics',
      groupTitle: spec.name,
      statusLabels: spec.statusLabels,
      doneIndex: spec.doneIndex,
      columns,
    };
  });
}

// ---------------------------------------------------------------- builder

interface InternalSupplier extends WorldSupplier {
  trade: Trade;
}

/** Sizes at a given scale. Deliberate problems need a few records of each kind, hence the minimums. */
function sizes(scale: number) {
  const linear = (base: number, min: number): number => Math.max(min, Math.round(base * scale));
  const slow = (base: number): number => Math.round(base * (1 + 0.5 * Math.max(0, Math.log2(scale))));
  return {
    projects: slow(6),
    suppliers: slow(30),
    customers: slow(8),
    purchaseOrders: linear(80, 8),
    purchaseEntries: linear(120, 4),
    salesOrders: linear(40, 2),
    salesInvoices: linear(60, 2),
    commitments: linear(40, 4),
    directCosts: linear(50, 2),
  };
}

class WorldBuilder {
  private readonly rng: Rng;
  private procoreSeq = 0;
  private invoiceSeq = 0;
  private readonly timelineStart = WORLD_AS_OF - 365 * DAY_MS;
  private readonly n: ReturnType<typeof sizes>;
  /** Items a supplier of a trade sells (the sundry item only goes on the planted unmapped line). */
  private readonly itemsByTrade = new Map<Trade, ItemSpec[]>();
  private readonly itemByCode = new Map<string, ItemSpec>();
  private readonly itemKeyByCode = new Map<string, string>();
  private readonly projectCostUnit = new Map<string, string>();
  private readonly projectCustomer = new Map<string, string>();

  constructor(
    private readonly seed: number,
    private readonly scale: number,
  ) {
    this.rng = createRng(seed);
    this.n = sizes(scale);
    ITEMS.forEach((item, i) => {
      this.itemByCode.set(item.code, item);
      this.itemKeyByCode.set(item.code, `item-${i + 1}`);
      if (item.code === SUNDRY_ITEM_CODE) return;
      const list = this.itemsByTrade.get(item.trade) ?? [];
      list.push(item);
      this.itemsByTrade.set(item.trade, list);
    });
  }

  private itemsFor(trade: Trade): readonly ItemSpec[] {
    return this.itemsByTrade.get(trade) ?? ITEMS;
  }

  // ---- id helpers

  /** An Exact GUID, drawn from the RNG (v4 layout, lowercase 8-4-4-4-12). */
  private guid(): string {
    const hex = this.hexWord() + this.hexWord() + this.hexWord() + this.hexWord();
    const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  private hexWord(): string {
    return Math.floor(this.rng.next() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  }

  private procoreId(): number {
    this.procoreSeq += 1;
    return PROCORE_ID_BASE + this.procoreSeq;
  }

  private cents(range: readonly [number, number]): bigint {
    return BigInt(this.rng.int(range[0], range[1]));
  }

  /** A day inside [fromMs, toMs] (both clamped to the timeline), as the UTC midnight. */
  private day(fromMs: number, toMs: number): number {
    const from = dayStart(Math.max(fromMs, this.timelineStart));
    const to = dayStart(Math.min(toMs, WORLD_AS_OF));
    return from + this.rng.int(0, Math.max(0, Math.round((to - from) / DAY_MS))) * DAY_MS;
  }

  /** An instant during office hours a few days after dayMs, never after the world's end. */
  private modifiedAfter(dayMs: number, maxDays: number): number {
    const at = dayMs + this.rng.int(0, maxDays) * DAY_MS + this.rng.int(7 * 3600, 18 * 3600) * 1000;
    return Math.min(at, WORLD_AS_OF);
  }

  private supplierInvoiceNumber(country: string): string {
    this.invoiceSeq += 1;
    const seq = String(this.invoiceSeq).padStart(5, '0');
    return country === 'GB' ? `INV-${seq}` : `F2026-${seq}`;
  }

  // ---- build

  build(): World {
    const projects = this.projects();
    const customers = this.customers(projects);
    const suppliers = this.suppliers();
    const glAccounts = this.glAccounts();
    const costCenters: WorldCostCenter[] = COST_CENTERS.map(([code, description], i) => ({
      key: `costcenter-${i + 1}`,
      code,
      description,
      exactId: this.guid(),
    }));
    const costUnits: WorldCostUnit[] = COST_UNITS.map(([code, description], i) => ({
      key: `costunit-${i + 1}`,
      code,
      description,
      exactId: this.guid(),
    }));
    const items: WorldItem[] = ITEMS.map((spec, i) => ({
      key: `item-${i + 1}`,
      code: spec.code,
      description: spec.description,
      glAccountCode: spec.gl,
      unit: spec.unit,
      exactId: this.guid(),
    }));
    const costCodes: WorldCostCode[] = COST_CODES.map(([code, name], i) => ({
      key: `costcode-${i + 1}`,
      code,
      name,
    }));
    const lineItemTypes: WorldLineItemType[] = LINE_ITEM_TYPES.map((t, i) => ({
      key: `lit-${i + 1}`,
      code: t.code,
      name: t.name,
      baseType: t.baseType,
      procoreId: this.procoreId(),
    }));
    const costMappings = this.costMappings();

    // Deliberate supplier problems, decided before any transaction uses the suppliers.
    const nonAsciiSupplier = suppliers.find((s) => s.name === NON_ASCII_SUPPLIER_NAME);
    if (!nonAsciiSupplier) throw new Error('world catalogue lost its non-ASCII supplier');
    const ordinary = suppliers.filter((s) => s !== nonAsciiSupplier && s.country === 'NL');
    const shuffled = this.shuffle(ordinary);
    const missingInProcore = shuffled[0] as InternalSupplier;
    missingInProcore.procoreVendorId = null;
    (shuffled[1] as InternalSupplier).acumaticaVendorId = null;
    (shuffled[2] as InternalSupplier).acumaticaVendorId = null;
    (shuffled[3] as InternalSupplier).intacctVendorId = null;
    (shuffled[4] as InternalSupplier).coupaSupplierId = null;
    (shuffled[5] as InternalSupplier).coupaSupplierId = null;

    const { purchaseOrders, deliberate: poDeliberate } = this.purchaseOrders(
      projects,
      suppliers,
      missingInProcore,
      nonAsciiSupplier,
    );
    const { purchaseEntries, controlCharPurchaseEntryKey } = this.purchaseEntries(projects, suppliers);
    const salesOrders = this.salesOrders(projects);
    const salesInvoices = this.salesInvoices(projects);
    const procoreSuppliers = suppliers.filter((s) => s.procoreVendorId !== null);
    const commitments = this.commitments(projects, procoreSuppliers);
    const requisitions = this.requisitions(commitments, suppliers);
    const directCosts = this.directCosts(projects, procoreSuppliers);
    const apAccounts: WorldApAccount[] = COST_CODES.map(([code, name], i) => ({
      key: `apaccount-${i + 1}`,
      code: String(50_100 + i * 100),
      description: `Job cost - ${name}`,
      costCode: code,
    }));
    const departments: WorldDepartment[] = DEPARTMENTS.map(([code, name], i) => ({
      key: `department-${i + 1}`,
      code,
      name,
    }));

    return {
      seed: this.seed,
      scale: this.scale,
      companyName: 'Maasland & Hartley Bouw B.V.',
      currency: 'EUR',
      asOf: WORLD_AS_OF,
      projects,
      suppliers: suppliers.map(({ trade: _trade, ...supplier }) => supplier),
      customers,
      glAccounts,
      costCenters,
      costUnits,
      items,
      costCodes,
      lineItemTypes,
      costMappings,
      purchaseOrders,
      purchaseEntries,
      salesOrders,
      salesInvoices,
      commitments,
      requisitions,
      directCosts,
      apAccounts,
      departments,
      mondayBoards: mondayBoards(),
      deliberate: {
        ...poDeliberate,
        supplierMissingInProcoreKey: missingInProcore.key,
        nonAsciiSupplierKey: nonAsciiSupplier.key,
        controlCharPurchaseEntryKey,
        ...coupaInvoicedEntries(purchaseEntries, suppliers, controlCharPurchaseEntryKey),
        acumatica: acumaticaDifferences(commitments, directCosts, suppliers, apAccounts, departments),
      },
    };
  }

  private shuffle<T>(list: readonly T[]): T[] {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  private projects(): WorldProject[] {
    const out: WorldProject[] = [];
    for (let i = 0; i < this.n.projects; i++) {
      const base = BASE_PROJECTS[i % BASE_PROJECTS.length] as ProjectSpec;
      const phase = Math.floor(i / BASE_PROJECTS.length);
      const code = `P26-${String(i + 1).padStart(3, '0')}`;
      const key = `project-${i + 1}`;
      this.projectCostUnit.set(key, base.costUnit);
      out.push({
        key,
        code,
        name: phase === 0 ? base.name : `${base.name} fase ${phase + 1}`,
        city: base.city,
        exactId: this.guid(),
        procoreId: this.procoreId(),
        acumaticaProjectId: code.replace('-', ''),
        intacctProjectId: code,
      });
    }
    return out;
  }

  private customers(projects: WorldProject[]): WorldCustomer[] {
    const out: WorldCustomer[] = [];
    for (let i = 0; i < this.n.customers; i++) {
      const base = BASE_CUSTOMERS[i % BASE_CUSTOMERS.length] as string;
      const round = Math.floor(i / BASE_CUSTOMERS.length);
      out.push({
        key: `customer-${i + 1}`,
        code: String(20_001 + i),
        name: round === 0 ? base : `${base} (${NL_CITIES[round % NL_CITIES.length]})`,
        exactId: this.guid(),
      });
    }
    projects.forEach((p, i) => this.projectCustomer.set(p.key, (out[i % out.length] as WorldCustomer).key));
    return out;
  }

  private suppliers(): InternalSupplier[] {
    const specs: SupplierSpec[] = BASE_SUPPLIERS.slice(0, this.n.suppliers);
    const names = new Set(specs.map((s) => s.name));
    for (let i = 0; specs.length < this.n.suppliers; i++) {
      // Walks every (surname, trade) pair once, then repeats them with a branch number.
      const surnameIndex = i % EXTRA_SUPPLIER_SURNAMES.length;
      const round = Math.floor(i / EXTRA_SUPPLIER_SURNAMES.length);
      const surname = EXTRA_SUPPLIER_SURNAMES[surnameIndex] as string;
      const [trade, word] = EXTRA_SUPPLIER_TRADES[
        (round + 3 * surnameIndex) % EXTRA_SUPPLIER_TRADES.length
      ] as [Trade, string];
      const branch = Math.floor(round / EXTRA_SUPPLIER_TRADES.length);
      const name = branch === 0 ? `${surname} ${word} B.V.` : `${surname} ${word} ${branch + 1} B.V.`;
      if (names.has(name)) continue;
      names.add(name);
      specs.push({ name, trade, country: 'NL', city: NL_CITIES[i % NL_CITIES.length] as string });
    }
    return specs.map((spec, i) => {
      const n = i + 1;
      const slug = spec.name
        .replace(/Æ/g, 'Ae')
        .replace(/æ/g, 'ae')
        .replace(/[Øø]/g, 'o')
        .replace(/ß/g, 'ss')
        .normalize('NFKD')
        .replace(/[^A-Za-z0-9 ]/g, '')
        .toLowerCase()
        .split(' ')
        .filter((w) => w && !['bv', 'ltd', 'nv', 'gmbh', 'sprl', 'zn', 'van', 'den', 'der', 'de'].includes(w))
        .slice(0, 2)
        .join('');
      const tld = { NL: 'nl', GB: 'co.uk', BE: 'be', DE: 'de' }[spec.country];
      return {
        key: `supplier-${n}`,
        code: String(40_000 + n),
        name: spec.name,
        vatNumber: this.vatNumber(spec.country),
        email: `${spec.country === 'GB' ? 'accounts' : 'facturen'}@${slug}.${tld}`,
        city: spec.city,
        country: spec.country,
        exactId: this.guid(),
        procoreVendorId: this.procoreId(),
        acumaticaVendorId: `V${String(n).padStart(6, '0')}`,
        intacctVendorId: `V-${1000 + n}`,
        coupaSupplierId: 100 + n,
        trade: spec.trade,
      };
    });
  }

  private vatNumber(country: SupplierSpec['country']): string {
    const digits = (count: number): string =>
      Array.from({ length: count }, () => this.rng.int(0, 9)).join('');
    switch (country) {
      case 'NL':
        return `NL${digits(9)}B01`;
      case 'GB':
        return `GB${digits(9)}`;
      case 'BE':
        return `BE0${digits(9)}`;
      case 'DE':
        return `DE${digits(9)}`;
    }
  }

  private glAccounts(): WorldGlAccount[] {
    const all = [
      ...PURCHASE_GL.map((g) => ({ code: g.code, description: g.description, balanceType: 'W' as const })),
      ...OTHER_GL,
    ].sort((a, b) => a.code.localeCompare(b.code));
    return all.map((g, i) => ({
      key: `gl-${i + 1}`,
      code: g.code,
      description: g.description,
      exactId: this.guid(),
      balanceType: g.balanceType,
    }));
  }

  /** Every purchase G/L × cost centre, except the deliberate gap. */
  private costMappings(): WorldCostMapping[] {
    const out: WorldCostMapping[] = [];
    for (const gl of PURCHASE_GL) {
      for (const [costCenterCode] of COST_CENTERS) {
        if (gl.code === UNMAPPED_GL && costCenterCode === UNMAPPED_COST_CENTER) continue;
        out.push({
          glAccountCode: gl.code,
          costCenterCode,
          costUnitCode: null,
          costCode: gl.costCode,
          lineItemTypeCode: gl.lineItemType,
        });
      }
    }
    return out;
  }

  /** A cost centre for a line of this trade and G/L, never the deliberately unmapped pair. */
  private costCenterFor(trade: Trade, gl: string): string {
    for (;;) {
      const code = this.rng.chance(0.8)
        ? this.rng.pick(TRADE_COST_CENTERS[trade])
        : this.rng.pick(COST_CENTERS)[0];
      if (!(gl === UNMAPPED_GL && code === UNMAPPED_COST_CENTER)) return code;
    }
  }

  private purchaseOrders(
    projects: WorldProject[],
    suppliers: InternalSupplier[],
    missingInProcore: InternalSupplier,
    nonAscii: InternalSupplier,
  ): {
    purchaseOrders: WorldPurchaseOrder[];
    deliberate: Pick<World['deliberate'], 'unmappedPair' | 'cancelledPurchaseOrderKey' | 'editedAfterSync'>;
  } {
    const count = this.n.purchaseOrders;
    // Distinct POs carry the planted problems, so each one shows up on its own.
    const [cancelledIdx, unmappedIdx, missingIdx, nonAsciiIdx, editedIdx] = this.shuffle(
      Array.from({ length: count }, (_, i) => i),
    ) as [number, number, number, number, number];
    const orders: WorldPurchaseOrder[] = [];
    let lastModified = 0;
    for (let i = 0; i < count; i++) {
      const supplier =
        i === missingIdx ? missingInProcore : i === nonAsciiIdx ? nonAscii : this.rng.pick(suppliers);
      const project = this.rng.pick(projects);
      const orderDay = this.day(this.timelineStart, WORLD_AS_OF - 5 * DAY_MS);
      const key = `po-${i + 1}`;
      const lineCount = this.rng.int(1, 8);
      const lines: WorldPurchaseOrderLine[] = [];
      for (let l = 0; l < lineCount; l++)
        lines.push(this.purchaseOrderLine(key, l + 1, supplier.trade, project.key));
      const statusRoll = this.rng.next();
      const orderStatus: WorldPurchaseOrder['orderStatus'] =
        statusRoll < 0.55 ? 10 : statusRoll < 0.8 ? 20 : statusRoll < 0.99 ? 30 : 40;
      // Some POs share the previous one's Modified instant (a batch import), so a sync cursor
      // that reads "> last" instead of ">= last, dedupe by id" loses records.
      const modifiedAt =
        i > 0 && this.rng.chance(0.08) && lastModified >= orderDay
          ? lastModified
          : this.modifiedAfter(orderDay, 20);
      lastModified = modifiedAt;
      orders.push({
        key,
        exactId: this.guid(),
        orderNumber: 20_001 + i,
        supplierKey: supplier.key,
        projectKey: project.key,
        orderDate: isoDate(orderDay),
        receiptDate: isoDate(orderDay + this.rng.int(7, 60) * DAY_MS),
        description: `${project.name} - ${this.rng.pick(lines).description}`,
        yourRef: `${project.code}/${String(this.rng.int(1, 999)).padStart(3, '0')}`,
        currency: 'EUR',
        orderStatus,
        modifiedAt,
        lines,
      });
    }
    const planted = (idx: number): WorldPurchaseOrder => orders[idx] as WorldPurchaseOrder;
    for (const idx of [unmappedIdx, missingIdx, nonAsciiIdx, editedIdx])
      if (planted(idx).orderStatus === 40) planted(idx).orderStatus = 10;
    planted(cancelledIdx).orderStatus = 40;

    // The unmapped pair: one line of one PO booked as sundry costs on the contingency cost centre.
    const unmappedPo = planted(unmappedIdx);
    const sundry = this.itemByCode.get(SUNDRY_ITEM_CODE) as ItemSpec;
    if (unmappedPo.lines.length >= 8) unmappedPo.lines.pop();
    const unmappedLine = this.purchaseOrderLine(
      unmappedPo.key,
      unmappedPo.lines.length + 1,
      'general',
      unmappedPo.projectKey,
      sundry,
    );
    unmappedLine.costCenterCode = UNMAPPED_COST_CENTER;
    unmappedLine.description = 'Onvoorziene kosten bouwplaats';
    unmappedPo.lines.push(unmappedLine);

    const editedPo = planted(editedIdx);
    const editedLine = editedPo.lines[0] as WorldPurchaseOrderLine;
    const editedItem = ITEMS[Number(editedLine.itemKey.slice('item-'.length)) - 1] as ItemSpec;
    const newQuantity = formatQuantity(
      parseQuantity(editedLine.quantity) + BigInt(editedItem.qtyStep * this.rng.int(1, 10)),
    );

    return {
      purchaseOrders: orders,
      deliberate: {
        unmappedPair: {
          glAccountCode: UNMAPPED_GL,
          costCenterCode: UNMAPPED_COST_CENTER,
          purchaseOrderKey: unmappedPo.key,
        },
        cancelledPurchaseOrderKey: planted(cancelledIdx).key,
        editedAfterSync: { purchaseOrderKey: editedPo.key, lineKey: editedLine.key, newQuantity },
      },
    };
  }

  private purchaseOrderLine(
    orderKey: string,
    lineNumber: number,
    trade: Trade,
    projectKey: string,
    forcedItem?: ItemSpec,
  ): WorldPurchaseOrderLine {
    const item = forcedItem ?? this.rng.pick(this.itemsFor(trade));
    const steps = Math.max(0, Math.floor((item.qty[1] - item.qty[0]) / item.qtyStep));
    const quantity = BigInt(item.qty[0] + this.rng.int(0, steps) * item.qtyStep);
    const unitPrice = this.cents(item.price);
    return {
      key: `${orderKey}-line-${lineNumber}`,
      exactId: this.guid(),
      lineNumber,
      itemKey: this.itemKeyByCode.get(item.code) as string,
      description: item.description,
      quantity: formatQuantity(quantity),
      unitPrice: formatCents(unitPrice),
      amount: formatCents(lineAmountCents(quantity, unitPrice)),
      costCenterCode: this.costCenterFor(item.trade, item.gl),
      costUnitCode: this.rng.chance(0.7) ? (this.projectCostUnit.get(projectKey) ?? null) : null,
      projectKey,
    };
  }

  private purchaseEntries(
    projects: WorldProject[],
    suppliers: InternalSupplier[],
  ): { purchaseEntries: WorldPurchaseEntry[]; controlCharPurchaseEntryKey: string } {
    const count = this.n.purchaseEntries;
    const controlIdx = this.rng.int(0, count - 1);
    const entries: WorldPurchaseEntry[] = [];
    for (let i = 0; i < count; i++) {
      const supplier = this.rng.pick(suppliers);
      const project = this.rng.pick(projects);
      const entryDay = this.day(this.timelineStart, WORLD_AS_OF - 2 * DAY_MS);
      const key = `pe-${i + 1}`;
      const trade = supplier.trade;
      const lines: WorldPurchaseEntryLine[] = [];
      const lineCount = this.rng.int(1, 4);
      for (let l = 0; l < lineCount; l++) {
        const item = this.rng.pick(this.itemsFor(trade));
        const amount = BigInt(this.rng.int(2_500, 4_500_000));
        // Foreign suppliers invoice without Dutch VAT (intra-EU / import), Dutch subcontractors
        // under the construction reverse-charge rule (btw verlegd); 9 % on residential painting.
        const isSubcontract = SUBCONTRACT_GL.has(item.gl);
        const basisPoints =
          supplier.country !== 'NL' || isSubcontract
            ? 0n
            : item.trade === 'finishing' && this.rng.chance(0.4)
              ? 900n
              : 2100n;
        lines.push({
          key: `${key}-line-${l + 1}`,
          exactId: this.guid(),
          lineNumber: l + 1,
          glAccountCode: item.gl,
          description: item.description,
          amount: formatCents(amount),
          vatPercentage: formatCents(basisPoints),
          vatAmount: formatCents(vatCents(amount, basisPoints)),
          costCenterCode: this.costCenterFor(item.trade, item.gl),
          costUnitCode: this.rng.chance(0.7) ? (this.projectCostUnit.get(project.key) ?? null) : null,
          projectKey: project.key,
        });
      }
      const invoiceNumber = this.supplierInvoiceNumber(supplier.country);
      const description =
        i === controlIdx
          ? // Pasted from a PDF with a stray BEL character: connectors must strip it before XML.
            `Factuur ${invoiceNumber} ${project.name}\u0007`
          : `Factuur ${invoiceNumber} ${project.name}`;
      entries.push({
        key,
        exactId: this.guid(),
        entryNumber: 26_700_001 + i,
        supplierKey: supplier.key,
        invoiceNumber,
        entryDate: isoDate(entryDay),
        dueDate: isoDate(entryDay + 30 * DAY_MS),
        description,
        currency: 'EUR',
        status: this.rng.chance(0.35) ? 20 : 50,
        modifiedAt: this.modifiedAfter(entryDay, 3),
        lines,
      });
    }
    return { purchaseEntries: entries, controlCharPurchaseEntryKey: `pe-${controlIdx + 1}` };
  }

  private salesOrders(projects: WorldProject[]): WorldSalesOrder[] {
    const out: WorldSalesOrder[] = [];
    for (let i = 0; i < this.n.salesOrders; i++) {
      const project = this.rng.pick(projects);
      const orderDay = this.day(this.timelineStart, WORLD_AS_OF - DAY_MS);
      const key = `so-${i + 1}`;
      const lineCount = this.rng.int(1, 3);
      let total = 0n;
      const lines: WorldSalesOrder['lines'] = [];
      for (let l = 0; l < lineCount; l++) {
        const gl = this.rng.pick(REVENUE_GL);
        const quantity = BigInt(this.rng.int(1, 4) * 1000);
        const unitPrice = BigInt(this.rng.int(250_000, 18_500_000));
        const amount = lineAmountCents(quantity, unitPrice);
        total += amount;
        lines.push({
          key: `${key}-line-${l + 1}`,
          exactId: this.guid(),
          lineNumber: l + 1,
          description:
            gl === '8010'
              ? `Meerwerk ${project.name}`
              : gl === '8100'
                ? `Onderhoud ${project.name}`
                : `Termijn aanneemsom ${project.name}`,
          quantity: formatQuantity(quantity),
          unitPrice: formatCents(unitPrice),
          amount: formatCents(amount),
          glAccountCode: gl,
        });
      }
      const roll = this.rng.next();
      out.push({
        key,
        exactId: this.guid(),
        orderNumber: 30_001 + i,
        customerKey: this.projectCustomer.get(project.key) as string,
        projectKey: project.key,
        orderDate: isoDate(orderDay),
        description: `Verkooporder ${project.name}`,
        amount: formatCents(total),
        status: roll < 0.5 ? 12 : roll < 0.7 ? 20 : roll < 0.95 ? 21 : 45,
        modifiedAt: this.modifiedAfter(orderDay, 10),
        lines,
      });
    }
    return out;
  }

  private salesInvoices(projects: WorldProject[]): WorldSalesInvoice[] {
    const out: WorldSalesInvoice[] = [];
    for (let i = 0; i < this.n.salesInvoices; i++) {
      const project = this.rng.pick(projects);
      const invoiceDay = this.day(this.timelineStart, WORLD_AS_OF - DAY_MS);
      const key = `si-${i + 1}`;
      const lineCount = this.rng.int(1, 3);
      let total = 0n;
      let vat = 0n;
      const lines: WorldSalesInvoice['lines'] = [];
      for (let l = 0; l < lineCount; l++) {
        const gl = this.rng.pick(REVENUE_GL);
        const quantity = 1000n;
        const unitPrice = BigInt(this.rng.int(150_000, 25_000_000));
        const amount = lineAmountCents(quantity, unitPrice);
        total += amount;
        vat += vatCents(amount, 2100n);
        lines.push({
          key: `${key}-line-${l + 1}`,
          exactId: this.guid(),
          lineNumber: l + 1,
          description: `Termijn ${l + 1} ${project.name}`,
          quantity: formatQuantity(quantity),
          unitPrice: formatCents(unitPrice),
          amount: formatCents(amount),
          glAccountCode: gl,
          costCenterCode: this.rng.pick(COST_CENTERS)[0],
        });
      }
      const roll = this.rng.next();
      out.push({
        key,
        exactId: this.guid(),
        invoiceNumber: 26_100_001 + i,
        customerKey: this.projectCustomer.get(project.key) as string,
        projectKey: project.key,
        invoiceDate: isoDate(invoiceDay),
        dueDate: isoDate(invoiceDay + 30 * DAY_MS),
        description: `Termijnfactuur ${project.name}`,
        amountExclVat: formatCents(total),
        vatAmount: formatCents(vat),
        status: roll < 0.1 ? 10 : roll < 0.45 ? 20 : 50,
        modifiedAt: this.modifiedAfter(invoiceDay, 5),
        lines,
      });
    }
    return out;
  }

  private commitments(projects: WorldProject[], suppliers: InternalSupplier[]): WorldCommitment[] {
    const out: WorldCommitment[] = [];
    const perProject = new Map<string, { wo: number; po: number }>();
    for (let i = 0; i < this.n.commitments; i++) {
      const supplier = this.rng.pick(suppliers);
      const project = this.rng.pick(projects);
      const kind = SUBCONTRACT_TRADES.has(supplier.trade) ? 'work_order_contract' : 'purchase_order_contract';
      const counters = perProject.get(project.key) ?? { wo: 0, po: 0 };
      perProject.set(project.key, counters);
      const number =
        kind === 'work_order_contract'
          ? `SC-${String(++counters.wo).padStart(3, '0')}`
          : `PO-${String(++counters.po).padStart(3, '0')}`;
      const roll = this.rng.next();
      const status =
        kind === 'work_order_contract'
          ? roll < 0.7
            ? 'Approved'
            : roll < 0.8
              ? 'Complete'
              : roll < 0.9
                ? 'Out For Signature'
                : 'Draft'
          : roll < 0.65
            ? 'Approved'
            : roll < 0.75
              ? 'Received'
              : roll < 0.85
                ? 'Submitted'
                : 'Draft';
      const key = `commitment-${i + 1}`;
      const codes = TRADE_COST_CODES[supplier.trade];
      const lineType =
        kind === 'work_order_contract'
          ? 'S'
          : supplier.trade === 'plant' || supplier.trade === 'scaffolding'
            ? 'E'
            : 'M';
      const lines: WorldCommitment['lines'] = [];
      const lineCount = this.rng.int(1, 6);
      for (let l = 0; l < lineCount; l++) {
        const costCode = this.rng.pick(codes);
        lines.push({
          key: `${key}-line-${l + 1}`,
          procoreId: this.procoreId(),
          costCode,
          lineItemTypeCode: lineType,
          description: `${COST_CODE_NAMES.get(costCode) ?? costCode} - ${project.name}`,
          amount: formatCents(BigInt(this.rng.int(500_000, 25_000_000))),
        });
      }
      const changeOrders: WorldCommitment['changeOrders'] = [];
      const coCount = status === 'Draft' ? 0 : this.rng.int(0, 2);
      for (let c = 0; c < coCount; c++) {
        const coRoll = this.rng.next();
        const magnitude = BigInt(this.rng.int(25_000, 2_500_000));
        changeOrders.push({
          key: `${key}-co-${c + 1}`,
          procoreId: this.procoreId(),
          number: String(c + 1).padStart(3, '0'),
          title: this.rng.chance(0.2)
            ? 'Minderwerk vervallen sparingen'
            : this.rng.pick([
                'Meerwerk extra fundering',
                'Wijziging installatieschacht',
                'Aanvullende brandwerende voorzieningen',
                'Additional drainage works',
              ]),
          status: coRoll < 0.6 ? 'approved' : coRoll < 0.85 ? 'pending' : 'draft',
          amount: formatCents(this.rng.chance(0.2) ? -magnitude : magnitude),
          costCode: this.rng.pick(lines).costCode,
          lineItemTypeCode: lineType,
        });
      }
      out.push({
        key,
        procoreId: this.procoreId(),
        kind,
        projectKey: project.key,
        supplierKey: supplier.key,
        number,
        title: `${kind === 'work_order_contract' ? 'Onderaanneming' : 'Inkoop'} ${supplier.name} - ${project.name}`,
        status,
        contractDate: isoDate(this.day(this.timelineStart, WORLD_AS_OF - 60 * DAY_MS)),
        lines,
        changeOrders,
      });
    }
    return out;
  }

  /**
   * Monthly subcontractor invoices against approved commitments. Each bills a share of what is
   * still open per line, so the total billed never exceeds a line's amount.
   */
  private requisitions(commitments: WorldCommitment[], suppliers: InternalSupplier[]): WorldRequisition[] {
    const billable = new Set(['Approved', 'Complete', 'Received']);
    const countryBySupplier = new Map(suppliers.map((s) => [s.key, s.country]));
    const out: WorldRequisition[] = [];
    for (const commitment of commitments) {
      if (!billable.has(commitment.status)) continue;
      const remaining = new Map(commitment.lines.map((l) => [l.key, parseCents(l.amount)]));
      const contractMonth = new Date(`${commitment.contractDate}T00:00:00Z`);
      const wanted = this.rng.int(1, 3);
      const retainage = this.rng.pick(['5.00', '5.00', '10.00', '0.00']);
      let number = 0;
      for (let r = 0; r < wanted; r++) {
        const periodStart = Date.UTC(contractMonth.getUTCFullYear(), contractMonth.getUTCMonth() + 1 + r, 1);
        const periodEnd = Date.UTC(contractMonth.getUTCFullYear(), contractMonth.getUTCMonth() + 2 + r, 0);
        if (periodEnd > WORLD_AS_OF) break;
        const key = `${commitment.key}-req-${r + 1}`;
        const lines: WorldRequisition['lines'] = [];
        for (const line of commitment.lines) {
          const open = remaining.get(line.key) ?? 0n;
          if (open === 0n || this.rng.chance(0.25)) continue;
          const share = BigInt(this.rng.int(10, 45));
          const billed = (open * share) / 100n;
          if (billed === 0n) continue;
          remaining.set(line.key, open - billed);
          lines.push({
            key: `${key}-line-${lines.length + 1}`,
            procoreId: this.procoreId(),
            commitmentLineKey: line.key,
            workCompletedThisPeriod: formatCents(billed),
          });
        }
        if (lines.length === 0) continue;
        const isLatest = r === wanted - 1;
        const roll = this.rng.next();
        // Earlier periods are settled; the latest one is where reviews are still under way.
        const status: WorldRequisition['status'] =
          !isLatest || roll < 0.55
            ? 'approved'
            : roll < 0.65
              ? 'approved_as_noted'
              : roll < 0.75
                ? 'under_review'
                : roll < 0.85
                  ? 'pending_owner_approval'
                  : roll < 0.93
                    ? 'revise_and_resubmit'
                    : 'draft';
        out.push({
          key,
          procoreId: this.procoreId(),
          commitmentKey: commitment.key,
          number: ++number,
          invoiceNumber: this.supplierInvoiceNumber(countryBySupplier.get(commitment.supplierKey) ?? 'NL'),
          status,
          periodStart: isoDate(periodStart),
          periodEnd: isoDate(periodEnd),
          billingDate: isoDate(periodEnd),
          retainagePercent: retainage,
          lines,
          updatedAt: this.modifiedAfter(periodEnd, 6),
        });
      }
    }
    return out;
  }

  private directCosts(projects: WorldProject[], suppliers: InternalSupplier[]): WorldDirectCost[] {
    const out: WorldDirectCost[] = [];
    for (let i = 0; i < this.n.directCosts; i++) {
      const supplier = this.rng.pick(suppliers);
      const project = this.rng.pick(projects);
      const type = this.rng.chance(0.8) ? 'invoice' : 'expense';
      const costDay = this.day(this.timelineStart, WORLD_AS_OF - DAY_MS);
      const key = `directcost-${i + 1}`;
      const lineType =
        supplier.trade === 'plant' || supplier.trade === 'scaffolding'
          ? 'E'
          : supplier.trade === 'labour'
            ? 'L'
            : SUBCONTRACT_TRADES.has(supplier.trade)
              ? 'S'
              : 'M';
      const lines: WorldDirectCost['lines'] = [];
      const lineCount = this.rng.int(1, 3);
      for (let l = 0; l < lineCount; l++) {
        const costCode = this.rng.pick(TRADE_COST_CODES[supplier.trade]);
        lines.push({
          key: `${key}-line-${l + 1}`,
          procoreId: this.procoreId(),
          costCode,
          lineItemTypeCode: lineType,
          description: COST_CODE_NAMES.get(costCode) ?? costCode,
          amount: formatCents(BigInt(this.rng.int(5_000, 1_500_000))),
        });
      }
      const roll = this.rng.next();
      out.push({
        key,
        procoreId: this.procoreId(),
        projectKey: project.key,
        supplierKey: supplier.key,
        type,
        invoiceNumber:
          type === 'invoice'
            ? this.supplierInvoiceNumber(supplier.country)
            : `BON-${String(i + 1).padStart(5, '0')}`,
        date: isoDate(costDay),
        status:
          roll < 0.7 ? 'approved' : roll < 0.85 ? 'pending' : roll < 0.93 ? 'revise_and_resubmit' : 'draft',
        description: type === 'invoice' ? `Factuur ${supplier.name}` : `Bonnetje bouwplaats ${project.name}`,
        lines,
        updatedAt: this.modifiedAfter(costDay, 4),
      });
    }
    return out;
  }
}

function parseCents(amount: Decimal): bigint {
  return SharedDecimal.parse(amount).toCents();
}

/** "12.5" → 12500 thousandths. */
function parseQuantity(quantity: Decimal): bigint {
  return SharedDecimal.parse(quantity).units / UNITS_PER_THOUSANDTH;
}

/**
 * Two purchase entries whose supplier exists in Coupa, processed ones (status 50) first and the
 * control-character entry last, in entry order: the Coupa simulator seeds their invoices as
 * approved, resp. approved and paid. Chosen without the RNG so the rest of the world is unchanged.
 * At the smallest scales a few seeds have fewer than two such entries: the missing key is null.
 */
function coupaInvoicedEntries(
  entries: readonly WorldPurchaseEntry[],
  suppliers: readonly WorldSupplier[],
  controlCharKey: string,
): Pick<World['deliberate'], 'coupaApprovedPurchaseEntryKey' | 'coupaPaidPurchaseEntryKey'> {
  const inCoupa = new Set(suppliers.filter((s) => s.coupaSupplierId !== null).map((s) => s.key));
  const rank = (e: WorldPurchaseEntry): number => (e.key === controlCharKey ? 2 : e.status === 50 ? 0 : 1);
  const [approved, paid] = entries
    .filter((e) => inCoupa.has(e.supplierKey))
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
    .map(({ e }) => e);
  return { coupaApprovedPurchaseEntryKey: approved?.key ?? null, coupaPaidPurchaseEntryKey: paid?.key ?? null };
}

/**
 * The planted Acumatica-side differences of World['deliberate'].acumatica, chosen without the
 * RNG so the rest of the world is unchanged: the least-used cost codes among direct-cost lines
 * of suppliers Acumatica knows (so a sync really meets them), the last department, and the
 * first approved commitments (in world order) of such suppliers.
 */
function acumaticaDifferences(
  commitments: readonly WorldCommitment[],
  directCosts: readonly WorldDirectCost[],
  suppliers: readonly WorldSupplier[],
  apAccounts: readonly WorldApAccount[],
  departments: readonly WorldDepartment[],
): World['deliberate']['acumatica'] {
  const inAcumatica = new Set(suppliers.filter((s) => s.acumaticaVendorId !== null).map((s) => s.key));
  const uses = new Map<string, number>();
  for (const cost of directCosts) {
    if (!inAcumatica.has(cost.supplierKey)) continue;
    for (const line of cost.lines) uses.set(line.costCode, (uses.get(line.costCode) ?? 0) + 1);
  }
  const useOf = (a: WorldApAccount): number => uses.get(a.costCode) ?? 0;
  const byUse = apAccounts.filter((a) => uses.has(a.costCode)).sort((a, b) => useOf(a) - useOf(b));
  const fallback = apAccounts[apAccounts.length - 1] as WorldApAccount;
  const inactive = byUse[0] ?? fallback;
  const other = (a: WorldApAccount): boolean => a.costCode !== inactive.costCode;
  const missing = byUse.find(other) ?? apAccounts.find(other) ?? fallback;
  const approved = commitments.filter(
    (c) => (c.status === 'Approved' || c.status === 'Complete') && inAcumatica.has(c.supplierKey),
  );
  const differing = approved.find((c) => c.kind === 'work_order_contract' && c.lines.length > 0);
  const differingLine = differing?.lines[0];
  const missingCo = approved
    .filter((c) => c !== differing)
    .flatMap((c) => c.changeOrders.filter((co) => co.status === 'approved'))[0];
  return {
    inactiveAccountCode: inactive.code,
    inactiveSubaccountCode: (departments[departments.length - 1] as WorldDepartment).code,
    missingCostCode: missing.costCode,
    onlyCostCode: { code: '99-000', name: 'Contingency' },
    subcontractLineDifference:
      differing && differingLine
        ? {
            commitmentKey: differing.key,
            lineKey: differingLine.key,
            // A keying difference: 1,000.00 more than Procore's line.
            acumaticaAmount: formatCents(parseCents(differingLine.amount) + 100_000n),
          }
        : null,
    changeOrderMissingKey: missingCo?.key ?? null,
  };
}
