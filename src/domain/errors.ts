/** The kinds of failure mlwarden distinguishes; the server maps each to one HTTP status. */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unsupported-media-type'
  | 'overloaded'
  | 'unavailable'
  | 'internal';

/** One reason a piece of input was rejected: where (record index, field path) and why. */
export interface FieldProblem {
  index?: number;
  field: string;
  reason: string;
}

export class MlwardenError extends Error {
  readonly kind: ErrorKind;
  readonly problems: FieldProblem[];
  /** Seconds a client should wait before retrying (overloaded / unavailable). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { problems?: FieldProblem[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MlwardenError';
    this.kind = kind;
    this.problems = options.problems ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isMlwardenError(error: unknown): error is MlwardenError {
  return error instanceof MlwardenError;
}
