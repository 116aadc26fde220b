/**
 * The re-queue of a payment still in flight after maxTrackSec: if that SendMessage fails
 * (AccessDenied before the bridge had the grant, a throttle), the original message must stay
 * in the queue and come back, never be deleted with nothing left to finish the payment.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BusEntry, EventBus } from '../../functions/lib/bus/event-bus';
import { silentLog } from '../../functions/lib/runtime/log';
import { IdPrefix, newId } from '../../functions/lib/ids';
import { debitWithdrawal } from '../../functions/lib/ledger/debit-withdrawal';
import type { NodeStream } from '../../functions/lib/node/lightning-node';
import { NodePaymentStatus, type PaymentUpdate } from '../../functions/lib/node/node-types';
import { LocalQueues } from '../../infra/local/aws/local-queue';
import type { Queue } from '../../functions/lib/queue/queue';
import { createBridgeMetrics } from '../../node-bridge/src/metrics';
import { startPayoutWorker, type PayoutNode } from '../../node-bridge/src/payout-worker';
import { fund, newMerchant } from '../support/ledger-fixtures';
import { useLocalQueueTable, waitUntil } from '../support/pipeline-harness';
import { useTestTable } from '../support/table';

/** A node on which the payment is in flight and stays so: every track streams IN_FLIGHT until cancelled. */
function hangingNode(paymentHash: string): PayoutNode {
  const inFlight: PaymentUpdate = {
    paymentHash,
    preimage: null,
    status: NodePaymentStatus.inFlight,
    failureReason: null,
    feeMsat: 0,
    paymentIndex: 1,
  };
  const stream = (): NodeStream<PaymentUpdate> => {
    let cancel = () => {};
    const cancelled = new Promise<void>((resolve) => (cancel = resolve));
    return {
      cancel,
      async *[Symbol.asyncIterator]() {
        yield inFlight;
        await cancelled;
      },
    };
  };
  return { trackPayment: stream, pay: () => { throw new Error('a payment in flight is never sent again'); } };
}

describe('payout worker: the re-queue of a long payment fails', () => {
  const table = useTestTable();
  const queues = useLocalQueueTable();

  it('keeps the original message, which comes back and is tracked again', { timeout: 20_000 }, async () => {
    const merchant = await newMerchant(table);
    const accountId = merchant.default_account_id;
    await fund(table, { merchantId: merchant.merchant_id, accountId, amountMsat: 100_000 });
    const paymentHash = randomBytes(32).toString('hex');
    const withdrawal = await debitWithdrawal(table, {
      id: newId(IdPrefix.withdrawal),
      merchantId: merchant.merchant_id,
      accountId,
      amountMsat: 10_000,
      feeReserveMsat: 1_000,
      paymentHash,
      bolt11: 'lnbcrt1fake',
      createdAt: new Date().toISOString(),
    });
    const local = new LocalQueues(queues.table, { pollIntervalMs: 20 }).queue(`payout-${randomBytes(4).toString('hex')}`, { maxReceiveCount: 10 });
    let sendsRefused = 0;
    const queue: Queue = {
      name: local.name,
      send: async () => {
        sendsRefused++;
        throw Object.assign(new Error('User is not authorized to perform: sqs:SendMessage'), { name: 'AccessDenied' });
      },
      receive: (options) => local.receive(options),
      delete: (handle) => local.delete(handle),
      changeVisibility: (handle, sec) => local.changeVisibility(handle, sec),
    };
    await local.send(JSON.stringify({ withdrawal_id: withdrawal.id, payment_hash: paymentHash, bolt11: withdrawal.bolt11, amount_msat: 10_000, fee_limit_msat: 1_000 }));
    const published: BusEntry[] = [];
    const bus: EventBus = { putEvents: async (entries) => (published.push(...entries), { failed: [] }) };

    const worker = startPayoutWorker({
      queue,
      node: hangingNode(paymentHash),
      table,
      bus,
      log: silentLog,
      metrics: createBridgeMetrics(),
      concurrency: 1,
      paymentTimeoutSec: 1,
      visibilityTimeoutSec: 3,
      waitTimeSec: 1,
      retryDelaySec: 0,
      maxTrackSec: 1,
      recheckDelaySec: 1,
      publishRetryBaseMs: 10,
      publishRetryMaxMs: 50,
    });
    try {
      await waitUntil(async () => sendsRefused >= 2, { message: 'the re-queue refused twice' });
    } finally {
      await worker.stop();
    }
    const left = await local.peekAll();
    expect(left).toHaveLength(1);
    expect(left[0]!.receive_count).toBeGreaterThanOrEqual(2);
    expect(published).toEqual([]);
  });
});
