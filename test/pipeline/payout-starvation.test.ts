/**
 * Found by the chaos suite (CHAOS_SEED=20261121, quick profile): payments that hang held the
 * node-bridge's payout slots. Each handler followed its payment for up to
 * PAYOUT_MAX_TRACK_SEC (then 600 s) before re-queueing it, with PAYOUT_CONCURRENCY (8)
 * handlers, so 8 hanging payments (stuck HTLCs, or hold invoices anyone can make) left no
 * slot for any other payout of any merchant. The default is now 15 s: a hang gives its slot
 * back and is tracked again later, and the others are paid meanwhile.
 *
 * The bridge runs its own defaults (none of FAST_TIMING's overrides) × TIME_SCALE, so the
 * 15 s track window is 0.75 s here. The 9th payout must be paid well before the old 600 s
 * default, scaled (30 s), would have freed a slot: the wait for it is bounded below that.
 */
import { describe, expect, it } from 'vitest';
import type { WithdrawalItem } from '../../functions/lib/withdrawals/withdrawal';
import { DURATION_DEFAULTS, readBridgeConfig } from '../../node-bridge/src/config';
import { usePipelineHarness, waitUntil } from '../support/pipeline-harness';

const TIME_SCALE = 0.05;
const OLD_MAX_TRACK_SEC = 600;
/** How long the 9th may take: a third of a slot's hold under the old default, many track windows under the new one. */
const NINTH_PAID_WITHIN_MS = (OLD_MAX_TRACK_SEC * TIME_SCALE * 1000) / 3;

describe('payout slots and hanging payments (bridge defaults: 8 slots)', () => {
  const h = usePipelineHarness({ bridgeTiming: 'production-scaled', timeScale: TIME_SCALE });

  it('pays a 9th withdrawal while 8 payments hang, and still finalises each hang once', { timeout: 120_000 }, async () => {
    const config = readBridgeConfig(h.pipeline.bridgeEnv());
    expect(config.payouts.concurrency).toBe(8);
    expect(config.payouts.maxTrackSec).toBeCloseTo(DURATION_DEFAULTS.PAYOUT_MAX_TRACK_SEC * TIME_SCALE, 9);
    expect(config.payouts.maxTrackSec * 1000 * 5).toBeLessThan(NINTH_PAID_WITHIN_MS);

    const { merchantId, accountId } = await h.newAccount({ fundMsat: 10_000_000 });
    const hanging: WithdrawalItem[] = [];
    for (let i = 0; i < 8; i++) hanging.push(await h.withdraw({ merchantId, accountId, amountMsat: 10_000, feeReserveMsat: 1_000, outcome: 'hang' }));
    await waitUntil(() => hanging.every((withdrawal) => h.sim.paymentAttempts(withdrawal.payment_hash).attempts === 1), { message: 'the 8 payments in flight' });

    const next = await h.withdraw({ merchantId, accountId, amountMsat: 10_000, feeReserveMsat: 1_000, outcome: 'succeed' });
    await waitUntil(async () => (await h.readWithdrawal(next.id)).status === 'succeeded', { timeoutMs: NINTH_PAID_WITHIN_MS, message: 'the 9th withdrawal paid while 8 hang' });

    for (const withdrawal of hanging) {
      expect((await h.readWithdrawal(withdrawal.id)).status).toBe('in_flight');
      expect(h.sim.paymentAttempts(withdrawal.payment_hash).attempts).toBe(1);
    }
    for (const withdrawal of hanging) h.sim.resolvePayment(withdrawal.payment_hash, 'succeed');
    await waitUntil(
      async () => (await Promise.all(hanging.map((withdrawal) => h.readWithdrawal(withdrawal.id)))).every((withdrawal) => withdrawal.status === 'succeeded'),
      { timeoutMs: 60_000, message: 'every hang finalised after it resolved' },
    );
    for (const withdrawal of hanging) expect(h.sim.paymentAttempts(withdrawal.payment_hash).attempts).toBe(1);
  });
});
