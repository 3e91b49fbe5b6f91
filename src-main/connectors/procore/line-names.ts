/**
 * How a reason names a line of a Procore document: the way finance finds it on Procore's screen,
 * by its place in the document (1-based) with its description and cost code when it has them,
 * never by Procore's numeric id or the ERP's line GUID (records keep those for keys).
 */
import { cutText } from '../../../src-shared/domain/text';

/** A source text as a line's name quotes it: on one line, cut short; '' when there is none. */
function brief(value: unknown): string {
  return typeof value === 'string' ? cutText(value.replace(/\s+/g, ' ').trim(), 40).replace(/ …$/, '…') : '';
}

/** E.g. `line 2 (Concrete pour, 03-300 Cast-in-place concrete)`, `contract item 1 (Formwork)`, `line 3`. */
export function lineName(noun: string, place: number, description: unknown, costCode: string | null): string {
  const details = [brief(description), brief(costCode)].filter((part) => part !== '');
  return `${noun} ${place}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
