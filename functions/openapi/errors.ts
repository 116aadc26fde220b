import * as z from 'zod';
import {
  AlreadyExistsError,
  AlreadyPaidError,
  AmountMismatchError,
  AmountOutOfRangeError,
  AmountRequiredError,
  AuthenticationError,
  ErrorType,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  InsufficientFundsError,
  InternalError,
  InvalidBolt11Error,
  InvalidJsonError,
  InvoiceExpiredError,
  NodeUnavailableError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitedError,
  SameAccountError,
  UnsupportedByBackendError,
  UnsupportedMediaTypeError,
  ValidationError,
  WrongNetworkError,
  type ApiError,
} from '../lib/errors';
import { AuthMode } from '../http/authenticate';
import type { AnyRoute } from '../http/pipeline';

/** The contract's error body (shared/API.md, Errors), the `Error` component. */
export const errorBodySchema = z
  .object({
    error: z.object({
      type: z.enum(Object.values(ErrorType) as [ErrorType, ...ErrorType[]]).meta({ description: 'The class of error; one per HTTP status family' }),
      code: z
        .string()
        .regex(/^[a-z0-9_]+$/)
        .meta({ description: 'Why, for programs: `validation_failed`, `insufficient_funds`, ...', examples: ['validation_failed'] }),
      message: z.string().meta({ description: 'Why, for people; wording may change. Never internals.' }),
      param: z.string().optional().meta({ description: 'The field (dotted for nested ones) or header at fault' }),
    }),
  })
  .meta({ id: 'Error', description: 'Every non-2xx answer; nothing was changed by the request' });

export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: the body, a parameter or the Idempotency-Key is not acceptable',
  401: 'Missing, malformed or unknown API key',
  403: 'The invoice key may not do this; use the secret key',
  404: 'No such object, or one that belongs to another merchant (the same answer)',
  409: 'Conflict with a request still running or an existing object',
  413: 'The body is larger than 64 KiB',
  415: 'The body is not `application/json`',
  422: 'Understood but refused',
  429: 'Too many requests for this merchant: retry after `Retry-After` seconds',
  500: 'Internal error; nothing internal is disclosed',
  503: 'The Lightning node is unavailable; retry later (with the same Idempotency-Key)',
};

interface CatalogueEntry {
  /** The example's name in components.examples. */
  name: string;
  error: ApiError;
  /** Only these operations can answer with it; every operation with its status otherwise. */
  operations?: string[];
  /** Only POSTs that honour Idempotency-Key (or, for bodies, every POST). */
  needs?: 'idempotency' | 'body';
}

const WITHDRAWAL = ['createWithdrawal'];

// Built from the real error classes, so each example is exactly the body the API sends.
const CATALOGUE: CatalogueEntry[] = [
  { name: 'validation_failed', error: new ValidationError('amount_msat must be an integer >= 1000', { param: 'amount_msat' }) },
  { name: 'invalid_json', error: new InvalidJsonError(), needs: 'body' },
  {
    name: 'amount_out_of_range',
    error: new AmountOutOfRangeError('amount_msat must be at most 100000000000', { param: 'amount_msat' }),
    operations: ['createInvoice', 'createWithdrawal', 'createTransfer'],
  },
  {
    name: 'unsupported_by_backend',
    error: new UnsupportedByBackendError('description_hash needs the description text on Core Lightning; send memo instead', { param: 'description_hash' }),
    operations: ['createInvoice'],
  },
  { name: 'invalid_bolt11', error: new InvalidBolt11Error(), operations: WITHDRAWAL },
  { name: 'wrong_network', error: new WrongNetworkError("bolt11 is an invoice for lntb, but this service's node runs on mainnet"), operations: WITHDRAWAL },
  { name: 'invoice_expired', error: new InvoiceExpiredError(), operations: WITHDRAWAL },
  { name: 'amount_required', error: new AmountRequiredError(), operations: WITHDRAWAL },
  { name: 'amount_mismatch', error: new AmountMismatchError("amount_msat 2000 does not match the invoice's 1000 msat"), operations: WITHDRAWAL },
  { name: 'authentication_failed', error: new AuthenticationError() },
  { name: 'permission_denied', error: new PermissionDeniedError() },
  { name: 'not_found', error: new NotFoundError('No such account: acct_01hzy3k8g0000000000000000000000000', { param: 'account_id' }) },
  { name: 'idempotency_in_progress', error: new IdempotencyInProgressError(), needs: 'idempotency' },
  { name: 'already_paid', error: new AlreadyPaidError(), operations: WITHDRAWAL },
  { name: 'already_exists', error: new AlreadyExistsError('An account with external_id "tg:12345" already exists', { param: 'external_id' }), operations: ['createAccount'] },
  { name: 'payload_too_large', error: new PayloadTooLargeError(), needs: 'body' },
  { name: 'unsupported_media_type', error: new UnsupportedMediaTypeError(), needs: 'body' },
  { name: 'idempotency_key_reused', error: new IdempotencyKeyReusedError(), needs: 'idempotency' },
  { name: 'insufficient_funds', error: new InsufficientFundsError(), operations: ['createWithdrawal', 'createTransfer'] },
  { name: 'same_account', error: new SameAccountError(), operations: ['createWithdrawal', 'createTransfer'] },
  { name: 'rate_limited', error: new RateLimitedError() },
  { name: 'internal_error', error: new InternalError() },
  { name: 'node_unavailable', error: new NodeUnavailableError() },
];

export const honoursIdempotencyKey = (route: AnyRoute): boolean => route.idempotent ?? route.method === 'POST';

/** The statuses a route can answer with besides its success: the pipeline's, then the route's own. */
export function errorStatuses(route: AnyRoute): number[] {
  const statuses = new Set<number>([400, 500, ...(route.errors ?? [])]);
  if (route.auth !== AuthMode.public) [401, 429].forEach((status) => statuses.add(status));
  if (route.auth === AuthMode.secret) statuses.add(403);
  if (route.params) statuses.add(404);
  if (route.method === 'POST') [413, 415].forEach((status) => statuses.add(status));
  if (honoursIdempotencyKey(route)) [409, 422].forEach((status) => statuses.add(status));
  return [...statuses].sort((a, b) => a - b);
}

/** The catalogue's examples that this route can answer with under `status`, by name. */
export function errorExamplesFor(route: AnyRoute, status: number): string[] {
  const names = CATALOGUE.filter(
    (entry) =>
      entry.error.status === status &&
      (entry.operations === undefined || entry.operations.includes(route.operationId)) &&
      (entry.needs !== 'idempotency' || honoursIdempotencyKey(route)) &&
      (entry.needs !== 'body' || route.method === 'POST'),
  ).map((entry) => entry.name);
  if (names.length === 0) throw new Error(`${route.operationId} answers ${status} but functions/openapi/errors.ts has no example for it`);
  return names;
}

/** components.examples: one per error code, the body as the API sends it. */
export function errorExampleComponents(operationIds: Set<string>): Record<string, unknown> {
  for (const entry of CATALOGUE) {
    for (const operationId of entry.operations ?? []) {
      if (!operationIds.has(operationId)) throw new Error(`functions/openapi/errors.ts names ${operationId}, which is no operation`);
    }
  }
  return Object.fromEntries(
    CATALOGUE.map((entry) => [entry.name, { summary: `${entry.error.status} ${entry.error.code}`, value: entry.error.toBody() }]),
  );
}
