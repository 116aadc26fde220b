/**
 * Issue 14, item 3: LND lets a hash whose payment FAILED be paid again, so after a send
 * error the FAILED record the worker tracks may be an EARLIER withdrawal's. Trusting it
 * refunded the new withdrawal while the node then paid it. Here the node starts our
 * payment late (the simulator's hold_sends fault, as a node slow to write its payment
 * store), and the send stream drops before it did.
 */
import { describe, expect, it } from 'vitest';
import { BusSource, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { expectLedgerConsistent } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil, type PipelineHarness, paymentResultEvents } from '../support/pipeline-harness';

const FUNDS = 1_000_000;

const isFinal = (status: string) => status === 'succeeded' || status === 'failed';


async function entriesOf(h: PipelineHarness, accountId: string, withdrawalId: string) {
  return (await h.ledger(accountId))
    .filter((entry) => entry.reference_id === withdrawalId)
    .map((entry) => [entry.type, entry.amount_msat])
    .sort();
}

describe('a hash paid again after an earlier withdrawal of it failed', () => {
  const h = usePipelineHarness();

  it.each([
    ['succeeds', 'succeed', 'succeeded'],
    ['really fails', 'no_route', 'failed'],
  ] as const)('our attempt %s after the send stream dropped: judged by our payment, never the earlier FAILED one', { timeout: 60_000 }, async (_, outcome, status) => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const first = await h.withdraw({ merchantId, accountId, amountMsat: 50_000, feeReserveMsat: 1_000, outcome: 'hang' });
    await waitUntil(() => h.sim.paymentAttempts(first.payment_hash).attempts === 1, { message: 'first payment in flight' });
    h.sim.resolvePayment(first.payment_hash, 'no_route');
    await waitUntil(async () => (await h.readWithdrawal(first.id)).status === 'failed', { message: 'first withdrawal failed' });

    h.sim.holdSends(true);
    try {
      const second = await h.withdraw({ merchantId, accountId, amountMsat: 50_000, feeReserveMsat: 1_000, invoice: { bolt11: first.bolt11, paymentHash: first.payment_hash } });
      await waitUntil(() => h.sim.heldSendCount() === 1, { message: 'the send reached the node, not started yet' });
      expect(await h.readWithdrawal(second.id)).toMatchObject({ status: 'in_flight', prior_payment_index: expect.any(Number) });
      h.sim.dropStreams();

      // The node holds only the earlier FAILED payment: the worker must send again, not refund.
      await waitUntil(async () => h.sim.heldSendCount() >= 2 || isFinal((await h.readWithdrawal(second.id)).status), { message: 'the worker decided' });
      expect((await h.readWithdrawal(second.id)).status).toBe('in_flight');
      expect(await h.balance(accountId)).toBe(FUNDS - 51_000);

      h.sim.holdSends(false);
      await waitUntil(() => h.sim.paymentAttempts(first.payment_hash).attempts === 2, { message: 'our payment started' });
      h.sim.resolvePayment(first.payment_hash, outcome);

      const done = await waitUntil(async () => {
        const withdrawal = await h.readWithdrawal(second.id);
        return isFinal(withdrawal.status) ? withdrawal : undefined;
      });
      expect(done.status).toBe(status);
      expect(h.sim.paymentAttempts(first.payment_hash)).toEqual({ attempts: 2, settled: status === 'succeeded' });
      expect(await h.balance(accountId)).toBe(status === 'succeeded' ? FUNDS - 50_000 : FUNDS);
      expect(await entriesOf(h, accountId, second.id)).toEqual(
        (status === 'succeeded'
          ? [['fee_refund', 1_000], ['fee_reserve', -1_000], ['withdrawal', -50_000]]
          : [['fee_refund', 1_000], ['fee_reserve', -1_000], ['withdrawal', -50_000], ['withdrawal_refund', 50_000]]
        ).sort(),
      );
      await waitUntil(async () => (await h.pipeline.payoutQueue.peekAll()).length === 0, { message: 'payout messages deleted' });
      expect(paymentResultEvents(h, second.id)).toHaveLength(1);
      await expectLedgerConsistent(h.table, [accountId]);
    } finally {
      h.sim.holdSends(false);
    }
  });
});
