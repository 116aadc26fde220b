import { performance } from 'node:perf_hooks';
import { toDomainEvent } from '../events/event';
import { findEvent } from '../events/repository';
import type { Table } from '../table/client';
import type { Clock } from '../runtime/clock';
import type { Log } from '../runtime/log';
import type { WebhookSettings } from './config';
import { AttemptStatus, DeliveryStateStatus, deliveryMessageSchema, type DeadLetter, type DeliveryMessage, type DeliveryStateItem } from './delivery';
import { cancelSeries, findDeliveryState, recordAttempt } from './delivery-repository';
import { EndpointStatus, openEndpointSecret } from './endpoint';
import { findWebhookEndpoint } from './endpoint-repository';
import type { WebhookReply, WebhookSender } from './http-sender';
import { MAX_RETRY_AFTER_MS, nextRetryDelayMs, type Random } from './retry-schedule';
import { parseRetryAfterMs, RETRY_AFTER_STATUSES } from './retry-after';
import { enqueueAttempt, nextMessageOf, type QueueSender } from './series';
import type { SecretOpener } from './secret-sealer';
import { signWebhook } from './signing';
import type { Resolver } from './ssrf-guard';

export interface DeliveryWorkerDependencies {
  table: Table;
  /** The webhook queue: hops until an attempt is due, and each next attempt, go back to it. */
  queue: QueueSender;
  /** The webhook DLQ: every delivery that ends failed is parked there for the operator. */
  deadLetters: QueueSender;
  clock: Clock;
  random: Random;
  settings: WebhookSettings;
  resolve: Resolver;
  send: WebhookSender;
  log: Log;
  /** Opens endpoints' sealed signing secrets (KMS Decrypt in AWS, behind a short cache). */
  secrets: SecretOpener;
}

export const DeliveryOutcome = {
  /** Not due yet: sent back to the queue for another hop. */
  deferred: 'deferred',
  succeeded: 'succeeded',
  /** Failed; the next attempt is queued. */
  retrying: 'retrying',
  /** Failed for good (schedule exhausted, 410, or a Retry-After beyond our limit): parked in the DLQ. */
  failed: 'failed',
  /** Endpoint deleted or disabled meanwhile: nothing sent. */
  cancelled: 'cancelled',
  /** A message of an older series, or of an attempt already recorded: dropped. */
  stale: 'stale',
} as const;
export type DeliveryOutcome = (typeof DeliveryOutcome)[keyof typeof DeliveryOutcome];

interface Verdict {
  status: AttemptStatus;
  responseStatus: number | null;
  error: string | null;
  /** Milliseconds until the next attempt; undefined: the series ends here. */
  retryInMs: number | undefined;
  disableEndpoint: boolean;
}

/**
 * Handles one webhook queue message. Throws only when the table or the queue fails, so the
 * queue redelivers the message (and parks it in the DLQ after its receive limit); every
 * receiver failure is an attempt, logged and scheduled, never an exception.
 *
 * Why the hops: SQS hides a message for at most 15 minutes and a received message for at
 * most 12 hours, but the schedule waits up to 24 hours. Each message says when its attempt
 * is due; one that arrives early goes back with min(remaining, 900 s) delay until it is.
 */
export async function deliverWebhookMessage(deps: DeliveryWorkerDependencies, body: string): Promise<DeliveryOutcome> {
  const message = deliveryMessageSchema.parse(JSON.parse(body));
  const now = deps.clock.now();
  if (Date.parse(message.due_at) > now.getTime()) {
    await enqueueAttempt(deps.queue, message, now);
    return DeliveryOutcome.deferred;
  }

  const state = await findDeliveryState(deps.table, message.event_id, message.endpoint_id);
  if (!state || state.series !== message.series) return DeliveryOutcome.stale;
  if (state.attempts >= message.attempt) {
    // Recorded already. If this is a redelivery of the message whose worker died after
    // recording but before queueing the next attempt, queue it now (an extra copy is dropped).
    const next = nextMessageOf(state);
    if (next && state.attempts === message.attempt) await enqueueAttempt(deps.queue, next, now);
    return DeliveryOutcome.stale;
  }
  if (state.status !== DeliveryStateStatus.pending || state.attempts !== message.attempt - 1) return DeliveryOutcome.stale;

  const [endpoint, event] = await Promise.all([findWebhookEndpoint(deps.table, message.endpoint_id), findEvent(deps.table, message.event_id)]);
  if (!endpoint || endpoint.status !== EndpointStatus.enabled || endpoint.merchant_id !== state.merchant_id || !event) {
    await cancelSeries(deps.table, state, now);
    deps.log.info('webhook delivery cancelled: endpoint gone or disabled', { event_id: message.event_id, endpoint_id: message.endpoint_id });
    return DeliveryOutcome.cancelled;
  }

  const payload = JSON.stringify(toDomainEvent(event));
  // Throws on a key service outage (the message comes back) or a refused seal (DLQ after the receive limit).
  const secret = await openEndpointSecret(deps.secrets, endpoint);
  const attemptedAt = deps.clock.now();
  const started = performance.now();
  const reply = await deps.send({
    url: endpoint.url,
    headers: { ...signWebhook(secret, event.id, attemptedAt, payload) },
    body: payload,
    timeoutMs: deps.settings.timeoutMs,
    policy: deps.settings.policy,
    resolve: deps.resolve,
  });
  const durationMs = Math.round(performance.now() - started);
  const finishedAt = deps.clock.now();
  const verdict = judge(reply, finishedAt, state.series_attempts + 1, deps.random);

  const ends = verdict.retryInMs === undefined;
  const nextAttemptAt = ends ? null : new Date(finishedAt.getTime() + verdict.retryInMs!);
  const nextStatus =
    verdict.status === AttemptStatus.succeeded ? DeliveryStateStatus.succeeded : ends ? DeliveryStateStatus.failed : DeliveryStateStatus.pending;
  const recorded = await recordAttempt(deps.table, {
    state,
    attempt: {
      event_id: event.id,
      endpoint_id: endpoint.id,
      merchant_id: state.merchant_id,
      attempt: message.attempt,
      series: state.series,
      attempted_at: attemptedAt.toISOString(),
      status: verdict.status,
      response_status: verdict.responseStatus,
      duration_ms: durationMs,
      error: verdict.error,
    },
    next: { status: nextStatus, nextAttemptAt },
    disableEndpoint: verdict.disableEndpoint,
    now: finishedAt,
  });
  const logDetails = {
    event_id: event.id,
    endpoint_id: endpoint.id,
    attempt: message.attempt,
    series: state.series,
    response_status: verdict.responseStatus,
    duration_ms: durationMs,
    error: verdict.error,
  };
  if (!recorded) {
    deps.log.info('webhook attempt not recorded: another worker or a redelivery got there first', logDetails);
    return DeliveryOutcome.stale;
  }

  if (nextStatus === DeliveryStateStatus.succeeded) {
    deps.log.info('webhook delivered', logDetails);
    return DeliveryOutcome.succeeded;
  }
  if (nextStatus === DeliveryStateStatus.pending) {
    const next: DeliveryMessage = { ...message, attempt: message.attempt + 1, due_at: nextAttemptAt!.toISOString() };
    await enqueueAttempt(deps.queue, next, finishedAt);
    deps.log.warn('webhook attempt failed; retrying', { ...logDetails, next_attempt_at: next.due_at });
    return DeliveryOutcome.retrying;
  }
  await parkInDeadLetterQueue(deps, state, message.attempt, finishedAt, verdict.error ?? 'failed');
  deps.log.error('webhook delivery failed for good; parked in the DLQ', logDetails);
  return DeliveryOutcome.failed;
}

/** What one reply means for the delivery, by the contract's rules. */
function judge(reply: WebhookReply, now: Date, seriesAttempt: number, random: Random): Verdict {
  if (reply.kind === 'error') {
    return { status: AttemptStatus.failed, responseStatus: null, error: reply.error, retryInMs: nextRetryDelayMs(seriesAttempt, random), disableEndpoint: false };
  }
  const status = reply.status;
  if (status >= 200 && status < 300) {
    return { status: AttemptStatus.succeeded, responseStatus: status, error: null, retryInMs: undefined, disableEndpoint: false };
  }
  const failed = (error: string, retryInMs: number | undefined, disableEndpoint = false): Verdict => ({
    status: AttemptStatus.failed,
    responseStatus: status,
    error,
    retryInMs,
    disableEndpoint,
  });
  if (status === 410) return failed('410 Gone: the endpoint is disabled', undefined, true);
  if (status >= 300 && status < 400) return failed(`redirect (HTTP ${status}) not followed`, nextRetryDelayMs(seriesAttempt, random));
  const retryAfterMs = RETRY_AFTER_STATUSES.has(status) ? parseRetryAfterMs(reply.retryAfter, now) : undefined;
  if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
    return failed(`HTTP ${status} with Retry-After beyond 24 h: delivery stopped`, undefined);
  }
  return failed(`HTTP ${status}`, nextRetryDelayMs(seriesAttempt, random, retryAfterMs));
}

async function parkInDeadLetterQueue(deps: DeliveryWorkerDependencies, state: DeliveryStateItem, attempts: number, at: Date, reason: string): Promise<void> {
  const letter: DeadLetter = {
    event_id: state.event_id,
    endpoint_id: state.endpoint_id,
    merchant_id: state.merchant_id,
    series: state.series,
    attempts,
    failed_at: at.toISOString(),
    reason,
  };
  await deps.deadLetters.send(JSON.stringify(letter));
}
