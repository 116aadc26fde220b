/**
 * Must show (issue 14): a payment in flight for 10 minutes ends exactly once, refunded or
 * finished.
 *
 * Scaled: every duration, by one factor (TIME_SCALE). The bridge runs with NONE of
 * FAST_TIMING's duration overrides: LOCAL_TIME_SCALE multiplies its production defaults
 * (node-bridge/src/config.ts: 60 s payout visibility, heartbeat every 20 s, 15 s max
 * track, 30 s recheck delay, 10 s retry delay, 60 s payment timeout, ...), the pipeline's
 * delivery durations (infra/delivery.ts) run at the same factor, and the payment hangs on
 * the node for 600 s × TIME_SCALE after the withdrawal went in flight.
 *
 * Exact: the counts. The payout queue dead-letters after the template's maxReceiveCount
 * (infra/delivery.ts, 10) receives; the bridge's payout concurrency is its default.
 *
 * Not scaled: LND's timeout_seconds is whole seconds, so the bridge hands the node
 * ceil(60 s × scale) = 1 s (the simulator leaves a hanging payment hanging either way); the
 * pollers' intervals (the local queue's 40 ms look at its table) are the stand-ins' cost,
 * not AWS durations.
 *
 * The 10 minutes are (at least) the bridge's receive visibility × maxReceiveCount: a bridge
 * that kept the same message and looked at it again every recheck (45 s a round) would see
 * it dead-lettered after about 7.5 minutes, and the payment left in flight with nobody
 * tracking it. Only the re-queue of a fresh copy (receive count 0 again) every
 * PAYOUT_MAX_TRACK_SEC keeps the payout alive. Real time: about 6 s of hang per case.
 */
import { describe, expect, it } from 'vitest';
import { LedgerEntryType } from '../../functions/lib/ledger/ledger-entry';
import { delivery } from '../../infra/delivery';
import { FAST_TIMING, PAYOUT_QUEUE } from '../../infra/local/pipeline';
import { DURATION_DEFAULTS, readBridgeConfig } from '../../node-bridge/src/config';
import { expectLedgerConsistent } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil, type PipelineHarness, paymentResultEvents } from '../support/pipeline-harness';

const TIME_SCALE = 0.01;
const HANG_MS = 600 * 1000 * TIME_SCALE;
const FUNDS = 1_000_000;
const AMOUNT = 100_000;
const FEE_RESERVE = 2_000;
const FEE = 1_500;

const OUTCOMES = [
  ['succeed', 'succeeded', FUNDS - AMOUNT - FEE],
  ['no_route', 'failed', FUNDS],
] as const;

describe('a payment in flight for 10 minutes (scaled) ends exactly once, with the bridge\'s production settings', () => {
  const h = usePipelineHarness({ bridgeTiming: 'production-scaled', timeScale: TIME_SCALE });

  /** The bridge's configuration exactly as the running child read it. */
  const bridgeConfig = () => readBridgeConfig(h.pipeline.bridgeEnv());

  it('runs the bridge on its production defaults × the scale, and the queue on the template\'s count', () => {
    const env = h.pipeline.bridgeEnv();
    for (const name of Object.keys(FAST_TIMING.bridgeEnv)) {
      if (name in DURATION_DEFAULTS) expect(env[name], name).toBeUndefined();
    }
    const config = bridgeConfig();
    expect(config.timeScale).toBe(TIME_SCALE);
    expect(config.payouts.visibilityTimeoutSec).toBeCloseTo(DURATION_DEFAULTS.PAYOUT_VISIBILITY_TIMEOUT_SEC * TIME_SCALE, 9);
    expect(config.payouts.maxTrackSec).toBeCloseTo(DURATION_DEFAULTS.PAYOUT_MAX_TRACK_SEC * TIME_SCALE, 9);
    expect(config.payouts.recheckDelaySec).toBeCloseTo(DURATION_DEFAULTS.PAYOUT_RECHECK_DELAY_SEC * TIME_SCALE, 9);
    expect(config.payouts.retryDelaySec).toBeCloseTo(DURATION_DEFAULTS.PAYOUT_RETRY_DELAY_SEC * TIME_SCALE, 9);
    expect(config.payouts.paymentTimeoutSec).toBeCloseTo(DURATION_DEFAULTS.PAYOUT_TIMEOUT_SEC * TIME_SCALE, 9);
    expect(config.payouts.concurrency).toBe(8);
    expect(config.queues).toMatchObject({ backend: 'local', payoutMaxReceiveCount: delivery.queues.payout.maxReceiveCount });
    expect(delivery.queues.payout.maxReceiveCount).toBe(10);
    // The claim needs the hang to outlast every receive the queue allows at the bridge's visibility.
    expect(HANG_MS).toBeGreaterThanOrEqual(keepAliveBoundMs());
  });

  it.each(OUTCOMES)('hangs, then resolves as %s: one terminal state, one result, one attempt, DLQ empty, ledger exact', { timeout: 120_000 }, async (outcome, status, balance) => {
    const { accountId, withdrawalId, paymentHash, hungAt } = await hangingWithdrawal(h);
    const trackedBefore = await h.bridgeMetric('bridge_payments_tracked_total');

    // Rounds of maxTrackSec (0.15 s) + recheck (0.3 s): many more than one message could take.
    // Awaited rather than counted at the end of the hang: on a loaded machine a round takes longer.
    await waitUntil(async () => (await h.bridgeMetric('bridge_payments_tracked_total')) > trackedBefore + delivery.queues.payout.maxReceiveCount, {
      timeoutMs: 60_000,
      message: 'more tracking rounds than one message has receives',
    });
    await waitOutTheHang(hungAt);

    await resolveAndExpectOnce(h, { accountId, withdrawalId, paymentHash, hungAt, outcome, status, balance });
    // One terminal state and an exact ledger (checked above). The result itself may be
    // reported more than once: at this scale a message's visibility is 0.6 s and its
    // heartbeat 0.2 s, and on a loaded machine a heartbeat that comes late lets a second
    // handler track the same payment (seen in CI: three reports of one success). Every
    // report must agree; the consumer's state guard applies one.
    const results = paymentResultEvents(h, withdrawalId);
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(new Set(results.map((event) => event['detail-type'])).size).toBe(1);
  });

  it('survives a SIGKILL of the bridge in the middle of the hang: the next bridge tracks it, never sends again, ends it once', { timeout: 120_000 }, async () => {
    const [outcome, status, balance] = OUTCOMES[0];
    const { accountId, withdrawalId, paymentHash, hungAt } = await hangingWithdrawal(h);

    await waitUntil(() => Date.now() - hungAt >= HANG_MS / 2, { timeoutMs: HANG_MS, intervalMs: 100, message: 'half the hang' });
    const crashed = h.pipeline.bridge!;
    await h.pipeline.killBridge('SIGKILL');
    expect((await crashed.exited).signal).toBe('SIGKILL');
    await h.pipeline.startBridge();
    await waitUntil(async () => (await h.bridgeMetric('bridge_payments_tracked_total')) > 0, { message: 'the new bridge tracks the payment' });

    await waitOutTheHang(hungAt);
    expect(await h.bridgeMetric('bridge_payments_sent_total')).toBe(0);

    await resolveAndExpectOnce(h, { accountId, withdrawalId, paymentHash, hungAt, outcome, status, balance });
    // A SIGKILL between the re-queue's send and the old copy's delete leaves two copies, each
    // reporting the same final state; the consumer's state guard applies one (checked above).
    const results = paymentResultEvents(h, withdrawalId);
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(new Set(results.map((event) => event['detail-type'])).size).toBe(1);
  });

  /** The bridge's receive visibility × the payout queue's maxReceiveCount: how long one message could keep a payout. */
  function keepAliveBoundMs(): number {
    return bridgeConfig().payouts.visibilityTimeoutSec * 1000 * delivery.queues.payout.maxReceiveCount;
  }

  /** Waits (on the clock: the hang is the point) until the payment has hung HANG_MS and more than one message's lifetime, then checks nothing ended. */
  async function waitOutTheHang(hungAt: number): Promise<void> {
    const hangMs = Math.max(HANG_MS, keepAliveBoundMs());
    await waitUntil(() => Date.now() - hungAt > hangMs, { timeoutMs: hangMs + 5_000, intervalMs: 100, message: 'the hang lasted' });
    expect(await h.pipeline.queues.deadLetterQueue(PAYOUT_QUEUE).peekAll()).toEqual([]);
    expect((await h.pipeline.payoutQueue.peekAll()).length).toBeGreaterThanOrEqual(1);
  }

  async function hangingWithdrawal(harness: PipelineHarness) {
    const { merchantId, accountId } = await harness.newAccount({ fundMsat: FUNDS });
    const withdrawal = await harness.withdraw({ merchantId, accountId, amountMsat: AMOUNT, feeReserveMsat: FEE_RESERVE, feeMsat: FEE, outcome: 'hang' });
    await waitUntil(async () => (await harness.readWithdrawal(withdrawal.id)).status === 'in_flight', { message: 'in flight' });
    const hungAt = Date.now();
    await waitUntil(() => harness.sim.paymentAttempts(withdrawal.payment_hash).attempts === 1, { message: 'sent to the node' });
    return { accountId, withdrawalId: withdrawal.id, paymentHash: withdrawal.payment_hash, hungAt };
  }

  async function resolveAndExpectOnce(
    harness: PipelineHarness,
    c: { accountId: string; withdrawalId: string; paymentHash: string; hungAt: number; outcome: 'succeed' | 'no_route'; status: 'succeeded' | 'failed'; balance: number },
  ): Promise<void> {
    const before = await harness.readWithdrawal(c.withdrawalId);
    expect(before.status).toBe('in_flight');
    expect(paymentResultEvents(harness, c.withdrawalId)).toHaveLength(0);
    expect(await harness.balance(c.accountId)).toBe(FUNDS - AMOUNT - FEE_RESERVE);

    harness.sim.resolvePayment(c.paymentHash, c.outcome);
    const resolvedAfterMs = Date.now() - c.hungAt;
    expect(resolvedAfterMs).toBeGreaterThanOrEqual(HANG_MS);
    expect(resolvedAfterMs).toBeGreaterThan(keepAliveBoundMs());

    const done = await waitUntil(async () => {
      const withdrawal = await harness.readWithdrawal(c.withdrawalId);
      return withdrawal.status === c.status ? withdrawal : undefined;
    }, { message: c.status });
    if (c.status === 'succeeded') expect(done).toMatchObject({ fee_msat: FEE });
    // The bridge learns this failure by tracking, not from its own send: LND's TrackPaymentV2
    // says why, Core Lightning's listpays keeps no reason, so the port reports `error` there.
    else expect(done).toMatchObject({ failure_reason: harness.sim.backend === 'cln' ? 'error' : 'no_route' });
    await waitUntil(async () => (await harness.pipeline.payoutQueue.peekAll()).length === 0, { timeoutMs: 60_000, message: 'payout messages deleted' });

    expect(await harness.balance(c.accountId)).toBe(c.balance);
    expect(harness.sim.paymentAttempts(c.paymentHash)).toEqual({ attempts: 1, settled: c.status === 'succeeded' });
    expect(await harness.pipeline.queues.deadLetterQueue(PAYOUT_QUEUE).peekAll()).toEqual([]);
    // One terminal state: each kind of ledger entry at most once for this withdrawal.
    const entries = (await harness.ledger(c.accountId)).filter((entry) => entry.reference_id === c.withdrawalId).map((entry) => entry.type);
    expect(entries.sort()).toEqual(
      c.status === 'succeeded'
        ? [LedgerEntryType.feeRefund, LedgerEntryType.feeReserve, LedgerEntryType.withdrawal].sort()
        : [LedgerEntryType.feeRefund, LedgerEntryType.feeReserve, LedgerEntryType.withdrawal, LedgerEntryType.withdrawalRefund].sort(),
    );
    expect((await harness.readWithdrawal(c.withdrawalId)).status).toBe(c.status);
    await expectLedgerConsistent(harness.table, [c.accountId]);
  }
});
