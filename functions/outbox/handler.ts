import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { EventBridgeBus } from '../lib/bus/eventbridge-bus';
import { embeddedMetrics } from '../lib/bus/log';
import { powertoolsLog } from '../lib/bus/powertools-log';
import { SqsQueue } from '../lib/queue/sqs-queue';
import { processOutboxRecords, type OutboxDeps } from './outbox';

const env = z
  .object({
    PAYOUT_QUEUE_URL: z.url('PAYOUT_QUEUE_URL must be the URL of the payout queue'),
    INVOICE_CANCEL_QUEUE_URL: z.url('INVOICE_CANCEL_QUEUE_URL must be the URL of the invoice cancel queue'),
    OUTBOX_FAILURES_QUEUE_URL: z.url('OUTBOX_FAILURES_QUEUE_URL must be the URL of the outbox failures queue'),
    EVENT_BUS_NAME: z.string('EVENT_BUS_NAME must name the event bus').min(1, 'EVENT_BUS_NAME must name the event bus'),
  })
  .parse(process.env);

const sqs = new SQSClient({});
const deps: OutboxDeps = {
  payoutQueue: new SqsQueue(sqs, env.PAYOUT_QUEUE_URL),
  invoiceCancelQueue: new SqsQueue(sqs, env.INVOICE_CANCEL_QUEUE_URL),
  failures: new SqsQueue(sqs, env.OUTBOX_FAILURES_QUEUE_URL),
  bus: new EventBridgeBus(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  log: powertoolsLog('outbox'),
  metrics: embeddedMetrics('LightningPayments/Outbox'),
};

/** The table's stream (event source mapping with ReportBatchItemFailures) → queues and bus. */
export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => processOutboxRecords(event.Records, deps);
