import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, normalizeUrl, parseHttpUrl } from '../src/index.js';

describe('parseHttpUrl', () => {
  const rejected: [string, RegExp][] = [
    ['', /empty/],
    ['example.com', /parsed/],
    ['ftp://example.com/file', /Only http and https/],
    ['file:///etc/passwd', /Only http and https/],
    ['javascript:alert(1)', /Only http and https/],
    ['data:text/html,hi', /Only http and https/],
    ['http://user:pass@example.com/', /credentials/],
    ['http://user@example.com/', /credentials/],
    [`https://example.com/${'a'.repeat(2100)}`, /longer/],
  ];
  for (const [input, reason] of rejected) {
    it(`rejects ${JSON.stringify(input.slice(0, 40))} with INVALID_URL`, () => {
      assert.throws(
        () => parseHttpUrl(input),
        (err: unknown) => err instanceof AppError && err.code === 'INVALID_URL' && reason.test(err.detail),
      );
    });
  }

  it('accepts upper-case schemes and canonicalises numeric hosts', () => {
    assert.equal(parseHttpUrl('HTTP://EXAMPLE.com').href, 'http://example.com/');
    assert.equal(parseHttpUrl('http://2130706433/').hostname, '127.0.0.1');
    assert.equal(parseHttpUrl('http://0x7f.1/').hostname, '127.0.0.1');
  });
});

describe('normalizeUrl', () => {
  const cases: [string, string][] = [
    ['HTTP://Example.COM', 'http://example.com/'],
    ['https://example.com:443/a', 'https://example.com/a'],
    ['http://example.com:80/a', 'http://example.com/a'],
    ['http://example.com:8080/a', 'http://example.com:8080/a'],
    ['https://example.com/a#section', 'https://example.com/a'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com/?utm_source=x&utm_medium=y', 'https://example.com/'],
    ['https://example.com/p?b=2&utm_campaign=z&a=1', 'https://example.com/p?b=2&a=1'],
    ['https://example.com/p?fbclid=abc', 'https://example.com/p'],
    ['https://example.com/p?gclid=abc&id=7', 'https://example.com/p?id=7'],
    ['https://example.com/p?z=1&a=2', 'https://example.com/p?z=1&a=2'],
    ['https://bücher.example/', 'https://xn--bcher-kva.example/'],
    ['https://例子.测试/路径', 'https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84'],
    ['https://example.com/a/../b', 'https://example.com/b'],
    ['https://example.com/p?', 'https://example.com/p'],
    ['https://EXAMPLE.com./x', 'https://example.com./x'],
    ['https://example.com/p?UTM_SOURCE=x&q=%20a', 'https://example.com/p?q=+a'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => assert.equal(normalizeUrl(input), expected));
  }
});
