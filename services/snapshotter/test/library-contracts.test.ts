/**
 * Contract with puppeteer-cluster's internals: context-concurrency.ts imports its
 * SingleBrowserImplementation from `dist/` (not exported from the package root) and overrides
 * the hooks it calls per job, and patches/ changes its repair. An upgrade that moves the file,
 * renames a hook or drops the patch fails here by name.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import sbi from 'puppeteer-cluster/dist/concurrency/SingleBrowserImplementation.js';

const require = createRequire(import.meta.url);
const version = require('puppeteer-cluster/package.json').version as string;

describe(`puppeteer-cluster ${version} internals that context-concurrency.ts relies on`, () => {
  const Base = (sbi as unknown as { default: { prototype: Record<string, unknown> } }).default;

  it('is the version the patch in patches/ was written for', () => {
    assert.equal(version, '0.25.0', 'a new puppeteer-cluster needs patches/ and this contract re-checked');
  });

  it('exports SingleBrowserImplementation from dist/ with the lifecycle we extend', () => {
    assert.equal(typeof Base, 'function');
    for (const method of ['init', 'close', 'repair', 'workerInstance']) {
      assert.equal(typeof Base.prototype[method], 'function', `${method} exists`);
    }
  });

  it('asks subclasses for each job’s resources through createResources and freeResources', () => {
    const source = String(Base.prototype.workerInstance);
    assert.match(source, /this\.createResources\(\)/);
    assert.match(source, /this\.freeResources\(/);
    assert.match(String(Base.prototype.init), /this\.browser = /, 'init keeps the browser on `this.browser`');
  });

  it('carries our repair patch (a failed relaunch releases the jobs waiting for it)', () => {
    assert.match(String(Base.prototype.repair), /LinkSnap patch/);
  });
});
