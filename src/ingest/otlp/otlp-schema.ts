import protobuf from 'protobufjs';

/**
 * The parts of opentelemetry-proto v1 (collector/{metrics,trace}/v1, metrics/v1, trace/v1, common/v1,
 * resource/v1) mlwarden reads, with their upstream field numbers. Fields left out (exemplars, other
 * metric types, trace and span ids, events, links) are skipped as unknown fields when decoding.
 */
const OTLP_PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
  }
}
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }

enum AggregationTemporality {
  AGGREGATION_TEMPORALITY_UNSPECIFIED = 0;
  AGGREGATION_TEMPORALITY_DELTA = 1;
  AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
}
message Histogram { repeated HistogramDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; }
message Metric { string name = 1; string description = 2; string unit = 3; Histogram histogram = 9; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }

enum StatusCode { STATUS_CODE_UNSET = 0; STATUS_CODE_OK = 1; STATUS_CODE_ERROR = 2; }
message Status { string message = 2; StatusCode code = 3; }
enum SpanKind {
  SPAN_KIND_UNSPECIFIED = 0;
  SPAN_KIND_INTERNAL = 1;
  SPAN_KIND_SERVER = 2;
  SPAN_KIND_CLIENT = 3;
  SPAN_KIND_PRODUCER = 4;
  SPAN_KIND_CONSUMER = 5;
}
message Span {
  string name = 5;
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
`;

const root = protobuf.parse(OTLP_PROTO).root;

export const OTLP_TYPES = {
  metricsRequest: root.lookupType('otlp.ExportMetricsServiceRequest'),
  metricsResponse: root.lookupType('otlp.ExportMetricsServiceResponse'),
  traceRequest: root.lookupType('otlp.ExportTraceServiceRequest'),
  traceResponse: root.lookupType('otlp.ExportTraceServiceResponse'),
};

/** The decoded shapes (protobufjs toObject: lowerCamelCase, 64-bit integers as decimal strings). */
export interface OtlpKeyValue {
  key?: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: string; doubleValue?: number };
}
export interface OtlpScope {
  name?: string;
  version?: string;
}
export interface OtlpHistogramPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  count?: string;
  sum?: number;
  bucketCounts?: string[];
  explicitBounds?: number[];
}
export interface OtlpMetric {
  name?: string;
  unit?: string;
  histogram?: { dataPoints?: OtlpHistogramPoint[]; aggregationTemporality?: number };
}
export interface OtlpMetricsRequest {
  resourceMetrics?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeMetrics?: Array<{ scope?: OtlpScope; metrics?: OtlpMetric[] }> }>;
}
export interface OtlpSpan {
  name?: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
}
export interface OtlpTraceRequest {
  resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ scope?: OtlpScope; spans?: OtlpSpan[] }> }>;
}

export const TEMPORALITY = { delta: 1, cumulative: 2 } as const;
export const SPAN_KIND_SERVER = 2;
export const STATUS_CODE_ERROR = 2;
