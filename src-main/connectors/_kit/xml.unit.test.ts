import { describe, expect, it } from 'vitest';
import { XmlParseError } from './errors';
import { buildXml, createXmlParser, stripIllegalXmlChars } from './xml';

describe('createXmlParser', () => {
  const parser = createXmlParser({
    arrayPaths: ['response.operation.result', 'response.operation.result.data.vendor'],
  });

  it('never coerces values: ids with leading zeros and amounts stay strings', () => {
    const parsed = parser.parse(
      '<response><operation><result><status>success</status><data count="1"><vendor><VENDORID>00123</VENDORID>' +
        '<TOTALDUE>1500.10</TOTALDUE><ONHOLD>false</ONHOLD></vendor></data></result></operation></response>',
    );
    expect(parsed).toEqual({
      response: {
        operation: {
          result: [
            {
              status: 'success',
              data: { '@_count': '1', vendor: [{ VENDORID: '00123', TOTALDUE: '1500.10', ONHOLD: 'false' }] },
            },
          ],
        },
      },
    });
  });

  it('keeps configured repeated paths as arrays with one or many elements, others as single values', () => {
    const two = parser.parse(
      '<response><operation><result><n>1</n></result><result><n>2</n></result></operation></response>',
    );
    expect(two).toEqual({ response: { operation: { result: [{ n: '1' }, { n: '2' }] } } });
    const notConfigured = createXmlParser().parse('<a><b>1</b></a>');
    expect(notConfigured).toEqual({ a: { b: '1' } });
  });

  it('decodes entities and keeps non-ASCII text intact', () => {
    expect(parser.parse('<a><d>Bouw &amp; Co — café ĳzer 北京</d></a>')).toEqual({
      a: { d: 'Bouw & Co — café ĳzer 北京' },
    });
  });

  it('throws XmlParseError with line and column on malformed XML', () => {
    const error = (() => {
      try {
        parser.parse('<response>\n<control><status>failure</control></response>');
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(XmlParseError);
    expect(error).toMatchObject({ line: 2 });
    expect((error as Error).message).toMatch(/Malformed XML at line 2/);
  });
});

describe('stripIllegalXmlChars', () => {
  it('removes C0 controls except TAB/LF/CR and reports each with its position', () => {
    const result = stripIllegalXmlChars('Bell\u0007 tab\there\u000bvt\r\nend\u001f', 'desc');
    expect(result.text).toBe('Bell tab\therevt\r\nend');
    expect(result.stripped).toEqual([
      { path: 'desc', index: 4, codePoint: 0x07 },
      { path: 'desc', index: 14, codePoint: 0x0b },
      { path: 'desc', index: 22, codePoint: 0x1f },
    ]);
  });

  it('keeps astral characters (valid surrogate pairs) and drops unpaired surrogates and U+FFFE/U+FFFF', () => {
    const result = stripIllegalXmlChars('a😀b\ud800c\uffffd\ufffe');
    expect(result.text).toBe('a😀bcd');
    expect(result.stripped.map((entry) => entry.codePoint)).toEqual([0xd800, 0xffff, 0xfffe]);
  });
});

describe('buildXml', () => {
  it('strips illegal characters before escaping, reports them by path, and round-trips non-ASCII text', () => {
    const built = buildXml({
      request: {
        content: {
          function: {
            '@_controlid': 'bill-"1"&<2>',
            create: {
              APBILL: {
                DESCRIPTION: 'Beton & staal <fase 2>\u0007 — Zürich €',
                TOTAL: '1234.50',
                VENDORID: '00123',
              },
            },
          },
        },
      },
    });
    expect(built.xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><request>')).toBe(true);
    expect(built.xml).toContain('<DESCRIPTION>Beton &amp; staal &lt;fase 2&gt; — Zürich €</DESCRIPTION>');
    expect(built.xml).toContain('controlid="bill-&quot;1&quot;&amp;&lt;2&gt;"');
    expect(built.xml).not.toContain('\u0007');
    expect(built.stripped).toEqual([
      { path: 'request.content.function.create.APBILL.DESCRIPTION', index: 22, codePoint: 7 },
    ]);
    const reparsed = createXmlParser().parse(built.xml);
    expect(reparsed).toMatchObject({
      request: {
        content: {
          function: {
            create: { APBILL: { DESCRIPTION: 'Beton & staal <fase 2> — Zürich €', VENDORID: '00123' } },
          },
        },
      },
    });
  });

  it('repeats elements for arrays and can omit the declaration', () => {
    expect(buildXml({ lines: { line: [{ a: '1' }, { a: '2' }] } }, { declaration: false }).xml).toBe(
      '<lines><line><a>1</a></line><line><a>2</a></line></lines>',
    );
  });

  it('keeps an attribute valued "true" as an attribute with its value (well-formed XML)', () => {
    expect(buildXml({ operation: { '@_transaction': 'true', content: '' } }, { declaration: false }).xml).toBe(
      '<operation transaction="true"><content></content></operation>',
    );
  });

  it('refuses numbers so amounts never pass through binary floating point', () => {
    expect(() => buildXml({ bill: { TOTAL: 0.1 + 0.2 } })).toThrow(/bill\.TOTAL is the number/);
  });
});
