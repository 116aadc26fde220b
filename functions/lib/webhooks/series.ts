import type { Queue } from '../queue/queue';
import type { Table } from '../table/client';
import { DeliveryStateStatus, MAX_ATTEMPT_NUMBER, type DeliveryMessage, type DeliveryStateItem } from './delivery';
import { createFirstSeries, startNewSeries } from './delivery-repository';
import { MAX_ATTEMPTS } from './retry-schedule';

/** SQS's longest DelaySeconds. Waits beyond it are made of several hops (see deliver.ts). */
export const MAX_QUEUE_DELAY_SEC = 900;

export type QueueSender = Pick<Queue, 'send'>;

/** Sends an attempt's message, hidden until it is due (or for the longest delay the queue allows). */
export async function enqueueAttempt(queue: QueueSender, message: DeliveryMessage, now: Date): Promise<void> {
  const waitMs = Date.parse(message.due_at) - now.getTime();
  const delaySec = Math.min(MAX_QUEUE_DELAY_SEC, Math.max(0, Math.ceil(waitMs / 1000)));
  await queue.send(JSON.stringify(message), delaySec > 0 ? { delaySec } : {});
}

export function nextMessageOf(state: DeliveryStateItem): DeliveryMessage | undefined {
  if (state.status !== DeliveryStateStatus.pending || state.next_attempt_at === null) return undefined;
  return {
    event_id: state.event_id,
    endpoint_id: state.endpoint_id,
    series: state.series,
    attempt: state.attempts + 1,
    due_at: state.next_attempt_at,
  };
}

/**
 * The fan-out's part: the first series for (event, endpoint) and its first message, due at
 * once. Run twice (the bus redelivered the event, or the fan-out died half-way) it sends the
 * first message again only while no attempt has been recorded; the worker drops the extra.
 */
export async function startFirstDelivery(
  table: Table,
  queue: QueueSender,
  input: { eventId: string; endpointId: string; merchantId: string; now: Date },
): Promise<'started' | 'already_started'> {
  const { created, state } = await createFirstSeries(table, input);
  const message = nextMessageOf(state);
  if (created || (message && state.series === 1 && state.attempts === 0)) {
    await enqueueAttempt(queue, message ?? { event_id: input.eventId, endpoint_id: input.endpointId, series: 1, attempt: 1, due_at: input.now.toISOString() }, input.now);
    return created ? 'started' : 'already_started';
  }
  return 'already_started';
}

/** Whether another full series still fits in the three-digit attempt numbers. */
export function canRedeliver(state: DeliveryStateItem | undefined): boolean {
  return (state?.attempts ?? 0) + MAX_ATTEMPTS <= MAX_ATTEMPT_NUMBER;
}

/** A redelivery to one endpoint: a new series with the whole schedule, first attempt at once. */
export async function startRedelivery(
  table: Table,
  queue: QueueSender,
  input: { eventId: string; endpointId: string; merchantId: string; now: Date },
): Promise<DeliveryStateItem> {
  const state = await startNewSeries(table, input);
  const message = nextMessageOf(state);
  if (message) await enqueueAttempt(queue, message, input.now);
  return state;
}
