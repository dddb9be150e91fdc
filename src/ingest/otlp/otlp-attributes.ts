import type { OtlpKeyValue } from './otlp-schema.js';

export type AttributeValue = string | number | boolean;
export type Attributes = ReadonlyMap<string, AttributeValue>;

/** KeyValues as a map of scalar values (arrays and maps carry nothing mlwarden maps, so they are left out). */
export function attributesOf(list: readonly OtlpKeyValue[] | undefined): Attributes {
  const map = new Map<string, AttributeValue>();
  for (const { key, value } of list ?? []) {
    if (key === undefined || value === undefined) continue;
    const scalar = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue === undefined ? undefined : Number(value.intValue));
    if (scalar !== undefined) map.set(key, scalar);
  }
  return map;
}

/** The request identity mlwarden keys telemetry by. */
export interface RequestIdentity {
  model: string;
  version: string;
  endpoint: string;
  namespace: string;
}

/** The first of `keys` set on the data point (or span), else on its resource; the key order is the priority. */
function firstOf(keys: readonly string[], own: Attributes, resource: Attributes): string {
  for (const key of keys) {
    const value = own.get(key) ?? resource.get(key);
    if (value !== undefined && value !== '') return String(value);
  }
  return '';
}

export function requestIdentity(own: Attributes, resource: Attributes): RequestIdentity {
  return {
    model: firstOf(['mlwarden.model', 'model.name', 'service.name'], own, resource),
    version: firstOf(['mlwarden.model.version', 'model.version', 'service.version'], own, resource),
    endpoint: firstOf(['http.route'], own, resource),
    namespace: firstOf(['k8s.namespace.name'], own, resource),
  };
}

/** The HTTP response status (semconv http.response.status_code, or the older http.status_code), if any. */
export function httpStatus(own: Attributes): number | undefined {
  const value = own.get('http.response.status_code') ?? own.get('http.status_code');
  const status = Number(value);
  return value === undefined || value === '' || !Number.isInteger(status) ? undefined : status;
}

/** Epoch milliseconds of a nanosecond timestamp given as a decimal string (exact, no float rounding of the nanos). */
export function nanosToMs(nanos: string | undefined): number {
  return nanos === undefined ? 0 : Number(BigInt(nanos) / 1_000_000n);
}
