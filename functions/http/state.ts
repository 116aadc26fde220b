import type { MiddlewareObj, Request } from '@middy/core';
import type { AuthContext } from './authenticate';
import type { IdempotencyHold } from './idempotency';
import type { HttpEvent, HttpResult } from './types';

/** What the middlewares learn about one request, for the ones after them and the route. */
export interface RequestState {
  /** Header names in lower case; API Gateway already sends them so, the local adapter may not. */
  headers: Record<string, string>;
  /** The body as UTF-8 text; undefined when there is none or its bytes are not UTF-8. */
  bodyText: string | undefined;
  bodyBytes: number;
  /** The body's bytes were not valid UTF-8. */
  bodyNotUtf8: boolean;
  /** The parsed JSON body (POST only; `{}` for an empty body). */
  json: unknown;
  auth: AuthContext | undefined;
  input: { path: unknown; query: unknown; body: unknown };
  hold: IdempotencyHold | undefined;
  /** The stored answer to send again (an Idempotency-Key replay), in place of running the route. */
  replay: HttpResult | undefined;
}

export type PipelineRequest = Request<HttpEvent, HttpResult, Error>;

// Keyed by the event object, which is one per request (a local server runs many at once).
const states = new WeakMap<HttpEvent, RequestState>();

/** The request's state, created on first use: middlewares need not know their order. */
export function stateOf(request: Pick<PipelineRequest, 'event'>): RequestState {
  let state = states.get(request.event);
  if (state) return state;
  state = {
    headers: {},
    bodyText: undefined,
    bodyBytes: 0,
    bodyNotUtf8: false,
    json: undefined,
    auth: undefined,
    input: { path: {}, query: {}, body: undefined },
    hold: undefined,
    replay: undefined,
  };
  states.set(request.event, state);
  return state;
}

/** Every middleware is a factory returning only the hooks it uses. */
export type Middleware = MiddlewareObj<HttpEvent, HttpResult, Error>;
