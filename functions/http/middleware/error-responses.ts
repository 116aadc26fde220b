import { ApiError } from '../../lib/errors';
import type { Log } from '../../lib/runtime/log';
import { errorResponse, toHttpResult } from '../responses';
import type { Middleware } from '../state';

/**
 * The one place errors become responses: an ApiError shows its status, code and message;
 * anything else is the generic 500, and only the log sees what it was.
 */
export function errorResponses(options: { log: () => Pick<Log, 'warn' | 'error'> }): Middleware {
  return {
    onError(request) {
      const error = request.error;
      if (!(error instanceof ApiError) || error.status >= 500) {
        options.log().error('request failed', {
          route: request.event.routeKey,
          requestId: request.event.requestContext?.requestId,
          error: describe(error),
        });
      }
      request.response = toHttpResult(errorResponse(error));
    },
  };
}

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const cause = error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : undefined;
  return { name: error.name, message: error.message, stack: error.stack, cause };
}
