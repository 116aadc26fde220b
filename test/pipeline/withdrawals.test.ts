import { describe, expect, it } from 'vitest';
import { BusSource, LedgerDetailType, NodeDetailType, type LiquidityLow } from '../../functions/lib/bus/bus-events';
import type { PaymentOutcome } from '../../lnd-simulator';
import { expectLedgerConsistent } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil, type PipelineHarness, paymentResultEvents } from '../support/pipeline-harness';

const FUNDS = 1_000_000;

async function waitFinal(h: PipelineHarness, withdrawalId: string) {
  return waitUntil(
    async () => {
      const withdrawal = await h.readWithdrawal(withdrawalId);
      return withdrawal.status === 'succeeded' || withdrawal.status === 'failed' ? withdrawal : undefined;
    },
    { message: `withdrawal ${withdrawalId} final`, timeoutMs: 30_000 },
  );
}

async function entriesOf(h: PipelineHarness, accountId: string, withdrawalId: string) {
  return (await h.ledger(accountId))
    .filter((entry) => entry.reference_id === withdrawalId)
    .map((entry) => [entry.type, entry.amount_msat])
    .sort();
}


describe('withdrawals: every payment outcome, finalised exactly once', () => {
  // Inbound liquidity of the simulator is 5,000,000,000 msat: below this threshold on purpose.
  // The shortest payout visibility the bridge accepts (2 s, heartbeat every 2/3 s), so the hang below outlasts several in less time.
  const h = usePipelineHarness({ bridgeEnv: { LIQUIDITY_MIN_INBOUND_MSAT: '6000000000', LIQUIDITY_MIN_OUTBOUND_MSAT: '1000', PAYOUT_VISIBILITY_TIMEOUT_SEC: '2' } });

  it('succeeds: records the fee and refunds the unused reserve, once', async () => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 100_000, feeReserveMsat: 10_000, feeMsat: 2_000, outcome: 'succeed' });
    expect(await h.balance(accountId)).toBe(FUNDS - 110_000);

    const done = await waitFinal(h, withdrawal.id);

    expect(done).toMatchObject({ status: 'succeeded', fee_msat: 2_000, failure_reason: null });
    expect(done.preimage).toMatch(/^[0-9a-f]{64}$/);
    expect(await h.balance(accountId)).toBe(FUNDS - 102_000);
    expect(await entriesOf(h, accountId, withdrawal.id)).toEqual(
      [
        ['fee_refund', 8_000],
        ['fee_reserve', -10_000],
        ['withdrawal', -100_000],
      ].sort(),
    );
    expect(h.sim.paymentAttempts(withdrawal.payment_hash)).toEqual({ attempts: 1, settled: true });
    await waitUntil(() =>
      h.events.some((e) => e['detail-type'] === LedgerDetailType.domainEvent && JSON.stringify(e.detail).includes('withdrawal.succeeded') && JSON.stringify(e.detail).includes(withdrawal.id)),
    );
    expect(paymentResultEvents(h, withdrawal.id)).toHaveLength(1);
    await expectLedgerConsistent(h.table, [accountId]);
  });

  it.each<[PaymentOutcome, string]>([
    ['no_route', 'no_route'],
    ['insufficient_balance', 'insufficient_balance'],
    ['timeout', 'timeout'],
  ])('fails with %s: refunds amount and reserve once, after the node said FAILED', async (outcome, reason) => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 200_000, feeReserveMsat: 10_000, outcome });

    const done = await waitFinal(h, withdrawal.id);

    expect(done).toMatchObject({ status: 'failed', failure_reason: reason, fee_msat: null });
    expect(await h.balance(accountId)).toBe(FUNDS);
    expect(await entriesOf(h, accountId, withdrawal.id)).toEqual(
      [
        ['fee_refund', 10_000],
        ['fee_reserve', -10_000],
        ['withdrawal', -200_000],
        ['withdrawal_refund', 200_000],
      ].sort(),
    );
    expect(h.sim.paymentAttempts(withdrawal.payment_hash)).toEqual({ attempts: h.sim.attemptsFor(outcome), settled: false });
    await expectLedgerConsistent(h.table, [accountId]);
  });

  it('pays an amountless invoice the withdrawal amount (amt_msat for it only), records the fee and refunds the rest of the reserve', async () => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 70_000, feeReserveMsat: 5_000, feeMsat: 1_500, amountless: true });

    const done = await waitFinal(h, withdrawal.id);

    expect(done).toMatchObject({ status: 'succeeded', fee_msat: 1_500, failure_reason: null });
    expect(await h.balance(accountId)).toBe(FUNDS - 71_500);
    expect(await entriesOf(h, accountId, withdrawal.id)).toEqual(
      [
        ['fee_refund', 3_500],
        ['fee_reserve', -5_000],
        ['withdrawal', -70_000],
      ].sort(),
    );
    expect(h.sim.paymentAttempts(withdrawal.payment_hash)).toEqual({ attempts: 1, settled: true });
    expect(paymentResultEvents(h, withdrawal.id)).toHaveLength(1);
    await expectLedgerConsistent(h.table, [accountId]);
  });

  it('hands the fee reserve to the node as the fee limit: a route costing more is not taken', async () => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 100_000, feeReserveMsat: 1_000, feeMsat: 1_001 });

    const done = await waitFinal(h, withdrawal.id);

    expect(done).toMatchObject({ status: 'failed', failure_reason: 'no_route' });
    expect(await h.balance(accountId)).toBe(FUNDS);
  });

  it('refunds a withdrawal whose invoice expired before the node could pay it: the node refused, nothing left it', async () => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    // The bridge sees the payout only after the invoice expired, as a queue backlog would deliver it
    // late: here the withdrawal is written once the invoice has expired (no bridge restart needed).
    const createdAtSec = Math.floor(Date.now() / 1000);
    const outside = h.sim.createOutsideInvoice({ amountMsat: 40_000, outcome: 'succeed', expirySec: 1 });
    await waitUntil(() => Date.now() >= (createdAtSec + 2) * 1000, { message: 'invoice expired' });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 40_000, feeReserveMsat: 1_000, invoice: outside });

    const done = await waitFinal(h, withdrawal.id);

    expect(done).toMatchObject({ status: 'failed', failure_reason: 'error' });
    expect(h.sim.paymentAttempts(withdrawal.payment_hash)).toEqual({ attempts: 0, settled: false });
    expect(await h.balance(accountId)).toBe(FUNDS);
    await expectLedgerConsistent(h.table, [accountId]);
  });

  it('leaves a hanging payment in flight, unrefunded, for as long as it hangs; then finalises it once', async () => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 300_000, feeReserveMsat: 5_000, outcome: 'hang' });
    await waitUntil(async () => (await h.readWithdrawal(withdrawal.id)).status === 'in_flight', { message: 'in flight' });
    const extensionsBefore = await h.bridgeMetric('bridge_payout_visibility_extensions_total');

    // Several visibility timeouts (2 s) pass while the payment hangs: it stays hidden, in flight, and debited.
    await waitUntil(async () => (await h.bridgeMetric('bridge_payout_visibility_extensions_total')) >= extensionsBefore + 4, {
      message: 'payout message kept hidden',
      timeoutMs: 30_000,
    });
    expect((await h.readWithdrawal(withdrawal.id)).status).toBe('in_flight');
    expect(await h.balance(accountId)).toBe(FUNDS - 305_000);
    expect(paymentResultEvents(h, withdrawal.id)).toHaveLength(0);
    expect(await h.pipeline.payoutQueue.peekAll()).toHaveLength(1);

    h.sim.resolvePayment(withdrawal.payment_hash, 'succeed');

    const done = await waitFinal(h, withdrawal.id);
    expect(done).toMatchObject({ status: 'succeeded', fee_msat: 0 });
    expect(await h.balance(accountId)).toBe(FUNDS - 300_000);
    expect(h.sim.paymentAttempts(withdrawal.payment_hash)).toEqual({ attempts: 1, settled: true });
    await waitUntil(async () => (await h.pipeline.payoutQueue.peekAll()).length === 0, { message: 'payout message deleted' });
    expect(paymentResultEvents(h, withdrawal.id)).toHaveLength(1);
    await expectLedgerConsistent(h.table, [accountId]);
  });

  it('serves /healthz, /readyz and Prometheus /metrics, and reports low liquidity on the bus', async () => {
    const url = h.pipeline.bridge!.httpUrl;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await waitUntil(async () => (await fetch(`${url}/readyz`)).status === 200, { message: 'ready' });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', checks: { invoiceStream: true, acceptingWork: true } });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    // The simulated channel is ours (we pay its 2,810 sat commitment fee): LND's local balance is
    // net of that fee, Core Lightning's ListFunds our_amount_msat is not. The peer's side is the same.
    const localMsat = h.sim.backend === 'cln' ? 10_002_810_000 : 10_000_000_000;
    expect(metrics).toMatch(new RegExp(`^lnd_channel_local_balance_msat ${localMsat}$`, 'm'));
    expect(metrics).toMatch(/^lnd_channel_remote_balance_msat 5000000000$/m);
    expect(metrics).toMatch(/^bridge_liquidity_low\{direction="inbound"\} 1$/m);
    expect(metrics).toMatch(/^bridge_liquidity_low\{direction="outbound"\} 0$/m);
    expect(metrics).toContain('bridge_settle_index_cursor');

    const low = await waitUntil(() => h.events.find((e) => e['detail-type'] === NodeDetailType.liquidityLow));
    expect(low.detail as LiquidityLow).toMatchObject({ direction: 'inbound', available_msat: 5_000_000_000, threshold_msat: 6_000_000_000 });
    // Never a credential in the logs.
    const logs = h.pipeline.bridge!.logs().join('\n');
    expect(logs).not.toContain(h.sim.secretCredentialText());
    expect(logs).not.toContain('BEGIN CERTIFICATE');
  });
});
