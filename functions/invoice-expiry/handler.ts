import type { ScheduledEvent } from 'aws-lambda';
import { systemClock } from '../lib/runtime/clock';
import { lazily, tableFromEnv } from '../lib/runtime/env';
import { powertoolsLog } from '../lib/runtime/log';
import { expireDueInvoices, type InvoiceExpiryDependencies, type InvoiceExpiryResult } from './expire-due-invoices';

const processDependencies = lazily(
  (): InvoiceExpiryDependencies => ({ table: tableFromEnv(), clock: systemClock, log: powertoolsLog('lightning-payments-invoice-expiry') }),
);

/** Lambda entry point (EventBridge schedule, every minute). */
export async function handler(_event: ScheduledEvent): Promise<InvoiceExpiryResult> {
  return expireDueInvoices(processDependencies());
}
