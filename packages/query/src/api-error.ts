// Errors of the Prometheus-compatible HTTP API: each carries the `errorType` Prometheus
// reports and the HTTP status code that goes with it.

export type ApiErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'not_found';

const STATUS: Record<ApiErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  // Prometheus's "client closed request".
  canceled: 499,
  internal: 500,
  not_found: 404,
};

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly type: ApiErrorType,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.type];
  }

  /** A bad request parameter, worded as Prometheus does. */
  static invalidParam(param: string, cause: string): ApiError {
    return new ApiError('bad_data', `invalid parameter ${JSON.stringify(param)}: ${cause}`);
  }
}
