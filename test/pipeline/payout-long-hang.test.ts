/**
 * Must show (issue 14): a payment in flight for 10 minutes ends exactly once, refunded or
 * finished. Compressed real time: the bridge's payout queue dead-letters after 2 receives
 * of a 2 s visibility timeout (4 s), and the payment hangs on the node for 10 s. Only the
 * re-queue of a fresh message (receive count 1 again) every PAYOUT_MAX_TRACK_SEC keeps it
 * out of the DLQ; the same message kept and looked at again would be dead-lettered.
 */
import { describe, expect, it } from 'vitest';
import { BusSource, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { PAYOUT_QUEUE } from '../../infra/local/pipeline';
import { expectLedgerConsistent } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil, type PipelineHarness, paymentResultEvents } from '../support/pipeline-harness';

const FUNDS = 1_000_000;
const MAX_RECEIVE_COUNT = 2;
const VISIBILITY_TIMEOUT_SEC = 2;
const HANG_MS = 10_000;


describe('a payment that hangs far longer than the payout queue keeps a message', () => {
  const h = usePipelineHarness({
    bridgeEnv: {
      LOCAL_PAYOUT_MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
      PAYOUT_VISIBILITY_TIMEOUT_SEC: String(VISIBILITY_TIMEOUT_SEC),
      PAYOUT_MAX_TRACK_SEC: '1',
      PAYOUT_RECHECK_DELAY_SEC: '1',
    },
  });

  it.each([
    ['succeed', 'succeeded', FUNDS - 100_000],
    ['no_route', 'failed', FUNDS],
  ] as const)('ends once when it resolves as %s: one result, ledger exact, DLQ empty, one attempt', { timeout: 40_000 }, async (outcome, status, balance) => {
    expect(HANG_MS).toBeGreaterThan(2 * MAX_RECEIVE_COUNT * VISIBILITY_TIMEOUT_SEC * 1000);
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 100_000, feeReserveMsat: 2_000, outcome: 'hang' });
    await waitUntil(async () => (await h.readWithdrawal(withdrawal.id)).status === 'in_flight', { message: 'in flight' });
    const hungAt = Date.now();
    const trackedBefore = await h.bridgeMetric('bridge_payments_tracked_total');

    await waitUntil(() => Date.now() - hungAt >= HANG_MS, { timeoutMs: HANG_MS + 5_000, intervalMs: 250, message: 'the hang lasted' });
    expect((await h.readWithdrawal(withdrawal.id)).status).toBe('in_flight');
    expect(await h.pipeline.queues.deadLetterQueue(PAYOUT_QUEUE).peekAll()).toEqual([]);
    expect(await h.bridgeMetric('bridge_payments_tracked_total')).toBeGreaterThan(trackedBefore + 3);
    expect(paymentResultEvents(h, withdrawal.id)).toHaveLength(0);

    h.sim.resolvePayment(withdrawal.payment_hash, outcome);
    await waitUntil(async () => (await h.readWithdrawal(withdrawal.id)).status === status, { message: status });
    await waitUntil(async () => (await h.pipeline.payoutQueue.peekAll()).length === 0, { message: 'payout messages deleted' });

    expect(await h.balance(accountId)).toBe(balance);
    expect(h.sim.paymentAttempts(withdrawal.payment_hash)).toEqual({ attempts: 1, settled: status === 'succeeded' });
    expect(await h.pipeline.queues.deadLetterQueue(PAYOUT_QUEUE).peekAll()).toEqual([]);
    expect(paymentResultEvents(h, withdrawal.id)).toHaveLength(1);
    await expectLedgerConsistent(h.table, [accountId]);
  });
});
