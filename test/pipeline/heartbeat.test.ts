import { describe, expect, it } from 'vitest';
import { IdPrefix, newId } from '../../functions/lib/ids';
import { debitWithdrawal } from '../../functions/lib/ledger/debit-withdrawal';
import { failWithdrawal } from '../../functions/lib/ledger/finish-withdrawal';
import { BridgeHeartbeat } from '../../functions/lib/observability/log-metrics';
import { oldestOpenWithdrawalSec, startHeartbeat } from '../../node-bridge/src/heartbeat';
import { fund, newMerchant, randomHash } from '../support/ledger-fixtures';
import { useTestTable } from '../support/table';

describe('node-bridge heartbeat', () => {
  const table = useTestTable();

  it('reports the age of the oldest withdrawal that is not final, across shards', async () => {
    const now = new Date('2026-11-21T12:00:00.000Z');
    expect(await oldestOpenWithdrawalSec(table, now)).toBe(0);
    const shop = await newMerchant(table);
    await fund(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 10_000_000 });
    const withdrawAt = (createdAt: string) =>
      debitWithdrawal(table, {
        id: newId(IdPrefix.withdrawal, Date.parse(createdAt)),
        merchantId: shop.merchant_id,
        accountId: shop.default_account_id,
        amountMsat: 1_000,
        feeReserveMsat: 0,
        paymentHash: randomHash(),
        bolt11: 'lnbcrt-test',
        createdAt,
      });
    const oldest = await withdrawAt('2026-11-21T10:00:00.000Z');
    for (let minute = 10; minute < 50; minute += 5) await withdrawAt(`2026-11-21T11:${minute}:00.000Z`);

    expect(await oldestOpenWithdrawalSec(table, now)).toBe(2 * 3600);

    await failWithdrawal(table, { withdrawalId: oldest.id, failureReason: 'no_route', failedAt: now });
    expect(await oldestOpenWithdrawalSec(table, now)).toBe(50 * 60);
  });

  it('logs the line the alarms read, with the latest liquidity', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = { debug() {}, warn() {}, error() {}, info: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, ...fields }) };
    const heartbeat = startHeartbeat({ table, log, liquidity: { latest: () => ({ outboundMsat: 7, inboundMsat: 9 }) }, intervalMs: 60_000 });
    try {
      const deadline = Date.now() + 10_000;
      while (lines.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      heartbeat.stop();
    }
    expect(lines[0]).toMatchObject({ event: BridgeHeartbeat.event, outbound_liquidity_msat: 7, inbound_liquidity_msat: 9 });
    expect(typeof lines[0]!.oldest_open_withdrawal_sec).toBe('number');
  });
});
