/**
 * No Docker engine runs here, so the compose file is checked for what can be checked without
 * one: it parses, every service has an image or a buildable Dockerfile whose command exists,
 * environment names are keys of the config schema, and the snapshotter can be scaled.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONFIG_KEYS } from '@linksnap/shared';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string | string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  ports?: string[];
  container_name?: string;
}

const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

/** The CMD of a Dockerfile as an argv array, with the WORKDIR it runs in. */
function dockerCommand(dockerfile: string): { cmd: string[]; workdir: string } {
  const text = readFileSync(dockerfile, 'utf8');
  const cmdLine = text
    .split('\n')
    .filter((l) => l.startsWith('CMD '))
    .pop();
  assert.ok(cmdLine, `${dockerfile} has no CMD`);
  const workdirs = text.split('\n').filter((l) => l.startsWith('WORKDIR '));
  return {
    cmd: JSON.parse(cmdLine.slice(4)) as string[],
    workdir: (workdirs.pop() ?? 'WORKDIR /app').slice(8).trim(),
  };
}

describe('docker-compose.yml', () => {
  it('declares postgres, redis, minio with bucket creation, api and snapshotter', () => {
    for (const name of ['postgres', 'redis', 'minio', 'minio-init', 'api', 'snapshotter']) {
      assert.ok(services[name], `service ${name} is missing`);
    }
    assert.match(JSON.stringify(services['minio-init']?.command), /mc mb --ignore-existing local\/linksnap/);
  });

  it('runs redis with noeviction and append-only persistence', () => {
    const command = ((services.redis?.command ?? []) as string[]).join(' ');
    assert.match(command, /--maxmemory-policy noeviction/);
    assert.match(command, /--appendonly yes/);
  });

  it('builds api and snapshotter from Dockerfiles whose command exists in the repository', () => {
    for (const name of ['api', 'snapshotter']) {
      const build = services[name]?.build;
      assert.ok(build, `${name} has no build`);
      const dockerfile = path.join(root, build.context, build.dockerfile);
      assert.ok(existsSync(dockerfile), `${dockerfile} does not exist`);
      const { cmd, workdir } = dockerCommand(dockerfile);
      assert.equal(cmd[0], 'node');
      // Compiled JavaScript, the shared package through its `production` export (ADR 0022).
      assert.ok(cmd.includes('--conditions=production'), `${name} runs without the production condition`);
      assert.ok(!cmd.includes('tsx'), `${name} runs through a TypeScript loader`);
      const script = cmd.at(-1) as string;
      assert.match(script, /^dist\/.+\.js$/);
      const pkgDir = path.join(root, path.relative('/app', workdir));
      const source = path.join(pkgDir, script.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'));
      assert.ok(existsSync(source), `${name} runs ${script}, compiled from ${source}, which does not exist`);
      const text = readFileSync(dockerfile, 'utf8');
      const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
      assert.ok(text.includes(`--filter ${pkg.name} run build`), `${dockerfile} does not build ${pkg.name}`);
      assert.ok(text.includes(`COPY --from=build /app/services/${name}/dist`), `${dockerfile} does not keep dist/`);
      for (const copied of readFileSync(dockerfile, 'utf8').matchAll(/^COPY (\S+) /gm)) {
        const source = copied[1] as string;
        if (source.startsWith('--')) continue;
        assert.ok(existsSync(path.join(root, source)), `${dockerfile} copies ${source}, which does not exist`);
      }
    }
  });

  it('gives api and snapshotter only environment names the config schema knows', () => {
    for (const name of ['api', 'snapshotter']) {
      const env = services[name]?.environment ?? {};
      const unknown = Object.keys(env).filter((key) => !CONFIG_KEYS.includes(key as never));
      assert.deepEqual(unknown, [], `${name} sets unknown variables`);
      for (const key of ['REDIS_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET']) {
        assert.ok(key in env, `${name} lacks ${key}`);
      }
    }
    assert.match(String(services.api?.environment?.DATABASE_URL), /^postgres:\/\/.+@postgres:5432\//);
    assert.equal(
      'DATABASE_URL' in (services.snapshotter?.environment ?? {}),
      false,
      'the snapshotter never talks to PostgreSQL',
    );
  });

  it('lets the snapshotter scale: no fixed name, no host ports', () => {
    assert.equal(services.snapshotter?.container_name, undefined);
    assert.equal(services.snapshotter?.ports, undefined);
  });

  it('waits on healthy dependencies that declare healthchecks, with named volumes for data', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(services[dep], `${name} depends on unknown ${dep}`);
        if (condition === 'service_healthy') assert.ok(services[dep]?.healthcheck, `${dep} has no healthcheck`);
      }
    }
    for (const volume of ['postgres-data', 'redis-data', 'minio-data']) assert.ok(volume in compose.volumes);
  });
});
