import { consumerTableFromEnv } from '../lib/bus/consumer-env';
import { embeddedMetrics } from '../lib/bus/log';
import { powertoolsLog } from '../lib/bus/powertools-log';
import { createPayoutResultHandler, type PaymentResultEvent } from './payout-result';

const finish = createPayoutResultHandler({
  table: consumerTableFromEnv(),
  log: powertoolsLog('payout-result'),
  metrics: embeddedMetrics('LightningPayments/PayoutResult'),
});

/** EventBridge rule: source lightning-payments.node, detail-type PaymentSucceeded or PaymentFailed. */
export const handler = async (event: PaymentResultEvent): Promise<void> => {
  await finish(event);
};
