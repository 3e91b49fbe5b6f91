import { describe, expect, it } from 'vitest';
import {
  isAllowedExternalUrl,
  isAllowedHostHeader,
  isTrustedSender,
  RENDERER_CSP,
  tokensMatch,
} from './security-policy';

describe('RENDERER_CSP', () => {
  const directives = new Map(
    RENDERER_CSP.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );

  it('denies by default and allows scripts only from the app itself (no inline, no eval)', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(RENDERER_CSP).not.toContain('unsafe-inline');
    expect(RENDERER_CSP).not.toContain('unsafe-eval');
  });

  it('forbids framing, plugins, base-tag hijack and form posts', () => {
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
  });
});

describe('isAllowedExternalUrl', () => {
  const allow = ['help.example.com', 'App.Procore.com'];

  it('allows https URLs on an exactly listed host (case-insensitive)', () => {
    expect(isAllowedExternalUrl('https://help.example.com/guide?x=1#top', allow)).toBe(true);
    expect(isAllowedExternalUrl('https://app.procore.com/', allow)).toBe(true);
    expect(isAllowedExternalUrl('https://HELP.example.com:443/a', allow)).toBe(true);
  });

  it.each([
    ['http (not https)', 'http://help.example.com/'],
    ['a subdomain of a listed host', 'https://evil.help.example.com/'],
    ['a look-alike suffix', 'https://help.example.com.evil.net/'],
    ['credentials in the URL', 'https://user:pw@help.example.com/'],
    ['user-info host confusion', 'https://help.example.com@evil.net/'],
    ['a non-default port', 'https://help.example.com:8443/'],
    ['file URLs', 'file:///etc/passwd'],
    ['javascript URLs', 'javascript:alert(1)'],
    ['relative URLs', '/relative/path'],
    ['garbage', 'not a url'],
  ])('refuses %s', (_label, url) => {
    expect(isAllowedExternalUrl(url, allow)).toBe(false);
  });

  it("the default list opens monday.com's OAuth consent page, and no other monday subdomain", () => {
    expect(isAllowedExternalUrl('https://auth.monday.com/oauth2/authorize?client_id=a&state=b')).toBe(true);
    expect(isAllowedExternalUrl('http://auth.monday.com/oauth2/authorize')).toBe(false);
    expect(isAllowedExternalUrl('https://acme.monday.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://auth.monday.com.evil.net/oauth2/authorize')).toBe(false);
  });
});

describe('isTrustedSender', () => {
  const app = 'file:///opt/ml-connector/resources/app.asar/renderer/index.html';

  it('trusts the app page, with any query or fragment', () => {
    expect(isTrustedSender(app, app)).toBe(true);
    expect(isTrustedSender(`${app}#/audit?flow=F1`, app)).toBe(true);
  });

  it.each([
    ['another local file', 'file:///tmp/evil.html'],
    ['a web page', 'https://example.com/index.html'],
    ['devtools', 'devtools://devtools/bundled/inspector.html'],
    ['an empty URL (destroyed frame)', ''],
    ['no frame', null],
    ['about:blank', 'about:blank'],
  ])('refuses %s', (_label, url) => {
    expect(isTrustedSender(url, app)).toBe(false);
  });
});

describe('tokensMatch', () => {
  it('matches only the exact token', () => {
    expect(tokensMatch('abc123', 'abc123')).toBe(true);
    expect(tokensMatch('abc124', 'abc123')).toBe(false);
    expect(tokensMatch('abc12', 'abc123')).toBe(false);
    expect(tokensMatch('', 'abc123')).toBe(false);
    expect(tokensMatch(undefined, 'abc123')).toBe(false);
    expect(tokensMatch(null, 'abc123')).toBe(false);
  });
});

describe('isAllowedHostHeader', () => {
  it('accepts only our loopback names with our port', () => {
    expect(isAllowedHostHeader('127.0.0.1:4000', 4000)).toBe(true);
    expect(isAllowedHostHeader('localhost:4000', 4000)).toBe(true);
    expect(isAllowedHostHeader('LOCALHOST:4000', 4000)).toBe(true);
    expect(isAllowedHostHeader('127.0.0.1:4001', 4000)).toBe(false);
    expect(isAllowedHostHeader('127.0.0.1', 4000)).toBe(false);
    expect(isAllowedHostHeader('evil.example:4000', 4000)).toBe(false);
    expect(isAllowedHostHeader('[::1]:4000', 4000)).toBe(false);
    expect(isAllowedHostHeader(undefined, 4000)).toBe(false);
  });
});
