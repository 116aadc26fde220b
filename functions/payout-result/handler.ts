import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deadLettersFromEnv } from '../lib/queue/queue-from-env';
import { lazily, tableFromEnv } from '../lib/runtime/env';
import { powertoolsLog } from '../lib/runtime/log';
import { embeddedMetrics } from '../lib/runtime/metrics';
import { createPayoutResultConsumer } from './payout-result';

const consume = lazily(() =>
  createPayoutResultConsumer({
    table: tableFromEnv(),
    deadLetters: deadLettersFromEnv(),
    log: powertoolsLog('payout-result'),
    metrics: embeddedMetrics('LightningPayments/PayoutResult'),
  }),
);

/** SQS event source (ReportBatchItemFailures) on the payout-result queue, which the PaymentSucceeded/PaymentFailed rule feeds. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => consume()(event);
