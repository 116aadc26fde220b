import { consumerTableFromEnv } from '../lib/bus/consumer-env';
import { embeddedMetrics } from '../lib/bus/log';
import { powertoolsLog } from '../lib/bus/powertools-log';
import { createSettleInvoiceHandler, type InvoiceSettledEvent } from './settle-invoice';

const settle = createSettleInvoiceHandler({
  table: consumerTableFromEnv(),
  log: powertoolsLog('settle-invoice'),
  metrics: embeddedMetrics('LightningPayments/SettleInvoice'),
});

/** EventBridge rule: source lightning-payments.node, detail-type InvoiceSettled. */
export const handler = async (event: InvoiceSettledEvent): Promise<void> => {
  await settle(event);
};
