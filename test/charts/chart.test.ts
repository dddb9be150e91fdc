/**
 * The Helm chart, rendered by scripts/helm-render (Go text/template + sprig, Helm's engine) with its
 * defaults and with external ClickHouse: values against values.schema.json, every object against
 * the Kubernetes models, and the config it writes against mlwarden's own loadConfig.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { healthRoutes } from '../../src/server/routes/health.js';
import { validate } from './json-schema.js';
import { buildRenderer, CHART, goInstalled, render, renderText, type Manifest } from './helm-render.js';
import { modelFor, shapeErrors } from './kubernetes-shape.js';

const ROOT = join(import.meta.dirname, '../..');
const NAMESPACE = 'observability';
const EXTERNAL = join(import.meta.dirname, 'values-external-clickhouse.yaml');
const MONITORING = 'monitoring.coreos.com/v1';
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));

const yamlFile = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'chart-values-')), 'values.yaml');
  writeFileSync(path, text);
  return path;
};
const schemaErrors = (values: unknown): string[] => validate(schema, values).map((e) => `${e.path.slice(1)} ${e.message}`);
const defaults = (): Record<string, any> => parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
/** Defaults overlaid with an override, the way Helm merges a values file. */
function merged(override: Record<string, any>, base: Record<string, any> = defaults()): Record<string, any> {
  const out = { ...base };
  for (const [k, v] of Object.entries(override)) {
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' ? merged(v, out[k]) : v;
  }
  return out;
}

describe('values.schema.json', () => {
  test.each([
    ['values.yaml', join(CHART, 'values.yaml')],
    ['values-external-clickhouse.yaml', EXTERNAL],
  ])('%s is valid', (_, file) => {
    const values = file === EXTERNAL ? merged(parse(readFileSync(file, 'utf8'))) : defaults();
    expect(schemaErrors(values)).toEqual([]);
  });

  test.each([
    ['embedded storage with two replicas', { replicaCount: 2 }, 'replicaCount must be one of [null,1]: storage.mode embedded runs chDB in one process'],
    ['an ingest token as a plain value', { config: { auth: { ingest_tokens: ['0123456789abcdef0123'] } } }, 'config.auth must not be set: tokens come from Secrets'],
    ['the webhook secret as a plain value', { config: { alerting: { webhook_secret: '0123456789abcdef0123' } } }, 'config.alerting.webhook_secret must not be set: the webhook HMAC key comes from a Secret'],
    ['the KFP token as a plain value', { config: { orchestration: { kfp: { token: 't' } } } }, 'config.orchestration.kfp.token must not be set: the KFP token comes from a Secret'],
    ['the ClickHouse password as a plain value', { storage: { external: { password: 'p' } } }, 'storage.external.password must not be set: the ClickHouse password comes from a Secret'],
    ['a store section written by hand', { config: { store: { url: 'http://ch:8123' } } }, 'config.store must not be set: the chart writes store from storage.*'],
    ['external storage without a URL', { storage: { mode: 'external' }, replicaCount: 2 }, 'storage.external.url must be an absolute URI: storage.mode external needs the ClickHouse HTTP(S) URL'],
    ['a Lease namespace other than the release', { config: { orchestration: { lease: { namespace: 'x' } } } }, 'config.orchestration.lease.namespace is not a known setting'],
    ['a root container', { podSecurityContext: { runAsNonRoot: false } }, 'podSecurityContext.runAsNonRoot must be true'],
    ['an alert file outside the chart', { prometheusRule: { files: ['../alerts/x.yaml'] } }, 'prometheusRule.files[0] must match'],
  ])('rejects %s with a message naming the setting', (_, override, message) => {
    expect(schemaErrors(merged(override)).join('\n')).toContain(message);
  });
});

const requireGo = !goInstalled() && process.env.CI !== undefined;
// Outside CI a machine without Go skips; with CI set a missing Go fails (requireGo).
describe.skipIf(!goInstalled() && !process.env.CI)('the rendered chart', () => {
  let binary: string;
  let byDefault: Manifest[];
  let external: Manifest[];
  const find = (manifests: Manifest[], kind: string, nameSuffix = ''): Manifest => {
    const found = manifests.find((m) => m.kind === kind && String(m.metadata.name).endsWith(nameSuffix));
    if (!found) throw new Error(`no ${kind} named *${nameSuffix} rendered`);
    return found;
  };
  const configOf = (manifests: Manifest[]): string => find(manifests, 'ConfigMap', '-config').data['config.yaml'];

  beforeAll(() => {
    if (requireGo) throw new Error('CI is set but go is not installed: the chart cannot be rendered');
    binary = buildRenderer();
    byDefault = render(binary, { namespace: NAMESPACE });
    external = render(binary, { namespace: NAMESPACE, values: [EXTERNAL], apiVersions: [MONITORING] });
  }, 120_000);

  test('defaults give one embedded replica on a kept PVC and no optional objects', () => {
    const kinds = new Set(byDefault.filter((m) => m.metadata.labels?.grafana_dashboard === undefined).map((m) => m.kind));
    expect([...kinds].sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'PersistentVolumeClaim', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    const deployment = find(byDefault, 'Deployment');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const pvc = find(byDefault, 'PersistentVolumeClaim');
    expect(pvc.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    const claim = deployment.spec.template.spec.volumes.find((v: Manifest) => v.name === 'data');
    expect(claim.persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
  });

  test('external ClickHouse gives the asked replicas, a PDB, the GPU DaemonSet and the monitoring objects', () => {
    expect(find(external, 'Deployment').spec.replicas).toBe(3);
    expect(external.map((m) => m.kind)).toEqual(expect.arrayContaining(['DaemonSet', 'Ingress', 'PodDisruptionBudget', 'ServiceMonitor', 'PrometheusRule']));
    expect(external.some((m) => m.kind === 'PersistentVolumeClaim')).toBe(false);
    const pdb = find(external, 'PodDisruptionBudget');
    expect(pdb.spec.selector.matchLabels).toEqual(find(external, 'Deployment').spec.selector.matchLabels);
  });

  test.each([
    ['defaults', () => byDefault],
    ['external ClickHouse', () => external],
  ])('with %s every built-in object matches its @kubernetes/client-node model', (_, manifests) => {
    for (const m of manifests()) {
      if (m.apiVersion === MONITORING) continue;
      const model = modelFor(m.apiVersion, m.kind);
      expect(model, `${m.apiVersion} ${m.kind} is not a kind the chart should render`).toBeDefined();
      expect(shapeErrors(m, model!), `${m.kind} ${m.metadata?.name}`).toEqual([]);
    }
  });

  test('the shape check catches a misplaced field', () => {
    const deployment = structuredClone(find(byDefault, 'Deployment'));
    deployment.spec.template.spec.containers[0].readOnlyRootFilesystem = true;
    deployment.spec.replicas = '1';
    expect(shapeErrors(deployment, 'V1Deployment')).toEqual(['.spec.replicas must be a number, got "1"', '.spec.template.spec.containers[0].readOnlyRootFilesystem is not a field of V1Container']);
  });

  test('the ServiceMonitor selects the control-plane and GPU collector Services by their port names', () => {
    const monitor = find(external, 'ServiceMonitor');
    expect(monitor.metadata.labels.release).toBe('prometheus');
    const services = external.filter((m) => m.kind === 'Service');
    expect(services).toHaveLength(2);
    for (const service of services) {
      expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
      const ports = service.spec.ports.map((p: Manifest) => p.name);
      expect(monitor.spec.endpoints.some((e: Manifest) => ports.includes(e.port)), service.metadata.name).toBe(true);
    }
    // alerts/platform-rules.yaml selects mlwarden's own metrics by job="mlwarden".
    for (const endpoint of monitor.spec.endpoints) expect(endpoint.relabelings).toContainEqual({ targetLabel: 'job', replacement: 'mlwarden' });
  });

  test('every chart dashboard becomes one ConfigMap the Grafana sidecar picks up', ({ skip }) => {
    const files = readdirSync(join(CHART, 'files/dashboards')).filter((f) => f.endsWith('.json'));
    if (files.length === 0) skip('files/dashboards holds no dashboards yet');
    const maps = byDefault.filter((m) => m.kind === 'ConfigMap' && m.metadata.labels.grafana_dashboard === '1');
    expect(maps.flatMap((m) => Object.keys(m.data)).sort()).toEqual(files.sort());
    expect(new Set(maps.map((m) => m.metadata.name)).size).toBe(files.length);
    for (const m of maps) {
      for (const [file, text] of Object.entries(m.data)) expect(JSON.parse(text as string)).toEqual(JSON.parse(readFileSync(join(CHART, 'files/dashboards', file), 'utf8')));
      // A ConfigMap holds at most 1 MiB.
      expect(Buffer.byteLength(JSON.stringify(m.data))).toBeLessThan(1024 * 1024);
    }
  });

  test('the PrometheusRule holds the groups of the chosen alert file', () => {
    const rule = find(external, 'PrometheusRule');
    const source = parse(readFileSync(join(CHART, 'files/alerts/slo-rules.yaml'), 'utf8'));
    expect(rule.spec).toEqual(source);
    for (const group of rule.spec.groups) {
      expect(group.name).toBeTruthy();
      for (const r of group.rules) expect(typeof (r.record ?? r.alert) === 'string' && typeof r.expr === 'string').toBe(true);
    }
  });

  test('the default PrometheusRule holds mlwarden\'s own alerts', () => {
    const rules = render(binary, { values: [yamlFile('prometheusRule: { enabled: true }\n')], apiVersions: [MONITORING] }).filter((m) => m.kind === 'PrometheusRule');
    expect(rules.map((r) => r.metadata.name)).toEqual(['mlwarden-platform-rules']);
    expect(rules[0]!.spec).toEqual(parse(readFileSync(join(CHART, 'files/alerts/platform-rules.yaml'), 'utf8')));
  });

  test.each([
    ['embedded storage with two replicas', 'replicaCount: 2\n', [], 'storage.mode embedded runs chDB in one process on one data directory, so replicaCount must be 1 (got 2)'],
    ['external storage without a URL', 'storage: { mode: external }\n', [], 'storage.mode external needs storage.external.url'],
    ['a ServiceMonitor without prometheus-operator', 'serviceMonitor: { enabled: true }\n', [], 'need the monitoring.coreos.com/v1 API'],
    ['an alert file the chart lacks', 'prometheusRule: { enabled: true, files: [missing.yaml] }\n', [MONITORING], 'files/alerts/missing.yaml, which the chart does not hold'],
  ])('rendering fails for %s', (_, values, apiVersions, message) => {
    expect(() => renderText(binary, { values: [yamlFile(values)], apiVersions })).toThrow(message);
  });

  test.each([
    ['defaults', () => byDefault],
    ['external ClickHouse', () => external],
  ])('with %s the config YAML loads in mlwarden with the Lease in the release namespace', (_, manifests) => {
    const m = manifests();
    const file = yamlFile(configOf(m));
    const container = find(m, 'Deployment').spec.template.spec.containers[0];
    expect(container.args).toEqual(['serve', '--config', '/etc/mlwarden/config.yaml']);
    const config = loadConfig({ file, env: { MLWARDEN_POD_NAME: 'mlwarden-7d9f-abcde' } });
    expect(config.orchestration.lease.namespace).toBe(NAMESPACE);
    expect(config.orchestration.identity).toBe('mlwarden-7d9f-abcde');
    expect(config.orchestration.cluster).toBe('in-cluster');
    expect(config.server.port).toBe(container.ports[0].containerPort);
  });

  test('spec files in the config are the files the mounted ConfigMaps hold', () => {
    const config = loadConfig({ file: yamlFile(configOf(external)), env: {} });
    const pod = find(external, 'Deployment').spec.template.spec;
    const mounted = (kind: string): string[] => {
      const volume = pod.volumes.find((v: Manifest) => v.configMap?.name === find(external, 'ConfigMap', `-${kind}`).metadata.name);
      const mount = pod.containers[0].volumeMounts.find((v: Manifest) => v.name === volume.name);
      return Object.keys(find(external, 'ConfigMap', `-${kind}`).data).map((f) => `${mount.mountPath}/${f}`);
    };
    expect(config.slo.files).toEqual(mounted('slos'));
    expect(config.orchestration.policy_files).toEqual(mounted('policies'));
    expect(parse(find(external, 'ConfigMap', '-policies').data['rollback.yaml'])).toMatchObject({ kind: 'Policy', metadata: { name: 'rollback-fraud' } });
  });

  test('external storage reaches the store section, its TLS files are the mounted Secret keys', () => {
    const config = loadConfig({ file: yamlFile(configOf(external)), env: {} });
    expect(config.store).toMatchObject({ url: 'https://clickhouse.db.svc:8443', user: 'mlwarden', database: 'telemetry', cluster: 'main' });
    const pod = find(external, 'Deployment').spec.template.spec;
    const tls = pod.containers[0].volumeMounts.find((v: Manifest) => v.name === 'clickhouse-tls');
    expect(pod.volumes.find((v: Manifest) => v.name === 'clickhouse-tls').secret.secretName).toBe('clickhouse-tls');
    expect(config.store.tls).toEqual({ ca_file: `${tls.mountPath}/ca.crt`, cert_file: `${tls.mountPath}/tls.crt`, key_file: `${tls.mountPath}/tls.key` });
  });

  test('credentials reach mlwarden only as env vars from the referenced Secrets, never through a ConfigMap', () => {
    expect(external.some((m) => m.kind === 'Secret')).toBe(false);
    const env: Manifest[] = find(external, 'Deployment').spec.template.spec.containers[0].env;
    const fromSecrets = Object.fromEntries(env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]));
    expect(fromSecrets).toEqual({
      MLWARDEN_INGEST_TOKEN: 'mlwarden-tokens/ingest',
      MLWARDEN_ADMIN_TOKEN: 'mlwarden-tokens/admin',
      MLWARDEN_WEBHOOK_SECRET: 'mlwarden-tokens/webhook',
      MLWARDEN_KFP_TOKEN: 'kfp-credentials/token',
      MLWARDEN_CLICKHOUSE_PASSWORD: 'clickhouse-credentials/password',
    });
    const secret = (name: string): string => `${name.toLowerCase()}-value-0123456789`;
    const config = loadConfig({ file: yamlFile(configOf(external)), env: Object.fromEntries(Object.keys(fromSecrets).map((n) => [n, secret(n)])) });
    expect(config.auth).toEqual({ ingest_tokens: [secret('MLWARDEN_INGEST_TOKEN')], admin_tokens: [secret('MLWARDEN_ADMIN_TOKEN')] });
    expect([config.alerting.webhook_secret, config.orchestration.kfp.token, config.store.password]).toEqual(['MLWARDEN_WEBHOOK_SECRET', 'MLWARDEN_KFP_TOKEN', 'MLWARDEN_CLICKHOUSE_PASSWORD'].map(secret));

    const fromFile = loadConfig({ file: yamlFile(configOf(external)), env: {} });
    expect([fromFile.auth, fromFile.alerting.webhook_secret, fromFile.orchestration.kfp.token, fromFile.store.password]).toEqual([{ ingest_tokens: [], admin_tokens: [] }, undefined, undefined, undefined]);
  });

  test.each([
    ['defaults', () => byDefault],
    ['external ClickHouse', () => external],
  ])('with %s every pod runs non-root on a read-only root with no capabilities and a /tmp emptyDir', (_, manifests) => {
    for (const workload of manifests().filter((m) => m.kind === 'Deployment' || m.kind === 'DaemonSet')) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.volumes.find((v: Manifest) => v.name === 'tmp')).toEqual({ name: 'tmp', emptyDir: {} });
      for (const container of pod.containers) {
        expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(container.volumeMounts).toContainEqual(expect.objectContaining({ name: 'tmp', mountPath: '/tmp' }));
      }
    }
  });

  test('the Deployment runs as the ServiceAccount the RBAC bindings name', () => {
    const account = find(byDefault, 'ServiceAccount').metadata.name;
    expect(find(byDefault, 'Deployment').spec.template.spec.serviceAccountName).toBe(account);
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      expect(find(byDefault, kind).subjects).toEqual([{ kind: 'ServiceAccount', name: account, namespace: NAMESPACE }]);
    }
    expect(find(byDefault, 'Role').metadata.namespace).toBe(NAMESPACE);
  });

  test('the probes hit routes mlwarden serves', async () => {
    const container = find(byDefault, 'Deployment').spec.template.spec.containers[0];
    const app = healthRoutes(async () => ({ ready: true, checks: { store: 'ok' } }));
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(probe.httpGet.port).toBe(container.ports[0].name);
      expect((await app.request(probe.httpGet.path)).status).toBe(200);
    }
  });

  test('the GPU collector DaemonSet sends to the Service, names its node, and exposes its own metrics port', () => {
    const daemonSet = find(external, 'DaemonSet', '-gpu-collector');
    const service = find(external, 'Service', 'mlwarden');
    const pod = daemonSet.spec.template.spec;
    const [container] = pod.containers;
    const arg = (flag: string): string => container.args[container.args.indexOf(flag) + 1];
    expect(container.args.slice(0, 2)).toEqual(['collect', 'gpu']);
    expect(arg('--server')).toBe(`http://${service.metadata.name}.${NAMESPACE}.svc:${service.spec.ports[0].port}`);
    expect(arg('--dcgm-url')).toBe('http://$(HOST_IP):9400/metrics');
    expect(container.env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: Number(arg('--metrics-port')), protocol: 'TCP' }]);
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(pod.tolerations).toContainEqual(expect.objectContaining({ key: 'nvidia.com/gpu' }));
    expect(daemonSet.spec.selector.matchLabels).toEqual(find(external, 'Service', '-gpu-collector').spec.selector);
  });

  test('the Ingress routes to the Service port', () => {
    const ingress = find(external, 'Ingress');
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    const service = find(external, 'Service', 'mlwarden');
    expect(backend.name).toBe(service.metadata.name);
    expect(service.spec.ports.map((p: Manifest) => p.name)).toContain(backend.port.name);
  });

  test('the config checksum annotation follows the config', () => {
    const checksum = (m: Manifest[]): string => find(m, 'Deployment').spec.template.metadata.annotations['checksum/config'];
    const logDebug = render(binary, { namespace: NAMESPACE, values: [yamlFile('config: { log: { level: debug } }\n')] });
    expect(checksum(logDebug)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(logDebug)).not.toBe(checksum(byDefault));
  });
});

describe('chart copies of alerts and dashboards (scripts/sync-chart-files.sh)', () => {
  const copies = (source: string, target: string, ext: string): [string[], string[]] => {
    const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).sort() : []);
    return [list(join(ROOT, source)), list(join(CHART, target))];
  };

  test.for([
    ['alerts', '.yaml', 'files/alerts'],
    ['dashboards/json', '.json', 'files/dashboards'],
  ] as const)('%s/*%s are byte-identical in the chart', ([source, ext, target], { skip }) => {
    if (!existsSync(join(ROOT, source))) skip(`${source}/ does not exist yet: nothing to compare`);
    const [sources, chartFiles] = copies(source, target, ext);
    expect(chartFiles, `run scripts/sync-chart-files.sh`).toEqual(sources);
    for (const f of sources) expect(readFileSync(join(CHART, target, f)).equals(readFileSync(join(ROOT, source, f))), `${target}/${f} differs from ${source}/${f}: run scripts/sync-chart-files.sh`).toBe(true);
  });
});
