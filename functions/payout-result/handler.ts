import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { consumerDeadLettersFromEnv, consumerTableFromEnv } from '../lib/bus/consumer-env';
import { embeddedMetrics } from '../lib/bus/log';
import { powertoolsLog } from '../lib/bus/powertools-log';
import { createPayoutResultConsumer } from './payout-result';

const consume = createPayoutResultConsumer({
  table: consumerTableFromEnv(),
  deadLetters: consumerDeadLettersFromEnv(),
  log: powertoolsLog('payout-result'),
  metrics: embeddedMetrics('LightningPayments/PayoutResult'),
});

/** SQS event source (ReportBatchItemFailures) on the payout-result queue, which the PaymentSucceeded/PaymentFailed rule feeds. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => consume(event);
