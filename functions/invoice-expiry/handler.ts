import type { ScheduledEvent } from 'aws-lambda';
import { systemClock } from '../lib/webhooks/clock';
import { lazily, tableFromEnv } from '../lib/webhooks/environment';
import { powertoolsWebhookLog } from '../lib/webhooks/log';
import { expireDueInvoices, type InvoiceExpiryDependencies, type InvoiceExpiryResult } from './expire-due-invoices';

const processDependencies = lazily(
  (): InvoiceExpiryDependencies => ({ table: tableFromEnv(), clock: systemClock, log: powertoolsWebhookLog('lightning-payments-invoice-expiry') }),
);

/** Lambda entry point (EventBridge schedule, every minute). */
export async function handler(_event: ScheduledEvent): Promise<InvoiceExpiryResult> {
  return expireDueInvoices(processDependencies());
}
