import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { NodeDetailType, type InvoiceSettled, type PayoutMessage } from '../../functions/lib/bus/bus-events';
import { silentLog } from '../../functions/lib/runtime/log';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { InvoiceItem } from '../../functions/lib/invoices/invoice';
import { keys } from '../../functions/lib/table/keys';
import { newWithdrawalItem, type WithdrawalItem } from '../../functions/lib/withdrawals/withdrawal';
import { processOutboxRecords } from '../../functions/outbox/outbox';
import { takeSendLease } from '../../functions/lib/withdrawals/repository';
import { expectLedgerConsistent, randomHash } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil, type PipelineHarness } from '../support/pipeline-harness';

const FUNDS = 5_000_000;
const SETTLEMENTS = 100;

async function waitStatus(h: PipelineHarness, withdrawalId: string, status: WithdrawalItem['status'], timeoutMs = 30_000) {
  return waitUntil(async () => ((await h.readWithdrawal(withdrawalId)).status === status ? h.readWithdrawal(withdrawalId) : undefined), {
    message: `withdrawal ${withdrawalId} ${status}`,
    timeoutMs,
  });
}

async function entryTypes(h: PipelineHarness, accountId: string, referenceId: string): Promise<string[]> {
  return (await h.ledger(accountId))
    .filter((entry) => entry.reference_id === referenceId)
    .map((entry) => entry.type)
    .sort();
}

const payoutBody = (withdrawal: WithdrawalItem): string =>
  JSON.stringify({
    withdrawal_id: withdrawal.id,
    payment_hash: withdrawal.payment_hash,
    bolt11: withdrawal.bolt11,
    amount_msat: withdrawal.amount_msat,
    fee_limit_msat: withdrawal.fee_reserve_msat,
  } satisfies PayoutMessage);

describe('faults: crashes, drops and duplicates never pay twice, refund early, or lose a settlement', () => {
  // The shortest payout visibility the bridge accepts: a SIGKILLed bridge's messages come back 2 s after its last heartbeat, not 3.
  const h = usePipelineHarness({ bridgeEnv: { PAYOUT_VISIBILITY_TIMEOUT_SEC: '2' } });

  it('bridge SIGKILLed in the middle of payments: the next bridge tracks them, never sends again, finalises each once', async () => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const toSucceed = await h.withdraw({ merchantId, accountId, amountMsat: 100_000, feeReserveMsat: 10_000, outcome: 'hang' });
    const toFail = await h.withdraw({ merchantId, accountId, amountMsat: 200_000, feeReserveMsat: 10_000, outcome: 'hang' });
    await waitStatus(h, toSucceed.id, 'in_flight');
    await waitStatus(h, toFail.id, 'in_flight');
    await waitUntil(() => h.sim.paymentAttempts(toFail.payment_hash).attempts === 1 && h.sim.paymentAttempts(toSucceed.payment_hash).attempts === 1);
    const crashed = h.pipeline.bridge!;

    await h.pipeline.killBridge('SIGKILL');
    expect((await crashed.exited).signal).toBe('SIGKILL');
    await h.pipeline.startBridge();

    // The payout messages come back after their visibility timeout; the new bridge tracks both payments.
    await waitUntil(async () => (await h.bridgeMetric('bridge_payments_in_flight')) === 2, { message: 'both tracked by the new bridge' });
    expect(await h.bridgeMetric('bridge_payments_sent_total')).toBe(0);
    expect((await h.readWithdrawal(toSucceed.id)).status).toBe('in_flight');
    expect((await h.readWithdrawal(toFail.id)).status).toBe('in_flight');
    expect(await h.balance(accountId)).toBe(FUNDS - 320_000);

    h.sim.resolvePayment(toSucceed.payment_hash, 'succeed');
    h.sim.resolvePayment(toFail.payment_hash, 'no_route');

    await waitStatus(h, toSucceed.id, 'succeeded');
    await waitStatus(h, toFail.id, 'failed');
    expect(h.sim.paymentAttempts(toSucceed.payment_hash)).toEqual({ attempts: 1, settled: true });
    expect(h.sim.paymentAttempts(toFail.payment_hash)).toEqual({ attempts: 1, settled: false });
    expect(await h.bridgeMetric('bridge_payments_sent_total')).toBe(0);
    expect(await entryTypes(h, accountId, toSucceed.id)).toEqual(['fee_refund', 'fee_reserve', 'withdrawal']);
    expect(await entryTypes(h, accountId, toFail.id)).toEqual(['fee_refund', 'fee_reserve', 'withdrawal', 'withdrawal_refund']);
    expect(await h.balance(accountId)).toBe(FUNDS - 100_000);
    await expectLedgerConsistent(h.table, [accountId]);
  });

  it('bridge stopped with SIGTERM while a payment hangs: exits within its grace period, the next bridge takes the payment over', async () => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 50_000, feeReserveMsat: 1_000, outcome: 'hang' });
    await waitStatus(h, withdrawal.id, 'in_flight');
    await waitUntil(async () => (await h.bridgeMetric('bridge_payments_in_flight')) === 1);
    const stopping = h.pipeline.bridge!;

    const stoppedAt = Date.now();
    await h.pipeline.killBridge('SIGTERM');
    expect(await stopping.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect((await h.readWithdrawal(withdrawal.id)).status).toBe('in_flight');

    await h.pipeline.startBridge();
    await waitUntil(async () => (await h.bridgeMetric('bridge_payments_in_flight')) === 1, { message: 'tracked by the new bridge' });
    h.sim.resolvePayment(withdrawal.payment_hash, 'succeed');

    await waitStatus(h, withdrawal.id, 'succeeded');
    expect(h.sim.paymentAttempts(withdrawal.payment_hash)).toEqual({ attempts: 1, settled: true });
    expect(await h.balance(accountId)).toBe(FUNDS - 50_000);
  });

  it('the same payout message delivered twice at once: one payment, one result', async () => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 80_000, feeReserveMsat: 2_000, outcome: 'hang' });
    await h.pipeline.payoutQueue.send(payoutBody(withdrawal));

    // Both copies are being handled: one payment in flight, both handlers following it.
    await waitUntil(
      async () => (await h.bridgeMetric('bridge_payments_in_flight')) === 2 && h.sim.paymentAttempts(withdrawal.payment_hash).attempts === 1,
      { message: 'both copies handled, one payment' },
    );

    h.sim.resolvePayment(withdrawal.payment_hash, 'no_route');

    await waitStatus(h, withdrawal.id, 'failed');
    await waitUntil(async () => (await h.pipeline.payoutQueue.peekAll()).length === 0, { message: 'both copies deleted' });
    expect(h.sim.paymentAttempts(withdrawal.payment_hash).attempts).toBe(1);
    expect(await entryTypes(h, accountId, withdrawal.id)).toEqual(['fee_refund', 'fee_reserve', 'withdrawal', 'withdrawal_refund']);
    expect(await h.balance(accountId)).toBe(FUNDS);
  });

  it('a payout replayed by the outbox after it finished: no new payment, nothing changes', async () => {
    const { merchantId, accountId } = await h.newAccount({ fundMsat: FUNDS });
    const withdrawal = await h.withdraw({ merchantId, accountId, amountMsat: 60_000, feeReserveMsat: 3_000, feeMsat: 1_000 });
    const done = await waitStatus(h, withdrawal.id, 'succeeded');
    const receivedBefore = await h.bridgeMetric('bridge_payouts_received_total');

    // The stream record of the new withdrawal, delivered again (a poller that crashed before its checkpoint).
    const replayed: DynamoDBRecord = {
      eventID: 'replay-1',
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: '1', NewImage: marshall(withdrawal, { removeUndefinedValues: true }) as never },
    };
    const response = await processOutboxRecords([replayed, replayed], {
      payoutQueue: h.pipeline.payoutQueue,
      invoiceCancelQueue: h.pipeline.invoiceCancelQueue,
      failures: h.pipeline.outboxFailuresQueue,
      bus: h.pipeline.bus,
      log: silentLog,
    });
    expect(response.batchItemFailures).toEqual([]);

    await waitUntil(async () => (await h.bridgeMetric('bridge_payouts_received_total')) >= receivedBefore + 2, { message: 'duplicates received' });
    await waitUntil(async () => (await h.pipeline.payoutQueue.peekAll()).length === 0, { message: 'duplicates dropped' });
    expect(h.sim.paymentAttempts(withdrawal.payment_hash).attempts).toBe(1);
    expect(await h.readWithdrawal(withdrawal.id)).toEqual(done);
    expect(await h.balance(accountId)).toBe(FUNDS - 61_000);
  });

  it('the same settlement event delivered again: credited once', async () => {
    const { merchantId, accountId } = await h.newAccount();
    const invoice = await h.createInvoice({ merchantId, accountId, amountMsat: 33_000 });
    h.sim.payInvoice(invoice.bolt11);
    const settled = await waitUntil(() =>
      h.events.find((e) => e['detail-type'] === NodeDetailType.invoiceSettled && (e.detail as InvoiceSettled).payment_hash === invoice.payment_hash),
    );
    await waitUntil(async () => (await h.readInvoice(invoice.id)).status === 'paid');
    const before = h.counters.get('SettlementAlreadyCredited') ?? 0;

    const again = { source: settled.source, detailType: settled['detail-type'], detail: settled.detail };
    await h.pipeline.bus.putEvents([again, again]);

    await waitUntil(() => (h.counters.get('SettlementAlreadyCredited') ?? 0) === before + 2, { message: 'replays handled' });
    expect(await h.balance(accountId)).toBe(33_000);
    expect(await entryTypes(h, accountId, invoice.id)).toEqual(['deposit']);
  });

  // The faults are the point, not the count: 100 settlements (they were 200, and making and crediting
  // them was most of this file's time) still put a dozen between any two faults, 25 while the bridge
  // is down and 25 after its restart. The faults are the same: 8 stream drops, a SIGKILL, a restart.
  it('100 settlements with dropped streams and a SIGKILLed bridge in between: every one credited exactly once', async () => {
    const accounts = await Promise.all(Array.from({ length: 10 }, () => h.newAccount()));
    const invoices: InvoiceItem[] = [];
    const specs = Array.from({ length: SETTLEMENTS }, (_, n) => ({ ...accounts[n % 10]!, amountMsat: 1_000 + n }));
    for (let start = 0; start < specs.length; start += 50) {
      invoices.push(...(await Promise.all(specs.slice(start, start + 50).map((spec) => h.createInvoice(spec)))));
    }
    const control = `http://${h.sim.host}:${h.sim.controlPort}`;

    for (let i = 0; i < invoices.length; i++) {
      if (i === SETTLEMENTS / 2) await h.pipeline.killBridge('SIGKILL');
      if (i === (SETTLEMENTS * 3) / 4) await h.pipeline.startBridge();
      if (i % 12 === 5) {
        // Every other drop through the control API, the others in-process.
        if (Math.floor(i / 12) % 2 === 0) await fetch(`${control}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"drop_streams":true}' });
        else h.sim.dropStreams();
      }
      expect(h.sim.payInvoice(invoices[i]!.bolt11).status).toBe('settled');
    }

    // Cheap to poll: ten balances, each the sum of its ten invoices once credited.
    const expected = accounts.map((account) =>
      invoices.filter((invoice) => invoice.account_id === account.accountId).reduce((sum, invoice) => sum + invoice.amount_msat, 0),
    );
    await waitUntil(
      async () => {
        const balances = await Promise.all(accounts.map((account) => h.balance(account.accountId)));
        return balances.every((balance, i) => balance === expected[i]);
      },
      { message: `all ${SETTLEMENTS} settlements credited`, timeoutMs: 90_000, intervalMs: 250 },
    );
    for (const account of accounts) {
      const deposits = (await h.ledger(account.accountId)).filter((entry) => entry.type === 'deposit');
      const mine = invoices.filter((invoice) => invoice.account_id === account.accountId);
      expect(deposits.map((entry) => entry.reference_id).sort()).toEqual(mine.map((invoice) => invoice.id).sort());
      expect(await h.balance(account.accountId)).toBe(mine.reduce((sum, invoice) => sum + invoice.amount_msat, 0));
    }
    await expectLedgerConsistent(
      h.table,
      accounts.map((account) => account.accountId),
    );
    const { Item: cursor } = await h.table.doc.send(new GetCommand({ TableName: h.table.name, Key: keys.cursor('invoices'), ConsistentRead: true }));
    expect(cursor?.settle_index).toBeGreaterThanOrEqual(SETTLEMENTS);
  }, 150_000);

  it('the send lease: of many handlers racing for one withdrawal, exactly one may send', async () => {
    const { merchantId, accountId } = await h.newAccount();
    // Written directly and marked internal, so the outbox leaves it alone: only the lease race is looked at here.
    const withdrawal = { ...newWithdrawalItem({
      id: newId(IdPrefix.withdrawal),
      merchantId,
      accountId,
      amountMsat: 1_000,
      feeReserveMsat: 0,
      paymentHash: randomHash(),
      bolt11: 'lnbcrt-unused',
      createdAt: new Date().toISOString(),
    }), internal: true };
    await h.table.doc.send(new PutCommand({ TableName: h.table.name, Item: withdrawal }));
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => takeSendLease(h.table, withdrawal.id, `token-${i}`, 60_000)));
    expect(results.filter((result) => result === 'taken')).toHaveLength(1);
    expect(results.filter((result) => result === 'busy')).toHaveLength(7);
    // The holder may take it again; an expired lease is free for the next one.
    const holder = `token-${results.indexOf('taken')}`;
    expect(await takeSendLease(h.table, withdrawal.id, holder, 1)).toBe('taken');
    await waitUntil(async () => (await takeSendLease(h.table, withdrawal.id, 'late', 60_000)) === 'taken', { message: 'expired lease taken over' });
    expect(await takeSendLease(h.table, withdrawal.id, holder, 60_000)).toBe('busy');
    // A final withdrawal is never leased again.
    await h.table.doc.send(new PutCommand({ TableName: h.table.name, Item: { ...withdrawal, status: 'failed' } }));
    expect(await takeSendLease(h.table, withdrawal.id, 'after', 60_000)).toBe('final');
  });
});
