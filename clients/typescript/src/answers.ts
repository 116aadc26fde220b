import { errorFromResponse, UnexpectedResponseError, type ResponseInfo } from './errors.js';

/** What openapi-fetch resolves to: the parsed body of a 2xx in `data`, of anything else in `error`. */
export interface FetchResult<Data> {
  data?: Data;
  error?: unknown;
  response: Response;
}

const infoByAnswer = new WeakMap<object, ResponseInfo>();

/**
 * The HTTP side of an object this client returned: its status, headers, the
 * Idempotency-Key it was created with and whether it was a replay.
 * Undefined for objects the client did not return.
 */
export function responseInfo(answer: object): ResponseInfo | undefined {
  return infoByAnswer.get(answer);
}

/** The body of a 2xx answer, or the typed error of any other. */
export async function unwrap<Data extends object>(call: Promise<FetchResult<Data>>, idempotencyKey?: string): Promise<Data> {
  const { data, error, response } = await call;
  const info: ResponseInfo = {
    status: response.status,
    headers: response.headers,
    replayed: response.headers.get('idempotent-replayed') === 'true',
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
  if (!response.ok) throw errorFromResponse(error, info);
  if (typeof data !== 'object' || data === null) throw new UnexpectedResponseError(response.status, data);
  infoByAnswer.set(data, info);
  return data;
}
