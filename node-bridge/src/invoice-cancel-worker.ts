import { invoiceCancelMessageSchema, type InvoiceCancelMessage } from '../../functions/lib/bus/bus-events';
import { errorFields, type Log } from '../../functions/lib/runtime/log';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import { InvoiceAlreadySettledError, UnknownInvoiceError } from '../../functions/lib/node/node-errors';
import type { Queue } from '../../functions/lib/queue/queue';
import { startQueueConsumer, type QueueConsumer } from '../../functions/lib/queue/queue-consumer';
import type { BridgeMetrics } from './metrics';

export interface InvoiceCancelWorkerOptions {
  queue: Queue;
  node: Pick<LightningNode, 'cancelInvoice'>;
  log: Log;
  metrics: BridgeMetrics;
  concurrency: number;
  visibilityTimeoutSec: number;
  waitTimeSec: number;
  retryDelaySec: number;
}

/**
 * Cancels on the node the invoices another account paid internally, so no outside payer
 * can pay them as well. Already canceled is success (the node port promises so); already settled
 * is fine too: an outside payer was first, and the settle consumer credits that as a late
 * deposit. A node that cannot be reached is retried later.
 */
export function startInvoiceCancelWorker(options: InvoiceCancelWorkerOptions): QueueConsumer {
  const { log, metrics } = options;
  return startQueueConsumer({
    queue: options.queue,
    concurrency: options.concurrency,
    waitTimeSec: options.waitTimeSec,
    visibilityTimeoutSec: options.visibilityTimeoutSec,
    retryDelaySec: () => options.retryDelaySec,
    log,
    handle: async (message) => {
      let cancel: InvoiceCancelMessage;
      try {
        cancel = invoiceCancelMessageSchema.parse(JSON.parse(message.body));
      } catch (error) {
        log.error('malformed invoice cancel message; left for the dead-letter queue', { messageId: message.id, ...errorFields(error) });
        return { keep: true };
      }
      const context = { invoiceId: cancel.invoice_id, paymentHash: cancel.payment_hash };
      try {
        await options.node.cancelInvoice(cancel.payment_hash);
        metrics.invoiceCancels.inc({ result: 'canceled' });
        log.info('invoice canceled on the node', context);
      } catch (error) {
        if (error instanceof InvoiceAlreadySettledError) {
          metrics.invoiceCancels.inc({ result: 'already_settled' });
          log.warn('invoice was settled on the node before it could be canceled; it is credited as a late deposit', context);
          return;
        }
        if (error instanceof UnknownInvoiceError) {
          metrics.invoiceCancels.inc({ result: 'unknown' });
          log.warn('the node does not know the invoice to cancel', context);
          return;
        }
        metrics.invoiceCancels.inc({ result: 'error' });
        throw error;
      }
    },
  });
}
