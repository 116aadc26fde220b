/**
 * Errors a client may see. Each knows its HTTP status and the contract's `type`/`code`
 * (shared/API.md, Errors); the HTTP layer maps them in one place and turns anything
 * else into a generic 500.
 */
export const ErrorType = {
  invalidRequest: 'invalid_request',
  authentication: 'authentication',
  permission: 'permission',
  notFound: 'not_found',
  conflict: 'conflict',
  unprocessable: 'unprocessable',
  rateLimited: 'rate_limited',
  internal: 'internal',
  unavailable: 'unavailable',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

export interface ApiErrorBody {
  error: { type: ErrorType; code: string; message: string; param?: string };
}

export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly type: ErrorType;
  abstract readonly code: string;
  readonly param: string | undefined;

  constructor(message: string, options?: ErrorOptions & { param?: string }) {
    super(message, options);
    this.name = new.target.name;
    this.param = options?.param;
  }

  toBody(): ApiErrorBody {
    const body: ApiErrorBody = { error: { type: this.type, code: this.code, message: this.message } };
    if (this.param !== undefined) body.error.param = this.param;
    return body;
  }
}

type ParamOptions = ErrorOptions & { param?: string };

abstract class InvalidRequestError extends ApiError {
  readonly status: number = 400;
  readonly type = ErrorType.invalidRequest;
}

export class InvalidJsonError extends InvalidRequestError {
  readonly code = 'invalid_json';
  constructor(message = 'The request body is not valid JSON', options?: ErrorOptions) { super(message, options); }
}
export class ValidationError extends InvalidRequestError {
  readonly code = 'validation_failed';
  constructor(message: string, options?: ParamOptions) { super(message, options); }
}
export class InvalidBolt11Error extends InvalidRequestError {
  readonly code = 'invalid_bolt11';
  constructor(message = 'bolt11 is not a valid BOLT11 invoice', options?: ErrorOptions) { super(message, { ...options, param: 'bolt11' }); }
}
export class WrongNetworkError extends InvalidRequestError {
  readonly code = 'wrong_network';
  constructor(message: string) { super(message, { param: 'bolt11' }); }
}
export class InvoiceExpiredError extends InvalidRequestError {
  readonly code = 'invoice_expired';
  constructor(message = 'The BOLT11 invoice has expired') { super(message, { param: 'bolt11' }); }
}
export class AmountRequiredError extends InvalidRequestError {
  readonly code = 'amount_required';
  constructor(message = 'The BOLT11 invoice has no amount: amount_msat is required') { super(message, { param: 'amount_msat' }); }
}
export class AmountMismatchError extends InvalidRequestError {
  readonly code = 'amount_mismatch';
  constructor(message: string) { super(message, { param: 'amount_msat' }); }
}
export class AmountOutOfRangeError extends InvalidRequestError {
  readonly code = 'amount_out_of_range';
  constructor(message: string, options?: ParamOptions) { super(message, options); }
}
/** The request is valid, but the Lightning node behind this deployment cannot do it as asked. */
export class UnsupportedByBackendError extends InvalidRequestError {
  readonly code = 'unsupported_by_backend';
  constructor(message: string, options?: ParamOptions) { super(message, options); }
}
export class PayloadTooLargeError extends InvalidRequestError {
  override readonly status = 413;
  readonly code = 'payload_too_large';
  constructor(message = 'The request body is larger than 64 KiB') { super(message); }
}
export class UnsupportedMediaTypeError extends InvalidRequestError {
  override readonly status = 415;
  readonly code = 'unsupported_media_type';
  constructor(message = 'Content-Type must be application/json') { super(message); }
}

export class AuthenticationError extends ApiError {
  readonly status = 401;
  readonly type = ErrorType.authentication;
  readonly code = 'authentication_failed';
  constructor(message = 'A valid API key is required: Authorization: Bearer <key>') { super(message); }
}

export class PermissionDeniedError extends ApiError {
  readonly status = 403;
  readonly type = ErrorType.permission;
  readonly code = 'permission_denied';
  constructor(message = 'This API key may not do that; use the secret key') { super(message); }
}

export class NotFoundError extends ApiError {
  readonly status = 404;
  readonly type = ErrorType.notFound;
  readonly code = 'not_found';
  constructor(message = 'No such object', options?: ParamOptions) { super(message, options); }
}

abstract class ConflictError extends ApiError {
  readonly status = 409;
  readonly type = ErrorType.conflict;
}
export class IdempotencyInProgressError extends ConflictError {
  readonly code = 'idempotency_in_progress';
  constructor(message = 'A request with this Idempotency-Key is still being processed') { super(message); }
}
export class AlreadyPaidError extends ConflictError {
  readonly code = 'already_paid';
  constructor(message = 'This payment hash has already been paid, or is being paid, by this service') { super(message, { param: 'bolt11' }); }
}
export class AlreadyExistsError extends ConflictError {
  readonly code = 'already_exists';
  constructor(message: string, options?: ParamOptions) { super(message, options); }
}

abstract class UnprocessableError extends ApiError {
  readonly status = 422;
  readonly type = ErrorType.unprocessable;
}
export class InsufficientFundsError extends UnprocessableError {
  readonly code = 'insufficient_funds';
  constructor(message = 'The account balance does not cover this amount') { super(message); }
}
export class IdempotencyKeyReusedError extends UnprocessableError {
  readonly code = 'idempotency_key_reused';
  constructor(message = 'This Idempotency-Key was used with a different request') { super(message, { param: 'Idempotency-Key' }); }
}
export class SameAccountError extends UnprocessableError {
  readonly code = 'same_account';
  constructor(message = 'The source and destination accounts are the same') { super(message); }
}

export class RateLimitedError extends ApiError {
  readonly status = 429;
  readonly type = ErrorType.rateLimited;
  readonly code = 'rate_limited';
  constructor(message = 'Too many requests') { super(message); }
}

export class InternalError extends ApiError {
  readonly status = 500;
  readonly type = ErrorType.internal;
  readonly code = 'internal_error';
  constructor(message = 'Something went wrong on our side') { super(message); }
}

export class NodeUnavailableError extends ApiError {
  readonly status = 503;
  readonly type = ErrorType.unavailable;
  readonly code = 'node_unavailable';
  constructor(message = 'The Lightning node is unavailable; try again shortly', options?: ErrorOptions) { super(message, options); }
}
