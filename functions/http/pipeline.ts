import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import type { IdPrefix } from '../lib/ids';
import { AuthMode, type AuthContext } from './authenticate';
import { processDependencies, type Dependencies, type NodeFactory } from './dependencies';
import { idFactory } from './idempotency';
import { authentication } from './middleware/authenticate';
import { bodyLimit } from './middleware/body-limit';
import { contentType } from './middleware/content-type';
import { errorResponses } from './middleware/error-responses';
import { idempotency } from './middleware/idempotency';
import { jsonBody } from './middleware/json-body';
import { normalizeHeaders } from './middleware/normalize-headers';
import { merchantRateLimit } from './middleware/rate-limit';
import { validate } from './middleware/validate';
import { toHttpResult } from './responses';
import { stateOf } from './state';
import { HttpMethod, type ApiResponse, type HttpEvent, type HttpHandler, type HttpResult } from './types';

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route's handler gets: validated input, who is calling, and ids to create objects with. */
export interface HandlerInput<A extends AuthMode, P, Q, B> {
  path: P;
  query: Q;
  body: B;
  auth: A extends typeof AuthMode.public ? undefined : AuthContext;
  now: Date;
  /**
   * Ids for the objects this request creates. Under an Idempotency-Key a retry gets the
   * same ids again, so a repeated write is refused by the table rather than done twice.
   */
  newId(prefix: IdPrefix): string;
  /** An earlier attempt with this Idempotency-Key failed or died: look for what it created. */
  resumed: boolean;
  event: HttpEvent;
}

/** A route as the registry, the OpenAPI generator and the CDK stack see it. */
export interface RouteSpec<
  A extends AuthMode = AuthMode,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: HttpMethod;
  /** API Gateway style: `/v1/invoices/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer, for the OpenAPI document. */
  response: { status: number; description: string; schema?: z.ZodType };
  /** Error statuses this route can answer with besides the common ones (OpenAPI). */
  errors?: number[];
  /** Honour Idempotency-Key. @default true for POST */
  idempotent?: boolean;
  /** The answer carries a secret shown only once: its idempotency record keeps it sealed (see ../http/idempotency.ts). */
  sealsStoredResponse?: boolean;
  handler: (input: HandlerInput<A, Output<P>, Output<Q>, Output<B>>, deps: Dependencies) => Promise<ApiResponse>;
}

export interface Route<
  A extends AuthMode = AuthMode,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> extends RouteSpec<A, P, Q, B> {
  /** API Gateway's routeKey: `POST /v1/transfers`. */
  routeKey: string;
  /** The middy pipeline around the handler, with these dependencies (or a function giving them). */
  createHandler(deps: Dependencies | (() => Dependencies)): HttpHandler;
  /**
   * The Lambda entry point: dependencies from the environment. Inside Lambda they are built
   * at once, so bad configuration fails the cold start instead of the first request; elsewhere
   * (the OpenAPI generator importing every route) only when a request comes.
   */
  /** The Lambda handler; routes that talk to the node pass how to reach it. */
  lambda(options?: { node?: NodeFactory }): HttpHandler;
}

/** Any route, whatever its schemas: what registries hold. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = Route<AuthMode, any, any, any>;

export function route<A extends AuthMode, P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<A, P, Q, B>,
): Route<A, P, Q, B> {
  const routeKey = `${spec.method} ${spec.path}`;
  const createHandler = (depsOrFactory: Dependencies | (() => Dependencies)): HttpHandler => {
    const deps = typeof depsOrFactory === 'function' ? depsOrFactory : () => depsOrFactory;
    const isPost = spec.method === HttpMethod.post;

    const run = async (event: HttpEvent): Promise<HttpResult> => {
      const state = stateOf({ event });
      if (state.replay) return state.replay;
      const dependencies = deps();
      const now = dependencies.now();
      const response = await spec.handler(
        {
          path: state.input.path as Output<P>,
          query: state.input.query as Output<Q>,
          body: state.input.body as Output<B>,
          auth: state.auth as HandlerInput<A, Output<P>, Output<Q>, Output<B>>['auth'],
          now,
          newId: idFactory(state.hold, now.getTime()),
          resumed: state.hold?.resumed ?? false,
          event,
        },
        dependencies,
      );
      return toHttpResult(response);
    };

    // Order matters. `before` hooks run top to bottom: size and authentication before the body
    // is looked at, the key taken only by a request the route will really run. `onError`
    // hooks run bottom to top: errors become responses first, so the idempotency hook sees
    // the status the client gets (and keeps a 4xx, releases on a 5xx).
    const pipeline = middy<HttpEvent, HttpResult, Error, Context>()
      .use([
        normalizeHeaders(),
        bodyLimit(),
        authentication({ mode: spec.auth, table: () => deps().table }),
        merchantRateLimit({ limiter: () => deps().rateLimiter, now: () => deps().now() }),
        contentType(),
        jsonBody({ parse: isPost }),
        validate({ path: spec.params, query: spec.query, body: spec.body }),
        idempotency({ enabled: spec.idempotent ?? isPost, sealed: spec.sealsStoredResponse ?? false, store: () => deps().idempotency, log: () => deps().log }),
        errorResponses({ log: () => deps().log }),
      ].filter((middleware) => middleware.before ?? middleware.after ?? middleware.onError))
      .handler(async (event) => run(event));

    return (event, context) => pipeline(event, context ?? ({} as Context));
  };

  let lambdaHandler: HttpHandler | undefined;
  return {
    ...spec,
    routeKey,
    createHandler,
    lambda(options = {}) {
      const deps = () => processDependencies(options.node);
      if (process.env.AWS_LAMBDA_FUNCTION_NAME) deps();
      lambdaHandler ??= createHandler(deps);
      return lambdaHandler;
    },
  };
}
