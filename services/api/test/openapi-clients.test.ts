import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { OpenAPI3 } from 'openapi-typescript';
import {
  openApiDocument,
  REGENERATE_COMMAND,
  renderClientSchema,
  SCHEMA_FILE,
} from '../scripts/generate-api-client.js';
import { OPERATIONS } from '../src/http/operations.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const redocly = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));

describe('OpenAPI document for generated clients', () => {
  let document: OpenAPI3;
  let dir: string;

  before(async () => {
    document = await openApiDocument();
    dir = mkdtempSync(path.join(os.tmpdir(), 'linksnap-openapi-lint-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('passes redocly lint with the committed rules (redocly.yaml) without an error or a warning', () => {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const lint = spawnSync(
      redocly,
      ['lint', file, '--config', path.join(repoRoot, 'redocly.yaml'), '--format', 'json'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      },
    );
    const report = JSON.parse(lint.stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    assert.equal(report.totals.errors, 0, JSON.stringify(report.problems, null, 2));
    assert.equal(report.totals.warnings, 0, JSON.stringify(report.problems, null, 2));
    assert.equal(lint.status, 0, lint.stderr);
  });

  test('gives every operation an operationId, a summary and a declared tag, each named in operations.ts', () => {
    const declared = new Set((document.tags ?? []).map((tag) => tag.name));
    const documented: string[] = [];
    for (const [url, item] of Object.entries(document.paths ?? {})) {
      for (const [method, operation] of Object.entries(item as Record<string, Record<string, unknown>>)) {
        const route = `${method.toUpperCase()} ${url.replace(/\{([^}]+)\}/g, ':$1')}`;
        documented.push(route);
        assert.equal(operation.operationId, OPERATIONS[route]?.operationId, route);
        assert.ok(operation.summary, `${route} has a summary`);
        assert.ok(declared.has((operation.tags as string[])[0] as string), `${route}'s tag is declared`);
      }
    }
    // A table entry for a route that no longer exists is a stale name.
    assert.deepEqual(documented.sort(), Object.keys(OPERATIONS).sort());
    assert.ok(document.servers?.length, 'the document names its server');
  });

  test('the committed client types are what the generator writes from the current document', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const current = await renderClientSchema(document);
    assert.ok(
      committed === current,
      `${path.relative(repoRoot, SCHEMA_FILE)} is stale: the API's document changed. Run \`${REGENERATE_COMMAND}\` and commit the result.`,
    );
  });
});
