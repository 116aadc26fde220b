import { RateLimitedError } from '../../lib/errors';
import type { MerchantRateLimiter, RateLimitDecision } from '../../lib/merchants/rate-limit';
import { stateOf, type Middleware, type PipelineRequest } from '../state';

const decisions = new WeakMap<object, RateLimitDecision>();

/**
 * The per-merchant limit, checked right after authentication (before the body is read or
 * an Idempotency-Key taken, so a 429 changes nothing and is not stored). Every answer to
 * an authenticated request carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset
 * (seconds); a 429 also Retry-After.
 */
export function merchantRateLimit(options: { limiter: () => MerchantRateLimiter | undefined; now: () => Date }): Middleware {
  const addHeaders = (request: PipelineRequest) => {
    const decision = decisions.get(request.event);
    if (!decision || !request.response) return;
    request.response.headers = {
      ...request.response.headers,
      'ratelimit-limit': String(decision.limit),
      'ratelimit-remaining': String(decision.remaining),
      'ratelimit-reset': String(decision.resetSeconds),
      ...(decision.allowed ? {} : { 'retry-after': String(decision.resetSeconds) }),
    };
  };
  return {
    async before(request) {
      const limiter = options.limiter();
      const auth = stateOf(request).auth;
      if (!limiter || !auth) return;
      const decision = await limiter.take(auth.merchantId, options.now());
      decisions.set(request.event, decision);
      if (!decision.allowed) throw new RateLimitedError();
    },
    after: addHeaders,
    onError: addHeaders,
  };
}
