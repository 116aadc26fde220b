import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { consumerDeadLettersFromEnv, consumerTableFromEnv } from '../lib/bus/consumer-env';
import { embeddedMetrics } from '../lib/bus/log';
import { powertoolsLog } from '../lib/bus/powertools-log';
import { createSettleInvoiceConsumer } from './settle-invoice';

const consume = createSettleInvoiceConsumer({
  table: consumerTableFromEnv(),
  deadLetters: consumerDeadLettersFromEnv(),
  log: powertoolsLog('settle-invoice'),
  metrics: embeddedMetrics('LightningPayments/SettleInvoice'),
});

/** SQS event source (ReportBatchItemFailures) on the settle-invoice queue, which the InvoiceSettled rule feeds. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => consume(event);
