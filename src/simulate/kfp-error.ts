/** gRPC status codes the KFP API server answers with, and the HTTP status grpc-gateway maps each to. */
const GRPC_BY_HTTP: Readonly<Record<number, number>> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 500: 13, 503: 14, 504: 4 };

/** An error of the KFP API, rendered as grpc-gateway's body (plus KFP's own `error_message`). */
export class KfpApiError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'KfpApiError';
  }

  get grpcCode(): number {
    return GRPC_BY_HTTP[this.httpStatus] ?? 2; // 2 = UNKNOWN
  }

  toBody(): { error_message: string; code: number; message: string; details: unknown[] } {
    return { error_message: this.message, code: this.grpcCode, message: this.message, details: [] };
  }
}

export const kfpErrors = {
  invalid: (message: string) => new KfpApiError(400, `Invalid input error: ${message}`),
  notFound: (what: string, id: string) => new KfpApiError(404, `${what} ${id} not found: NotFoundError`),
  unauthenticated: () => new KfpApiError(401, 'Unauthenticated: request has no valid bearer token'),
  injected: (status: number) => new KfpApiError(status, `injected fault: HTTP ${status}`),
};
