import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

/**
 * mlwarden's own spans (ingest, SLO and drift evaluation). Without an OpenTelemetry SDK registered
 * these are no-ops; main.ts starts one when OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is set.
 */
const tracer = trace.getTracer('mlwarden');

/** Runs fn inside a span; an error marks the span failed and is rethrown unchanged. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
