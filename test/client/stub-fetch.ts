import type { FetchLike } from '../../clients/typescript/src/index.js';

export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/** A fetch that answers from `answer` and remembers every request it was handed, in order. */
export function stubFetch(answer: (request: SeenRequest, index: number) => Response | Promise<Response>): { fetch: FetchLike; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const fetch: FetchLike = async (request) => {
    const recorded = { method: request.method, url: new URL(request.url), headers: request.headers, body: await request.text() };
    seen.push(recorded);
    return answer(recorded, seen.length - 1);
  };
  return { fetch, seen };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const apiError = (status: number, type: string, code: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  json(status, { error: { type, code, message: `${code} happened`, ...extra } }, headers);

/** Enough of an invoice for the client, which does not look inside. */
export const invoice = (id: string) => ({ id, status: 'pending', amount_msat: 5_000 });
