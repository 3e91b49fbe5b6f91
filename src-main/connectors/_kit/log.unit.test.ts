import { describe, expect, it } from 'vitest';
import { REDACTED, createLogger, redactString, redactValue, registerSecret } from './log';

const CANARY = 'canary-9f3b2c7e-do-not-log';

describe('redactString', () => {
  it('masks bearer tokens and sensitive header lines anywhere in text', () => {
    expect(redactString(`Authorization: Bearer ${CANARY}\nAccept: json`)).toBe(
      `Authorization: ${REDACTED}\nAccept: json`,
    );
    expect(redactString(`retrying with bearer ${CANARY} now`)).not.toContain(CANARY);
    expect(redactString(`Cookie: .ASPXAUTH=${CANARY}; other=1`)).toBe(`Cookie: ${REDACTED}`);
    expect(redactString(`x-api-key: ${CANARY}`)).toBe(`x-api-key: ${REDACTED}`);
  });

  it('masks credential fields in query strings and form bodies, leaving other fields readable', () => {
    const url = `https://start.exactonline.nl/callback?code=${CANARY}&state=abc`;
    expect(redactString(url)).toBe(`https://start.exactonline.nl/callback?code=${REDACTED}&state=abc`);
    const form = `grant_type=refresh_token&refresh_token=${CANARY}&client_id=app&client_secret=${CANARY}`;
    expect(redactString(form)).toBe(
      `grant_type=refresh_token&refresh_token=${REDACTED}&client_id=app&client_secret=${REDACTED}`,
    );
    expect(redactString('errorcode=5&barcode=123')).toBe('errorcode=5&barcode=123');
    expect(
      redactString(`grant_type=authorization_code&code=${CANARY}&code_verifier=${CANARY}`),
    ).not.toContain(CANARY);
  });

  it('masks credential fields inside JSON text', () => {
    const json = JSON.stringify({
      access_token: CANARY,
      token_type: 'bearer',
      expires_in: 600,
      refresh_token: `a\\"${CANARY}`,
    });
    const redacted = redactString(json);
    expect(redacted).not.toContain(CANARY);
    expect(JSON.parse(redacted)).toEqual({
      access_token: REDACTED,
      token_type: 'bearer',
      expires_in: 600,
      refresh_token: REDACTED,
    });
  });

  it('keeps vendor error codes in JSON readable (OAuth codes travel in URLs and form bodies)', () => {
    const body =
      '{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED"}}]}';
    expect(redactString(body)).toBe(body);
    expect(redactValue({ code: 'ECONNRESET' })).toEqual({ code: 'ECONNRESET' });
  });

  it('masks Intacct XML credential elements', () => {
    const xml =
      `<control><senderid>ml</senderid><password>${CANARY}</password></control>` +
      `<authentication><login><userid>u</userid><password>${CANARY}</password></login><sessionid>${CANARY}</sessionid></authentication>` +
      `<senderpassword>${CANARY}</senderpassword><userpassword a="1">${CANARY}</userpassword>`;
    const redacted = redactString(xml);
    expect(redacted).not.toContain(CANARY);
    expect(redacted).toContain('<senderid>ml</senderid>');
    expect(redacted).toContain(`<userpassword a="1">${REDACTED}</userpassword>`);
  });

  it('masks registered secret values wherever they appear, raw or URL-encoded', () => {
    const secret = 'p@ss word/with+odd=chars';
    registerSecret(secret);
    expect(redactString(`the value ${secret} leaked`)).toBe(`the value ${REDACTED} leaked`);
    expect(redactString(`q=${encodeURIComponent(secret)}`)).toBe(`q=${REDACTED}`);
  });

  it('ignores very short registered values (they would mask ordinary words)', () => {
    registerSecret('abc');
    expect(redactString('abcdef')).toBe('abcdef');
  });
});

describe('redactValue', () => {
  it('masks secret keys case-insensitively in nested objects, arrays and errors, without mutating input', () => {
    const input = {
      headers: { Authorization: `Bearer ${CANARY}`, 'Set-Cookie': [CANARY], accept: 'application/json' },
      list: [{ Password: CANARY }],
      error: new Error(`failed with token Bearer ${CANARY}`),
    };
    const output = redactValue(input);
    expect(JSON.stringify(output)).not.toContain(CANARY);
    expect(output).toMatchObject({
      headers: { Authorization: REDACTED, 'Set-Cookie': REDACTED, accept: 'application/json' },
      list: [{ Password: REDACTED }],
    });
    expect(input.headers.Authorization).toBe(`Bearer ${CANARY}`);
  });

  it('survives circular references', () => {
    const node: Record<string, unknown> = { name: 'loop' };
    node['self'] = node;
    expect(redactValue(node)).toEqual({ name: 'loop', self: '[Circular]' });
  });
});

describe('createLogger', () => {
  it('writes one redacted JSON line per call at or above the level, with child fields', () => {
    const lines: string[] = [];
    const logger = createLogger({
      sink: (line) => lines.push(line),
      level: 'info',
      now: () => Date.UTC(2026, 0, 1),
      fields: { app: 'ml' },
    });
    logger.debug('hidden');
    logger
      .child({ api: 'procore' })
      .warn('http error', { url: `https://x/?access_token=${CANARY}`, status: 500 });
    expect(lines).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(CANARY);
    expect(JSON.parse(lines[0]!)).toEqual({
      app: 'ml',
      api: 'procore',
      url: `https://x/?access_token=${REDACTED}`,
      status: 500,
      time: '2026-01-01T00:00:00.000Z',
      level: 'warn',
      msg: 'http error',
    });
  });
});
