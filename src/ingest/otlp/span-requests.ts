import { attributesOf, httpStatus, nanosToMs, requestIdentity, type Attributes, type RequestIdentity } from './otlp-attributes.js';
import type { ExportItem } from './export-items.js';
import { SPAN_KIND_SERVER, STATUS_CODE_ERROR, type OtlpSpan, type OtlpTraceRequest } from './otlp-schema.js';

const FEATURE_PREFIX = 'mlwarden.feature.';
const PREDICTION = 'mlwarden.prediction';

export interface TracesMapping {
  items: ExportItem[];
  /** Spans that are not SERVER spans (not an error). */
  ignored: number;
}

/** ExportTraceServiceRequest → one raw request per SERVER span, plus its feature observations. */
export function spanRequests(request: OtlpTraceRequest): TracesMapping {
  const mapping: TracesMapping = { items: [], ignored: 0 };
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        if (span.kind === SPAN_KIND_SERVER) mapping.items.push(spanItem(span, resource));
        else mapping.ignored++;
      }
    }
  }
  return mapping;
}

function spanItem(span: OtlpSpan, resource: Attributes): ExportItem {
  const own = attributesOf(span.attributes);
  const identity = requestIdentity(own, resource);
  const ts = nanosToMs(span.endTimeUnixNano);
  const status = httpStatus(own);
  const latencyNanos = BigInt(span.endTimeUnixNano ?? 0) - BigInt(span.startTimeUnixNano ?? 0);
  const request = {
    ts,
    ...identity,
    latency_ms: Number(latencyNanos) / 1e6,
    ...(status === undefined ? { ok: span.status?.code !== STATUS_CODE_ERROR } : { status }),
  };
  return { what: `span "${(span.name ?? '').slice(0, 60)}"`, requests: [request], features: featureRecords(own, identity, ts) };
}

/** `mlwarden.feature.<name>` (and `mlwarden.prediction`, as feature "prediction"): numbers are values, strings categories. */
function featureRecords(own: Attributes, identity: RequestIdentity, ts: number): unknown[] {
  const records: unknown[] = [];
  for (const [key, value] of own) {
    const feature = key === PREDICTION ? 'prediction' : key.startsWith(FEATURE_PREFIX) ? key.slice(FEATURE_PREFIX.length) : undefined;
    if (!feature || typeof value === 'boolean') continue;
    const observation = typeof value === 'number' ? { value } : { category: value };
    records.push({ ts, model: identity.model, version: identity.version, feature, ...observation });
  }
  return records;
}
