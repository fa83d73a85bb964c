/**
 * The Kubernetes manifests under deploy/ stay true to the code: every YAML document parses,
 * has a known kind, container commands name entry files that exist, every environment name
 * is a config key, the API is probed on /healthz and /readyz, and KEDA watches the real
 * BullMQ wait list of a Deployment that exists.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONFIG_KEYS, SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KINDS = new Set(['Deployment', 'Service', 'ConfigMap', 'Secret', 'ScaledObject', 'TriggerAuthentication']);

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML
type Manifest = Record<string, any>;

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yamlFiles(full, out);
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

function manifests(): { file: string; doc: Manifest }[] {
  return yamlFiles(path.join(root, 'deploy')).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
      assert.deepEqual(d.errors, [], `${file} parses`);
      return { file, doc: d.toJSON() as Manifest };
    }),
  );
}

describe('deploy/ manifests', () => {
  const all = manifests();
  const byKind = (kind: string) => all.filter((m) => m.doc.kind === kind).map((m) => m.doc);
  const keys = new Set<string>(CONFIG_KEYS);

  it('are known kinds with names', () => {
    assert.ok(all.length >= 6, `found ${all.length} documents`);
    for (const { file, doc } of all) {
      assert.ok(KINDS.has(doc.kind), `${file}: kind ${doc.kind}`);
      assert.ok(doc.metadata?.name, `${file}: ${doc.kind} has a name`);
    }
    const names = byKind('Deployment').map((d) => d.metadata.name);
    assert.deepEqual(names.sort(), ['linksnap-api', 'linksnap-snapshotter']);
  });

  it('run commands that exist in the repository, with config keys as environment', () => {
    const configMaps = new Map(byKind('ConfigMap').map((c) => [c.metadata.name, c]));
    const secrets = new Map(byKind('Secret').map((s) => [s.metadata.name, s]));
    for (const c of configMaps.values())
      for (const k of Object.keys(c.data)) assert.ok(keys.has(k), `ConfigMap key ${k}`);
    for (const s of secrets.values())
      for (const k of Object.keys(s.stringData)) assert.ok(keys.has(k), `Secret key ${k}`);
    for (const deployment of byKind('Deployment')) {
      for (const container of deployment.spec.template.spec.containers) {
        const [node, ...args] = container.command as string[];
        assert.equal(node, 'node');
        assert.ok(args.includes('--conditions=production'), `${deployment.metadata.name} runs compiled code`);
        const entry = args.at(-1) as string;
        const dir = path.join(root, path.relative('/app', container.workingDir));
        const source = entry.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
        assert.ok(
          existsSync(path.join(dir, source)),
          `${deployment.metadata.name}: ${entry} is built from ${source} in ${dir}`,
        );
        for (const env of container.env ?? []) assert.ok(keys.has(env.name), `env ${env.name} is a config key`);
        for (const from of container.envFrom ?? []) {
          if (from.configMapRef) assert.ok(configMaps.has(from.configMapRef.name), from.configMapRef.name);
          if (from.secretRef) assert.ok(secrets.has(from.secretRef.name), from.secretRef.name);
        }
        for (const env of container.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (ref) assert.ok(secrets.get(ref.name)?.stringData[ref.key], `secret ${ref.name}/${ref.key}`);
        }
        assert.ok(container.resources?.requests && container.resources?.limits, 'resources are set');
      }
    }
  });

  it('probe the API on /healthz and /readyz and expose it through a Service', () => {
    const api = byKind('Deployment').find((d) => d.metadata.name === 'linksnap-api');
    const container = api?.spec.template.spec.containers[0];
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    const service = byKind('Service').find((s) => s.metadata.name === 'linksnap-api');
    assert.deepEqual(service?.spec.selector, api?.spec.selector.matchLabels);
  });

  it('scale snapshotters with KEDA on the BullMQ wait list', () => {
    const [scaled] = byKind('ScaledObject');
    assert.ok(scaled);
    assert.equal(scaled.spec.scaleTargetRef.name, 'linksnap-snapshotter');
    const trigger = scaled.spec.triggers[0];
    assert.equal(trigger.type, 'redis');
    const prefix = byKind('ConfigMap')[0]?.data.QUEUE_PREFIX;
    assert.equal(trigger.metadata.listName, `${prefix}:${SNAPSHOTS_QUEUE}:wait`);
  });
});
