import type { ScheduledEvent } from 'aws-lambda';
import { systemClock } from '../lib/webhooks/clock';
import { lazily, tableFromEnv } from '../lib/webhooks/environment';
import { powertoolsWebhookLog } from '../lib/webhooks/log';
import { expireDueInvoices, type InvoiceExpiryDependencies, type InvoiceExpiryResult } from './expire-due-invoices';

export const EXPIRY_INTERVAL_MS = 60_000;

export interface InvoiceExpiryTimer {
  /** Waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * The local stack's stand-in for the every-minute EventBridge schedule: a run at once, then
 * one every `intervalMs`, never two at a time; a failed run is logged and the next one
 * tries again.
 */
export function startInvoiceExpiryTimer(deps: InvoiceExpiryDependencies, intervalMs = EXPIRY_INTERVAL_MS): InvoiceExpiryTimer {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = expireDueInvoices(deps)
      .then(() => undefined)
      .catch((error: unknown) => deps.log.error('invoice expiry run failed', { error: String(error) }))
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

const processDependencies = lazily(
  (): InvoiceExpiryDependencies => ({ table: tableFromEnv(), clock: systemClock, log: powertoolsWebhookLog('lightning-payments-invoice-expiry') }),
);

/** Lambda entry point (EventBridge schedule, every minute). */
export async function handler(_event: ScheduledEvent): Promise<InvoiceExpiryResult> {
  return expireDueInvoices(processDependencies());
}
