import { invoiceCancelMessageSchema, type InvoiceCancelMessage } from '../../functions/lib/bus/bus-events';
import { errorFields, type Log } from '../../functions/lib/runtime/log';
import { DEFAULT_NODE_ID } from '../../functions/lib/node/node-config';
import { findInvoice } from '../../functions/lib/invoices/repository';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import { InvoiceAlreadySettledError, UnknownInvoiceError } from '../../functions/lib/node/node-errors';
import type { Queue } from '../../functions/lib/queue/queue';
import { startQueueConsumer, type QueueConsumer } from '../../functions/lib/queue/queue-consumer';
import type { Table } from '../../functions/lib/table/client';
import type { BridgeMetrics } from './metrics';

export type CancelNode = Pick<LightningNode, 'cancelInvoice'>;

export interface InvoiceCancelWorkerOptions {
  queue: Queue;
  /** The nodes by id, the first the one of invoices that record none. */
  nodes: ReadonlyArray<{ id: string; node: CancelNode }>;
  /** Where the invoice records its node (read only with several nodes). */
  table: Table;
  log: Log;
  metrics: BridgeMetrics;
  concurrency: number;
  visibilityTimeoutSec: number;
  waitTimeSec: number;
  retryDelaySec: number;
}

/**
 * Cancels on the node the invoices another account paid internally, so no outside payer
 * can pay them as well, on the node that issued each (the invoice's node_id; one that records
 * none is the former single node, `default` or the first). Already canceled is success (the node port promises so); already settled
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
      const node = await issuerOf(options, cancel);
      if (!node) {
        // Never cancelled elsewhere: retried, then the dead-letter queue (alarmed) has it.
        metrics.invoiceCancels.inc({ result: 'unknown_node' });
        throw new Error(`invoice ${cancel.invoice_id} was issued by a node this bridge does not have`);
      }
      try {
        await node.cancelInvoice(cancel.payment_hash);
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

async function issuerOf(options: InvoiceCancelWorkerOptions, cancel: InvoiceCancelMessage): Promise<CancelNode | undefined> {
  const { nodes } = options;
  if (nodes.length === 1) return nodes[0]!.node;
  const recorded = (await findInvoice(options.table, cancel.invoice_id))?.node_id;
  const id = recorded ?? (nodes.some((each) => each.id === DEFAULT_NODE_ID) ? DEFAULT_NODE_ID : nodes[0]!.id);
  return nodes.find((each) => each.id === id)?.node;
}
