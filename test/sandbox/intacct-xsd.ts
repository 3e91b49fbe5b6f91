import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

/**
 * Sage Intacct's own request contract, `shared/vendor-specs/sage-intacct/api.xsd`, applied to
 * the XML documents a test sends (the simulator's conformance suite now; the connector's tests
 * later). The XSD is read at run time from the shared folder and never copied into the project;
 * xmllint-wasm is pinned to 3.0.1 because 5.x refuses this schema.
 *
 * Validation runs in one xmllint call for many documents (the 500 kB schema is parsed once), so
 * a suite records what it sends and checks it all at the end:
 *
 *   const sent = new IntacctRequestLog();
 *   sent.record(body, 'create bill');               // in the suite's post helper
 *   expect(await sent.problems()).toEqual([]);      // in a last test
 *
 * What the XSD checks: the envelope (control, authentication, content), every function's shape,
 * and the full structure of legacy functions (create_bill, create_potransaction, …). What it
 * does not: the body of generic create/update (`xs:any`, processContents="skip").
 */
export const INTACCT_XSD_PATH = join(process.cwd(), '..', 'shared', 'vendor-specs', 'sage-intacct', 'api.xsd');

let cachedXsd: string | undefined;

/** The XSD's text; throws naming the path when the shared folder does not have it. */
export function readIntacctXsd(): string {
  if (cachedXsd !== undefined) return cachedXsd;
  if (!existsSync(INTACCT_XSD_PATH)) {
    throw new Error(`Intacct's request schema is missing: expected ${INTACCT_XSD_PATH} (shared/vendor-specs/sage-intacct/api.xsd, next to the project).`);
  }
  cachedXsd = readFileSync(INTACCT_XSD_PATH, 'utf8');
  return cachedXsd;
}

export interface XsdProblem {
  /** The name the document was recorded under. */
  name: string;
  errors: string[];
}

/** Validates documents against api.xsd; returns one entry per invalid document (none = all valid). */
export async function validateIntacctRequests(docs: readonly { name: string; xml: string }[]): Promise<XsdProblem[]> {
  if (docs.length === 0) return [];
  const xsd = readIntacctXsd();
  const files = docs.map((d, i) => ({ fileName: `request-${i + 1}.xml`, contents: d.xml }));
  const result = await validateXML({ xml: files, schema: [{ fileName: 'api.xsd', contents: xsd }] });
  if (result.valid) return [];
  const byFile = new Map<string, string[]>();
  for (const error of result.errors) {
    // xmllint closes each invalid file with "<file> fails to validate": the reasons came before.
    if (/ fails to validate$/.test(error.rawMessage) && !error.loc) continue;
    const file = error.loc?.fileName ?? '(unknown document)';
    byFile.set(file, [...(byFile.get(file) ?? []), error.loc ? `line ${error.loc.lineNumber}: ${error.message}` : error.rawMessage]);
  }
  if (byFile.size === 0) return [{ name: '(xmllint)', errors: [result.rawOutput] }];
  return [...byFile].map(([file, errors]) => {
    const index = Number(/request-(\d+)\.xml/.exec(file)?.[1] ?? '0') - 1;
    return { name: docs[index]?.name ?? file, errors };
  });
}

/** The request documents a suite sent, checked together by `problems()`. */
export class IntacctRequestLog {
  private readonly docs: { name: string; xml: string }[] = [];

  record(xml: string, name: string): void {
    this.docs.push({ name: `${this.docs.length + 1}: ${name}`, xml });
  }

  get size(): number {
    return this.docs.length;
  }

  problems(): Promise<XsdProblem[]> {
    return validateIntacctRequests(this.docs);
  }
}
