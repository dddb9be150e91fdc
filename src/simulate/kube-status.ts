import type { ResourceType } from './resource-registry.js';

/** A Kubernetes `Status` object (kind Status, apiVersion v1). */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string };
  code: number;
}

/** An API error that renders itself as the Status body the real API server sends. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: KubeStatus['details'],
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  toStatus(): KubeStatus {
    const status: KubeStatus = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) status.details = this.details;
    return status;
  }
}

/** `jobs.batch`, or `pods` for the core group: how the API server names a resource in messages. */
export function qualifiedResource(resource: ResourceType): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

function detailsOf(resource: ResourceType, name: string): KubeStatus['details'] {
  return resource.group === '' ? { name, kind: resource.plural } : { name, group: resource.group, kind: resource.plural };
}

export const kubeErrors = {
  notFound: (resource: ResourceType, name: string) =>
    new KubeApiError(404, 'NotFound', `${qualifiedResource(resource)} "${name}" not found`, detailsOf(resource, name)),
  alreadyExists: (resource: ResourceType, name: string) =>
    new KubeApiError(409, 'AlreadyExists', `${qualifiedResource(resource)} "${name}" already exists`, detailsOf(resource, name)),
  conflict: (resource: ResourceType, name: string, why: string) =>
    new KubeApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": ${why}`,
      detailsOf(resource, name),
    ),
  invalid: (resource: ResourceType, name: string, why: string) =>
    new KubeApiError(422, 'Invalid', `${resource.kind} "${name}" is invalid: ${why}`, detailsOf(resource, name)),
  badRequest: (message: string) => new KubeApiError(400, 'BadRequest', message),
  unprocessable: (message: string) => new KubeApiError(422, 'Invalid', message),
  unsupportedMediaType: (contentType: string, accepted: readonly string[]) =>
    new KubeApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format (${contentType}) - accepted media types include: ${accepted.join(', ')}`,
    ),
  expired: (requested: number, oldest: number) =>
    new KubeApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`),
  pathNotFound: (path: string) => new KubeApiError(404, 'NotFound', `the server could not find the requested resource (${path})`),
  methodNotAllowed: (method: string) =>
    new KubeApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`),
};
