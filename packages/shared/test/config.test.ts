import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../src/index.js';

describe('config', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = parseConfig({});
    assert.equal(config.PORT, 3000);
    assert.equal(config.HOST, '127.0.0.1');
    assert.equal(config.DATA_DIR, path.resolve('./data'));
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.REDIS_URL, undefined);
    assert.equal(config.S3_ENDPOINT, undefined);
    assert.equal(config.CHROMIUM_PATH, '/usr/bin/chromium');
    assert.deepEqual(config.EGRESS_ALLOW, []);
  });

  it('names every offending key in one error', () => {
    assert.throws(
      () => parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', CAPTURE_CONCURRENCY: '0' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const keys = err.issues.map((i) => i.key).sort();
        assert.deepEqual(keys, ['CAPTURE_CONCURRENCY', 'DATABASE_URL', 'PORT']);
        assert.match(err.message, /PORT/);
        return true;
      },
    );
  });

  it('parses EGRESS_ALLOW host:port lists and rejects malformed entries', () => {
    assert.deepEqual(parseConfig({ EGRESS_ALLOW: '127.0.0.1:8080, LOCALHOST:9000' }).EGRESS_ALLOW, [
      '127.0.0.1:8080',
      'localhost:9000',
    ]);
    assert.throws(() => parseConfig({ EGRESS_ALLOW: '127.0.0.1' }), ConfigError);
  });

  it('captures clean and light by default, and rejects unknown formats and switches', () => {
    const config = parseConfig({});
    assert.equal(config.SCREENSHOT_FORMAT, 'webp');
    assert.equal(config.CAPTURE_CONSENT, true);
    assert.equal(config.ADBLOCK, true);
    assert.equal(config.CAPTURE_MODE, 'full');
    assert.deepEqual(config.CAPTURE_FORMATS, ['screenshot', 'pdf', 'mhtml', 'html', 'wacz']);
    const light = parseConfig({ CAPTURE_FORMATS: 'screenshot, pdf', ADBLOCK: 'false', ADBLOCK_LISTS: 'a.txt,b.txt' });
    assert.deepEqual(light.CAPTURE_FORMATS, ['screenshot', 'pdf']);
    assert.equal(light.ADBLOCK, false);
    assert.deepEqual(light.ADBLOCK_LISTS, ['a.txt', 'b.txt']);
    assert.throws(
      () => parseConfig({ CAPTURE_FORMATS: 'gif', SCREENSHOT_FORMAT: 'jpeg', CAPTURE_CONSENT: 'maybe' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.issues.map((i) => i.key).sort(), [
          'CAPTURE_CONSENT',
          'CAPTURE_FORMATS',
          'SCREENSHOT_FORMAT',
        ]);
        return true;
      },
    );
  });

  it('believes no proxy by default, and reads TRUST_PROXY as all, hops or addresses', () => {
    assert.equal(parseConfig({}).TRUST_PROXY, false);
    assert.equal(parseConfig({ TRUST_PROXY: ' ' }).TRUST_PROXY, false);
    assert.equal(parseConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY, false);
    assert.equal(parseConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY, true);
    assert.deepEqual(parseConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).TRUST_PROXY, ['10.0.0.0/8', '127.0.0.1']);
    const hops = parseConfig({ TRUST_PROXY: '1' }).TRUST_PROXY;
    assert.equal(typeof hops, 'function');
    if (typeof hops !== 'function') return;
    assert.equal(hops('172.18.0.2', 0), true);
    assert.equal(hops('203.0.113.9', 1), false);
  });

  it('requires S3 credentials with an S3 endpoint', () => {
    assert.throws(() => parseConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000' }), /S3_ACCESS_KEY/);
  });
});
