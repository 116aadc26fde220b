import type { EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { BusSource, invoiceSettledSchema, NodeDetailType } from '../lib/bus/bus-events';
import type { Log } from '../lib/runtime/log';
import { type Metrics, noMetrics } from '../lib/runtime/metrics';
import { findInvoiceIdByPaymentHash } from '../lib/invoices/repository';
import { creditInvoiceSettlement } from '../lib/ledger/credit-invoice-settlement';
import { AlreadyAppliedError, SettlementFromOtherNodeError } from '../lib/ledger/errors';
import { SettlementCredited } from '../lib/observability/log-metrics';
import { busEventBatchHandler, PermanentRecordError, type BusConsumerDeps } from '../lib/queue/sqs-batch';
import type { Table } from '../lib/table/client';

export interface SettleInvoiceDeps {
  table: Table;
  log: Log;
  metrics?: Metrics;
}

export type InvoiceSettledEvent = EventBridgeEvent<typeof NodeDetailType.invoiceSettled, unknown>;

export type SettleResult = 'credited' | 'late_deposit' | 'already_credited' | 'not_ours';

/**
 * The node settled an invoice: credit it exactly once (invariant 3). The event can come
 * twice (the bridge replays after reconnects, the bus delivers at least once): the ledger's
 * condition on the invoice's state makes every repeat an AlreadyAppliedError, a success.
 * A hash we never issued (an invoice made on the node by hand) is not ours: counted and
 * dropped. A detail that fails its schema, or an event of the wrong rule, can never
 * succeed (the SQS consumer parks it in the DLQ at once); anything else throws, so SQS
 * delivers it again until it succeeds.
 */
export function createSettleInvoiceHandler(deps: SettleInvoiceDeps): (event: InvoiceSettledEvent) => Promise<SettleResult> {
  const metrics = deps.metrics ?? noMetrics;
  return async (event) => {
    if (event.source !== BusSource.node || event['detail-type'] !== NodeDetailType.invoiceSettled) {
      throw new PermanentRecordError(`settle-invoice got ${event.source} / ${event['detail-type']}: wrong rule`);
    }
    const settlement = invoiceSettledSchema.parse(event.detail);
    const invoiceId = await findInvoiceIdByPaymentHash(deps.table, settlement.payment_hash);
    if (!invoiceId) {
      metrics.count('SettlementOfUnknownInvoice');
      deps.log.warn('settlement of an invoice that is not ours; dropped', { paymentHash: settlement.payment_hash, settleIndex: settlement.settle_index });
      return 'not_ours';
    }
    try {
      const outcome = await creditInvoiceSettlement(deps.table, {
        invoiceId,
        amountPaidMsat: settlement.amount_paid_msat,
        settledAt: new Date(settlement.settled_at),
        nodeId: settlement.node_id,
      });
      metrics.count(outcome.kind === 'deposit' ? 'InvoiceCredited' : 'LateDepositCredited');
      deps.log.info('settlement credited', {
        event: SettlementCredited.event,
        // Node settle time → ledger credit: the SettlementLag alarm's metric.
        [SettlementCredited.fields.lagMs]: Math.max(0, Date.now() - Date.parse(settlement.settled_at)),
        invoiceId,
        kind: outcome.kind,
        amountPaidMsat: settlement.amount_paid_msat,
        settleIndex: settlement.settle_index,
      });
      return outcome.kind === 'deposit' ? 'credited' : 'late_deposit';
    } catch (error) {
      if (error instanceof AlreadyAppliedError) {
        metrics.count('SettlementAlreadyCredited');
        deps.log.info('settlement already credited; nothing to do', { invoiceId, settleIndex: settlement.settle_index });
        return 'already_credited';
      }
      if (error instanceof SettlementFromOtherNodeError) {
        // Not this invoice's money, and not to be lost: parked in the DLQ for a human (docs/RUNBOOK.md).
        metrics.count('SettlementFromOtherNode');
        deps.log.error('settlement from another node than the invoice\'s own; parked', { invoiceId, issuedBy: error.issuedBy, settledBy: error.settledBy, paymentHash: settlement.payment_hash });
        throw new PermanentRecordError(error.message);
      }
      throw error;
    }
  };
}

/** The Lambda's work: SQS batches from the settle-invoice queue (fed by the InvoiceSettled rule). */
export function createSettleInvoiceConsumer(deps: SettleInvoiceDeps & BusConsumerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return busEventBatchHandler('settle-invoice', deps, createSettleInvoiceHandler(deps));
}
