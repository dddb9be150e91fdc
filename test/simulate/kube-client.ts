import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { afterEach, beforeEach } from 'vitest';
import { startKubeApiEmulator, type KubeApiEmulator, type KubeApiEmulatorOptions, type KubeStatus } from '../../src/simulate/index.js';

/** The real client-node APIs, pointed at a fresh emulator. */
export interface KubeClients {
  emulator: KubeApiEmulator;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  batch: BatchV1Api;
  apps: AppsV1Api;
  coordination: CoordinationV1Api;
  custom: CustomObjectsApi;
  watch: Watch;
}

export async function connect(options: KubeApiEmulatorOptions = {}): Promise<KubeClients> {
  const emulator = await startKubeApiEmulator(options);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions(emulator.kubeConfig());
  return {
    emulator,
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    batch: kubeConfig.makeApiClient(BatchV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    watch: new Watch(kubeConfig),
  };
}

/** A fresh emulator and clients per test; `clients()` reads the current one. */
export function useEmulator(options: KubeApiEmulatorOptions = {}): () => KubeClients {
  let current: KubeClients | undefined;
  beforeEach(async () => {
    current = await connect(options);
  });
  afterEach(async () => {
    await current?.emulator.close();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('the emulator is not running (use clients() inside a test)');
    return current;
  };
}

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

/** The Status body of a failed call, or a thrown error if the call succeeded. */
export async function failure(call: Promise<unknown>): Promise<KubeStatus> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? (JSON.parse(error.body) as KubeStatus) : (error.body as KubeStatus);
    if (body.code !== error.code) throw new Error(`HTTP ${error.code} but Status code ${body.code}`);
    return body;
  }
  throw new Error('expected the call to fail');
}
