/**
 * JSON text with money written as exact JSON numbers. Acumatica sends decimals as JSON numbers
 * (fact sheet 1.5 DecimalValue); we hold them as decimal strings and print the digits
 * verbatim instead of going through a binary float.
 */
export class JsonNumberText {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a plain decimal number: "${text}"`);
  }
}

export function toJsonText(value: unknown): string {
  if (value instanceof JsonNumberText) return value.text;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${toJsonText(item)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}
