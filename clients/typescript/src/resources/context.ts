import type { Client } from 'openapi-fetch';
import type { paths } from '../schema.js';

/** What every resource gets from the client: the typed openapi-fetch client and the key source. */
export interface ResourceContext {
  raw: Client<paths>;
  newIdempotencyKey(): string;
}

export interface CallOptions {
  /** Aborts the request (and any retry of it). */
  signal?: AbortSignal;
}

export interface PostOptions extends CallOptions {
  /**
   * Your own key for this request (1–255 printable ASCII), e.g. derived from your order id,
   * so that a retry after a crash of yours is answered by the first answer. @default a fresh UUID
   */
  idempotencyKey?: string;
}

/** The fetch options openapi-fetch passes on, without undefined members. */
export const fetchInit = (options: CallOptions) => (options.signal ? { signal: options.signal } : {});

/** The Idempotency-Key for one POST and the header params that send it. */
export function idempotency(context: ResourceContext, options: PostOptions) {
  const key = options.idempotencyKey ?? context.newIdempotencyKey();
  return { key, header: { 'Idempotency-Key': key } };
}

/** A list query with a cursor only when there is one. */
export const withCursor = <Query extends object>(query: Query, cursor: string | undefined) => (cursor === undefined ? query : { ...query, cursor });
