import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deadLettersFromEnv } from '../lib/queue/queue-from-env';
import { lazily, tableFromEnv } from '../lib/runtime/env';
import { powertoolsLog } from '../lib/runtime/log';
import { embeddedMetrics } from '../lib/runtime/metrics';
import { createSettleInvoiceConsumer } from './settle-invoice';

const consume = lazily(() =>
  createSettleInvoiceConsumer({
    table: tableFromEnv(),
    deadLetters: deadLettersFromEnv(),
    log: powertoolsLog('settle-invoice'),
    metrics: embeddedMetrics('LightningPayments/SettleInvoice'),
  }),
);

/** SQS event source (ReportBatchItemFailures) on the settle-invoice queue, which the InvoiceSettled rule feeds. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => consume()(event);
