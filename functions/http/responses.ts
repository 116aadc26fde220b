import { ApiError, InternalError, type ApiErrorBody } from '../lib/errors';
import type { ApiResponse, HttpResult } from './types';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export const ok = (body: unknown): ApiResponse => ({ status: 200, body });
export const created = (body: unknown): ApiResponse => ({ status: 201, body });
export const accepted = (body: unknown): ApiResponse => ({ status: 202, body });

const BASE_HEADERS = {
  'content-type': JSON_CONTENT_TYPE,
  // Responses carry balances and keys: never cached by anything in between.
  'cache-control': 'no-store',
} as const;

export function toHttpResult(response: ApiResponse): HttpResult {
  return {
    statusCode: response.status,
    headers: { ...BASE_HEADERS, ...response.headers },
    body: JSON.stringify(response.body),
  };
}

/**
 * The one rule for what a client may see: an ApiError below 500 is shown as it is; every
 * other failure becomes the generic 500 (or the ApiError's own 5xx body, such as
 * node_unavailable, which carries no internals either).
 */
export function errorResponse(error: unknown): ApiResponse {
  const apiError = error instanceof ApiError ? error : new InternalError();
  const body: ApiErrorBody = apiError.toBody();
  return { status: apiError.status, body };
}

export function isErrorBody(body: unknown): body is ApiErrorBody {
  return typeof body === 'object' && body !== null && 'error' in body;
}
