import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { EventBridgeBus } from '../lib/bus/eventbridge-bus';
import { SqsQueue } from '../lib/queue/sqs-queue';
import { lazily, parseEnv, queueUrlVariable } from '../lib/runtime/env';
import { powertoolsLog } from '../lib/runtime/log';
import { embeddedMetrics } from '../lib/runtime/metrics';
import { processOutboxRecords, type OutboxDeps } from './outbox';

const envSchema = z.object({
  PAYOUT_QUEUE_URL: queueUrlVariable('PAYOUT_QUEUE_URL', 'the payout queue'),
  INVOICE_CANCEL_QUEUE_URL: queueUrlVariable('INVOICE_CANCEL_QUEUE_URL', 'the invoice cancel queue'),
  OUTBOX_FAILURES_QUEUE_URL: queueUrlVariable('OUTBOX_FAILURES_QUEUE_URL', 'the outbox failures queue'),
  EVENT_BUS_NAME: z.string('EVENT_BUS_NAME must name the event bus').min(1, 'EVENT_BUS_NAME must name the event bus'),
});

const processDependencies = lazily((): OutboxDeps => {
  const env = parseEnv(envSchema);
  const sqs = new SQSClient({});
  return {
    payoutQueue: new SqsQueue(sqs, env.PAYOUT_QUEUE_URL),
    invoiceCancelQueue: new SqsQueue(sqs, env.INVOICE_CANCEL_QUEUE_URL),
    failures: new SqsQueue(sqs, env.OUTBOX_FAILURES_QUEUE_URL),
    bus: new EventBridgeBus(new EventBridgeClient({}), env.EVENT_BUS_NAME),
    log: powertoolsLog('outbox'),
    metrics: embeddedMetrics('LightningPayments/Outbox'),
  };
});

/** The table's stream (event source mapping with ReportBatchItemFailures) → queues and bus. */
export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => processOutboxRecords(event.Records, processDependencies());
