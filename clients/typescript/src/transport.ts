import { ConnectionError, retryAfterSeconds } from './errors.js';

export type FetchLike = (request: Request) => Promise<Response>;

export interface RetryOptions {
  /** Further attempts after the first. @default 2 */
  maxRetries?: number;
  /** The first backoff when the API gives no `Retry-After`; doubled each attempt, jittered. @default 500 */
  baseDelayMs?: number;
  /** The longest wait before a retry; an answer that asks for more is returned as it is. @default 10000 */
  maxDelayMs?: number;
}

export interface TransportOptions {
  fetch: FetchLike;
  idempotencyKey: () => string;
  retry: Required<RetryOptions>;
}

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Answers that mean the request was not carried out, so sending it again changes nothing twice. */
const RETRY_WHEN_IDEMPOTENT = new Set([429, 502, 503, 504]);

/**
 * The fetch that openapi-fetch calls: gives every POST an Idempotency-Key unless it has one,
 * and retries what is safe to retry with that same key, so a retry is answered by the
 * stored first answer instead of doing the work again.
 */
export function transportFetch(options: TransportOptions): FetchLike {
  const { fetch, retry } = options;
  return async (original) => {
    const request = withIdempotencyKey(original, options.idempotencyKey);
    const idempotent = request.method === 'GET' || request.headers.has(IDEMPOTENCY_KEY_HEADER);
    for (let attempt = 0; ; attempt += 1) {
      const canRetry = attempt < retry.maxRetries;
      let response: Response;
      try {
        response = await fetch(request.clone());
      } catch (error) {
        // The caller's own abort is theirs to handle, not a lost connection.
        if (request.signal.aborted) throw error;
        if (!canRetry || !idempotent) throw connectionError(request, error);
        await sleep(backoffMs(retry, attempt));
        continue;
      }
      const retryable = response.status === 429 || (idempotent && RETRY_WHEN_IDEMPOTENT.has(response.status));
      const delayMs = retryable && canRetry ? retryDelayMs(response, retry, attempt) : undefined;
      if (delayMs === undefined) return response;
      await response.body?.cancel();
      await sleep(delayMs);
    }
  };
}

export function withIdempotencyKey(request: Request, newKey: () => string): Request {
  if (request.method !== 'POST' || request.headers.has(IDEMPOTENCY_KEY_HEADER)) return request;
  const headers = new Headers(request.headers);
  headers.set(IDEMPOTENCY_KEY_HEADER, newKey());
  return new Request(request, { headers });
}

/** The API's `Retry-After` when it gives one (undefined when that is longer than we wait), else backoff. */
function retryDelayMs(response: Response, retry: Required<RetryOptions>, attempt: number): number | undefined {
  const askedSec = retryAfterSeconds(response.headers);
  if (askedSec === undefined) return backoffMs(retry, attempt);
  const askedMs = askedSec * 1000;
  return askedMs <= retry.maxDelayMs ? askedMs : undefined;
}

function backoffMs(retry: Required<RetryOptions>, attempt: number): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function connectionError(request: Request, error: unknown): ConnectionError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError(`${request.method} ${request.url} got no answer: ${reason}`, { cause: error });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
