// Headers and header parameters of the contract, as OpenAPI components (shared/API.md
// "Conventions"; docs/API-NOTES.md "Errors outside the contract's table" for the rate limit).

const integer = { type: 'integer', minimum: 0 };

export const headerComponents = {
  'RateLimit-Limit': {
    description: "Requests allowed in the current one-second window, shared by all of the merchant's keys",
    schema: integer,
    example: 25,
  },
  'RateLimit-Remaining': { description: 'Requests left in the current window', schema: integer, example: 24 },
  'RateLimit-Reset': { description: 'Seconds until the current window ends', schema: integer, example: 1 },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: integer, example: 1 },
  'Idempotent-Replayed': {
    description: 'Present on an answer replayed for a repeated Idempotency-Key: the first answer, status and body',
    schema: { type: 'string', enum: ['true'] },
  },
};

type HeaderName = keyof typeof headerComponents;
const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });

// The pipeline sizes the body and checks the key before the limiter counts the request
// (functions/http/pipeline.ts): these answers carry no RateLimit headers.
const ANSWERED_BEFORE_COUNTING = new Set([401, 403, 413]);

/** The RateLimit headers of an answer to an authenticated request, and Retry-After on a 429. */
export function rateLimitHeaders(options: { status: number }): Record<string, unknown> {
  if (ANSWERED_BEFORE_COUNTING.has(options.status)) return {};
  return {
    'RateLimit-Limit': ref('RateLimit-Limit'),
    'RateLimit-Remaining': ref('RateLimit-Remaining'),
    'RateLimit-Reset': ref('RateLimit-Reset'),
    ...(options.status === 429 ? { 'Retry-After': ref('Retry-After') } : {}),
  };
}

// Answered before the Idempotency-Key is taken (functions/http/pipeline.ts): never stored, so never replayed.
const ANSWERED_BEFORE_THE_KEY = new Set([401, 403, 413, 415, 429]);

/**
 * Idempotent-Replayed on the answers a repeated Idempotency-Key can bring back: whatever the
 * route itself answered below 500, its refusals (404, 409, 422, a 400 of its own) as well as its success.
 */
export function replayedHeader(options: { status: number }): Record<string, unknown> {
  if (options.status >= 500 || ANSWERED_BEFORE_THE_KEY.has(options.status)) return {};
  return { 'Idempotent-Replayed': ref('Idempotent-Replayed') };
}

export const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes the POST safe to retry. Kept 24 h per merchant. Same key and body: the first answer again, with `Idempotent-Replayed: true`; ' +
    'same key, other body: 422 `idempotency_key_reused`; same key while the first request runs: 409 `idempotency_in_progress`.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
  example: 'order-42-payout-1',
};

export const IDEMPOTENCY_KEY_REF = { $ref: '#/components/parameters/IdempotencyKey' };
