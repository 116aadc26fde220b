import type { EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { BusSource, NodeDetailType, paymentFailedSchema, paymentSucceededSchema } from '../lib/bus/bus-events';
import type { Log } from '../lib/runtime/log';
import { type Metrics, noMetrics } from '../lib/runtime/metrics';
import { NotFoundError } from '../lib/errors';
import { AlreadyAppliedError, PaymentHashMismatchError } from '../lib/ledger/errors';
import { failWithdrawal, settleWithdrawal } from '../lib/ledger/finish-withdrawal';
import { busEventBatchHandler, PermanentRecordError, type BusConsumerDeps } from '../lib/queue/sqs-batch';
import type { Table } from '../lib/table/client';

export interface PayoutResultDeps {
  table: Table;
  log: Log;
  metrics?: Metrics;
}

export type PaymentResultEvent = EventBridgeEvent<typeof NodeDetailType.paymentSucceeded | typeof NodeDetailType.paymentFailed, unknown>;

export type PayoutResult = 'succeeded' | 'failed' | 'already_final';

/**
 * The node reported a payment's final state: finish the withdrawal exactly once. SUCCEEDED
 * records fee and preimage and refunds the unused reserve; FAILED refunds everything
 * (invariant 4: the bridge only ever sends PaymentFailed after the node said FAILED). A
 * repeat is an AlreadyAppliedError, a success. There is no event for "in flight": an
 * in-flight withdrawal is never touched here.
 */
export function createPayoutResultHandler(deps: PayoutResultDeps): (event: PaymentResultEvent) => Promise<PayoutResult> {
  const metrics = deps.metrics ?? noMetrics;
  return async (event) => {
    if (event.source !== BusSource.node) throw new PermanentRecordError(`payout-result got an event from ${event.source}: wrong rule`);
    const detailType = event['detail-type'];
    const result =
      detailType === NodeDetailType.paymentSucceeded
        ? { kind: 'succeeded' as const, detail: paymentSucceededSchema.parse(event.detail) }
        : detailType === NodeDetailType.paymentFailed
          ? { kind: 'failed' as const, detail: paymentFailedSchema.parse(event.detail) }
          : undefined;
    if (!result) throw new PermanentRecordError(`payout-result got detail-type ${detailType}: wrong rule`);

    const withdrawalId = result.detail.withdrawal_id;
    const paymentHash = result.detail.payment_hash;
    try {
      if (result.kind === 'succeeded') {
        const done = await settleWithdrawal(deps.table, {
          withdrawalId,
          paymentHash,
          feeMsat: result.detail.fee_msat,
          preimage: result.detail.preimage,
          settledAt: new Date(result.detail.settled_at),
        });
        metrics.count('WithdrawalSucceeded');
        deps.log.info('withdrawal succeeded', { withdrawalId, feeMsat: done.fee_msat });
      } else {
        await failWithdrawal(deps.table, {
          withdrawalId,
          paymentHash,
          failureReason: result.detail.failure_reason,
          failedAt: new Date(result.detail.failed_at),
        });
        metrics.count('WithdrawalFailed');
        deps.log.info('withdrawal failed and refunded', { withdrawalId, failureReason: result.detail.failure_reason });
      }
      return result.kind;
    } catch (error) {
      // A result for another hash than the withdrawal's, or for none, is a bug upstream: parked in the DLQ at once.
      if (error instanceof NotFoundError) throw new PermanentRecordError(`payment result for unknown withdrawal ${withdrawalId}`, { cause: error });
      if (error instanceof PaymentHashMismatchError) throw new PermanentRecordError(error.message, { cause: error });
      if (error instanceof AlreadyAppliedError) {
        metrics.count('PaymentResultAlreadyApplied');
        deps.log.info('withdrawal already final; nothing to do', { withdrawalId, reported: result.kind });
        return 'already_final';
      }
      throw error;
    }
  };
}

/** The Lambda's work: SQS batches from the payout-result queue (fed by the PaymentSucceeded/PaymentFailed rule). */
export function createPayoutResultConsumer(deps: PayoutResultDeps & BusConsumerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return busEventBatchHandler('payout-result', deps, createPayoutResultHandler(deps));
}
