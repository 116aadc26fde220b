import type { ErrorBody, ErrorType } from './types.js';

/** What the client knows of the HTTP exchange behind an answer or an error. */
export interface ResponseInfo {
  status: number;
  headers: Headers;
  /** The Idempotency-Key sent with a POST (the caller's or a generated one). */
  idempotencyKey?: string;
  /** True when the API answered with the stored first answer to this Idempotency-Key. */
  replayed: boolean;
}

/** Base of every error this client throws, so callers can tell them from their own. */
export class LightningPaymentsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LightningPaymentsError';
  }
}

/**
 * A documented error answer: `{"error": {type, code, message, param?}}` with its status.
 * Nothing was changed by the request that got it.
 */
export class ApiError extends LightningPaymentsError {
  readonly status: number;
  readonly type: ErrorType;
  /** Why, for programs (`insufficient_funds`, `not_found`, ...). */
  readonly code: string;
  /** The body field (dotted for nested ones) or header at fault, when there is one. */
  readonly param: string | undefined;
  /** Seconds the API asked to wait (`Retry-After`, on 429 and some 503s). */
  readonly retryAfterSec: number | undefined;
  readonly idempotencyKey: string | undefined;
  /** True when this error is the stored first answer to a repeated Idempotency-Key. */
  readonly replayed: boolean;
  readonly headers: Headers;

  constructor(body: ErrorBody, info: ResponseInfo) {
    super(body.message);
    this.name = 'ApiError';
    this.status = info.status;
    this.type = body.type;
    this.code = body.code;
    this.param = body.param;
    this.retryAfterSec = retryAfterSeconds(info.headers);
    this.idempotencyKey = info.idempotencyKey;
    this.replayed = info.replayed;
    this.headers = info.headers;
  }
}

/** A non-2xx answer that is not in the documented error shape (a proxy's page, a gateway timeout). */
export class UnexpectedResponseError extends LightningPaymentsError {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    super(`unexpected ${status} answer: ${preview(body)}`);
    this.name = 'UnexpectedResponseError';
    this.status = status;
    this.body = body;
  }
}

/** The request never got an answer (connection refused, reset, DNS), after any retries. */
export class ConnectionError extends LightningPaymentsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/** Every type the document enumerates: a type added to or dropped from it fails to compile here. */
const ERROR_TYPES: Record<ErrorType, true> = {
  invalid_request: true,
  authentication: true,
  permission: true,
  not_found: true,
  conflict: true,
  unprocessable: true,
  rate_limited: true,
  internal: true,
  unavailable: true,
};
const isErrorType = (value: string): value is ErrorType => Object.hasOwn(ERROR_TYPES, value);

/** The `error` member when `body` has the documented shape. */
export function documentedError(body: unknown): ErrorBody | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error: unknown = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, code, message, param } = error as Record<string, unknown>;
  if (typeof type !== 'string' || !isErrorType(type) || typeof code !== 'string' || typeof message !== 'string') return undefined;
  return { type, code, message, ...(typeof param === 'string' ? { param } : {}) };
}

/** The error to throw for a non-2xx answer. */
export function errorFromResponse(body: unknown, info: ResponseInfo): LightningPaymentsError {
  const documented = documentedError(body);
  return documented ? new ApiError(documented, info) : new UnexpectedResponseError(info.status, body);
}

/** `Retry-After` as seconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(headers: Headers, nowMs = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const atMs = Date.parse(value);
  return Number.isNaN(atMs) ? undefined : Math.max(0, Math.ceil((atMs - nowMs) / 1000));
}

function preview(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body) ?? String(body);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
