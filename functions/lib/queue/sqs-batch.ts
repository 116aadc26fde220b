import type { EventBridgeEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { errorFields, type Log } from '../runtime/log';
import { type Metrics, noMetrics } from '../runtime/metrics';

/** What an EventBridge rule puts in its SQS target's message body: the whole event. */
export const busEventEnvelopeSchema = z.object({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});

/**
 * A record that can never succeed, however often it is retried (it fails its schema, it
 * names a withdrawal that does not exist): parked in the DLQ at once with its data.
 */
export class PermanentRecordError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentRecordError';
  }
}

export interface BusConsumerDeps {
  /** The consumer queue's DLQ: permanent failures go here with their body unchanged (so a redrive is a plain move back). */
  deadLetters: { send(body: string): Promise<void> };
  log: Pick<Log, 'warn' | 'error'>;
  metrics?: Metrics;
}

/**
 * Lambda's SQS event source with ReportBatchItemFailures, for a queue an EventBridge rule
 * feeds: each record's body is validated as an EventBridge event, handed to `handle`, and
 * a record that fails is reported in `batchItemFailures` (it comes back after the queue's
 * visibility timeout, until its maxReceiveCount moves it to the DLQ): never thrown away.
 * A record that fails its schema (or a PermanentRecordError) goes to the DLQ at once,
 * logged; if even that send fails it is reported, so SQS keeps it.
 */
export function busEventBatchHandler<Event extends EventBridgeEvent<string, unknown>>(
  consumer: string,
  deps: BusConsumerDeps,
  handle: (event: Event) => Promise<unknown>,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const metrics = deps.metrics ?? noMetrics;
  const one = async (record: SQSRecord): Promise<boolean> => {
    const fields = { consumer, messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount };
    try {
      let event: Event;
      try {
        event = busEventEnvelopeSchema.parse(JSON.parse(record.body)) as Event;
      } catch (error) {
        throw new PermanentRecordError('the message is not an EventBridge event', { cause: error });
      }
      await handle(event);
      return true;
    } catch (error) {
      if (!(error instanceof PermanentRecordError || error instanceof z.ZodError)) {
        metrics.count('ConsumerRecordFailed');
        deps.log.warn('record failed; SQS delivers it again after its visibility timeout', { ...fields, ...errorFields(error) });
        return false;
      }
      try {
        await deps.deadLetters.send(record.body);
      } catch (sendError) {
        deps.log.error('could not park a record that can never succeed; SQS keeps it', { ...fields, ...errorFields(sendError) });
        return false;
      }
      metrics.count('ConsumerRecordDeadLettered');
      // The data is in the DLQ; the log says which message and why (never a payload).
      deps.log.error('record can never succeed; parked in the dead-letter queue', { ...fields, ...errorFields(error) });
      return true;
    }
  };
  return async (event) => {
    const results = await Promise.all(event.Records.map(one));
    return { batchItemFailures: event.Records.filter((_, index) => !results[index]).map((record) => ({ itemIdentifier: record.messageId })) };
  };
}
