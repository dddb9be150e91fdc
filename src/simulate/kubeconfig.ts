/**
 * A kubeconfig for the emulator in the shape `KubeConfig.loadFromOptions()` of
 * `@kubernetes/client-node` takes (kept a plain object: only orchestration imports the client).
 */
export interface EmulatorKubeConfig {
  clusters: Array<{ name: string; server: string; skipTLSVerify: boolean }>;
  users: Array<{ name: string; token: string }>;
  contexts: Array<{ name: string; cluster: string; user: string; namespace: string }>;
  currentContext: string;
}

export const EMULATOR_CONTEXT = 'mlwarden-emulator';

export function emulatorKubeConfig(url: string, namespace = 'default'): EmulatorKubeConfig {
  return {
    clusters: [{ name: EMULATOR_CONTEXT, server: url, skipTLSVerify: true }],
    users: [{ name: EMULATOR_CONTEXT, token: 'emulator' }],
    contexts: [{ name: EMULATOR_CONTEXT, cluster: EMULATOR_CONTEXT, user: EMULATOR_CONTEXT, namespace }],
    currentContext: EMULATOR_CONTEXT,
  };
}

/** The same kubeconfig as YAML, for `KubeConfig.loadFromString()` or a file. */
export function emulatorKubeConfigYaml(url: string, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${EMULATOR_CONTEXT}`,
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${EMULATOR_CONTEXT}`,
    '  user:',
    '    token: emulator',
    'contexts:',
    `- name: ${EMULATOR_CONTEXT}`,
    '  context:',
    `    cluster: ${EMULATOR_CONTEXT}`,
    `    user: ${EMULATOR_CONTEXT}`,
    `    namespace: ${namespace}`,
    `current-context: ${EMULATOR_CONTEXT}`,
    '',
  ].join('\n');
}
