import type { Log } from '../../lib/runtime/log';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey, REPLAYED_HEADER, requestFingerprint, type IdempotencyStore } from '../idempotency';
import { JSON_CONTENT_TYPE } from '../responses';
import { stateOf, type Middleware, type PipelineRequest } from '../state';

/**
 * Idempotency-Key on a POST (see ../idempotency.ts for the rules). Runs after validation,
 * so only requests the route will actually run take the key; its onError runs after the
 * error mapping, so it sees the status the client gets.
 */
type IdempotencyMiddlewareOptions = {
  enabled: boolean;
  /** Keep the answer sealed: it carries a secret. */
  sealed: boolean;
  store: () => IdempotencyStore;
  log: () => Pick<Log, 'warn' | 'error'>;
};

export function idempotency(options: IdempotencyMiddlewareOptions): Middleware {
  if (!options.enabled) return {};
  return {
    async before(request) {
      const state = stateOf(request);
      const key = parseIdempotencyKey(state.headers[IDEMPOTENCY_HEADER]);
      if (key === undefined || !state.auth) return undefined;
      const started = await options.store().begin({
        merchantId: state.auth.merchantId,
        key,
        fingerprint: requestFingerprint(request.event.requestContext.http.method, request.event.rawPath, state.json),
      });
      if (started.kind === 'replay') {
        // Answered in place of the route rather than as an early response, which would skip
        // the `after` hooks (the rate-limit headers every counted answer carries).
        state.replay = {
          statusCode: started.response.status,
          headers: { 'content-type': JSON_CONTENT_TYPE, 'cache-control': 'no-store', [REPLAYED_HEADER]: 'true' },
          body: started.response.body,
        };
        return undefined;
      }
      state.hold = started.hold;
      return undefined;
    },
    async after(request) {
      await settle(request, options);
    },
    async onError(request) {
      await settle(request, options);
    },
  };
}

async function settle(request: PipelineRequest, options: IdempotencyMiddlewareOptions): Promise<void> {
  const state = stateOf(request);
  const hold = state.hold;
  const response = request.response;
  if (!hold) return;
  state.hold = undefined;
  try {
    if (response && response.statusCode !== undefined && response.statusCode < 500) {
      await options.store().complete(hold, { status: response.statusCode, body: response.body ?? '' }, { sealed: options.sealed });
    } else {
      await options.store().release(hold);
    }
  } catch (error) {
    // The route's outcome stands either way: an unsaved record stays in progress until its
    // lock runs out, and the retry that takes it over derives the same object ids.
    options.log().error('idempotency record not updated', { error });
  }
}
