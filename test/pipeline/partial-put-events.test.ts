import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LedgerDetailType, type DomainEventDetail } from '../../functions/lib/bus/bus-events';
import type { BusEntry, EventBus, PutEventsResult } from '../../functions/lib/bus/event-bus';
import { silentLog } from '../../functions/lib/runtime/log';
import { keys } from '../../functions/lib/table/keys';
import { startNodeBridge, type RunningBridge } from '../../node-bridge/src/bridge';
import { readBridgeConfig } from '../../node-bridge/src/config';
import { localBridgeTransport } from '../../infra/local/bridge-transport';
import { expectLedgerConsistent } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil } from '../support/pipeline-harness';

/**
 * EventBridge on a bad day, in front of the real (local) bus: on every other call it
 * refuses every other entry (InternalFailure / ThrottlingException), and every fifth call
 * fails as a whole.
 */
class FlakyBus implements EventBus {
  calls = 0;
  refusedEntries = 0;
  failedCalls = 0;
  constructor(private readonly inner: EventBus) {}

  async putEvents(entries: BusEntry[]): Promise<PutEventsResult> {
    this.calls++;
    if (this.calls % 5 === 0) {
      this.failedCalls++;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    if (this.calls % 2 === 1 || entries.length === 1) return this.inner.putEvents(entries);
    const passed = entries.map((entry, index) => ({ entry, index })).filter(({ index }) => index % 2 === 0);
    const result = await this.inner.putEvents(passed.map(({ entry }) => entry));
    const failed: PutEventsResult['failed'] = result.failed.map((failure) => ({ ...failure, index: passed[failure.index]!.index }));
    for (let index = 1; index < entries.length; index += 2) {
      failed.push({ index, errorCode: index % 4 === 1 ? 'InternalFailure' : 'ThrottlingException', errorMessage: 'injected' });
      this.refusedEntries++;
    }
    return { failed: failed.sort((a, b) => a.index - b.index) };
  }
}

describe('PutEvents partially failing, for the bridge and the outbox: nothing lost, nothing doubled', () => {
  const outboxBuses: FlakyBus[] = [];
  const h = usePipelineHarness({
    startBridge: false,
    wrapOutboxBus: (bus) => {
      const flaky = new FlakyBus(bus);
      outboxBuses.push(flaky);
      return flaky;
    },
  });
  let bridge: RunningBridge | undefined;
  let bridgeBus: FlakyBus | undefined;
  afterAll(async () => {
    await bridge?.stop();
  });

  it('credits every settlement once and finishes every withdrawal once, and every domain event reaches the bus', async () => {
    // The bridge runs in this process, so its bus can be wrapped.
    const config = readBridgeConfig(h.pipeline.bridgeEnv({ INVOICE_LIST_PAGE_SIZE: '7' }));
    bridge = await startNodeBridge(config, localBridgeTransport(config), {
      log: silentLog,
      wrapBus: (bus) => (bridgeBus = new FlakyBus(bus)),
    });
    const [depositor, payer] = await Promise.all([h.newAccount(), h.newAccount({ fundMsat: 2_000_000 })]);
    // Made side by side: only the payments below, one by one, decide the settle order.
    const invoices = await Promise.all(Array.from({ length: 30 }, (_, i) => h.createInvoice({ ...depositor, amountMsat: 5_000 + i })));

    for (const invoice of invoices) expect(h.sim.payInvoice(invoice.bolt11).status).toBe('settled');
    const withdrawals = [
      await h.withdraw({ ...payer, amountMsat: 100_000, feeReserveMsat: 5_000, feeMsat: 1_500 }),
      await h.withdraw({ ...payer, amountMsat: 200_000, feeReserveMsat: 5_000, outcome: 'no_route' }),
      await h.withdraw({ ...payer, amountMsat: 300_000, feeReserveMsat: 5_000 }),
    ];

    const expectedDeposits = invoices.reduce((sum, invoice) => sum + invoice.amount_msat, 0);
    await waitUntil(async () => (await h.balance(depositor.accountId)) === expectedDeposits, { message: 'all 30 credited', timeoutMs: 60_000 });
    await waitUntil(
      async () => {
        const statuses = await Promise.all(withdrawals.map(async (withdrawal) => (await h.readWithdrawal(withdrawal.id)).status));
        return statuses.join() === 'succeeded,failed,succeeded';
      },
      { message: 'withdrawals final', timeoutMs: 60_000 },
    );

    // Faults really happened, on both publishers.
    expect(bridgeBus!.refusedEntries + bridgeBus!.failedCalls).toBeGreaterThan(0);
    expect(outboxBuses.reduce((sum, bus) => sum + bus.refusedEntries + bus.failedCalls, 0)).toBeGreaterThan(0);

    // Nothing doubled.
    const deposits = (await h.ledger(depositor.accountId)).filter((entry) => entry.type === 'deposit');
    expect(deposits.map((entry) => entry.reference_id).sort()).toEqual(invoices.map((invoice) => invoice.id).sort());
    const payerEntries = (await h.ledger(payer.accountId)).filter((entry) => entry.type !== 'deposit').map((entry) => entry.type).sort();
    expect(payerEntries).toEqual(['fee_refund', 'fee_refund', 'fee_refund', 'fee_reserve', 'fee_reserve', 'fee_reserve', 'withdrawal', 'withdrawal', 'withdrawal', 'withdrawal_refund']);
    expect(await h.balance(payer.accountId)).toBe(2_000_000 - 100_000 - 1_500 - 300_000);
    // One send each; Core Lightning counts none for the no_route one, refused before any HTLC.
    const outcomes = ['succeed', 'no_route', 'succeed'] as const;
    withdrawals.forEach((withdrawal, i) => expect(h.sim.paymentAttempts(withdrawal.payment_hash).attempts).toBe(h.sim.attemptsFor(outcomes[i]!)));
    await expectLedgerConsistent(h.table, [depositor.accountId, payer.accountId]);

    // Nothing lost: every domain event in the table went out on the bus.
    const stored: string[] = [];
    for (const merchantId of [depositor.merchantId, payer.merchantId]) {
      const { Items = [] } = await h.table.doc.send(
        new QueryCommand({ TableName: h.table.name, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `MERCHANT#${merchantId}#EVENTS` } }),
      );
      stored.push(...Items.map((item) => item.id as string));
    }
    expect(stored.length).toBe(30 + 3 + 1); // invoice.paid x30, withdrawal results x3, the payer's funding deposit
    await waitUntil(
      () => {
        const published = new Set(
          h.events.filter((e) => e['detail-type'] === LedgerDetailType.domainEvent).map((e) => (e.detail as DomainEventDetail).event.id),
        );
        return stored.every((id) => published.has(id));
      },
      { message: 'every domain event published' },
    );

    // And the bridge's cursor stands at the last settlement, never past an unpublished one.
    await waitUntil(async () => {
      const { Item } = await h.table.doc.send(new GetCommand({ TableName: h.table.name, Key: keys.cursor('invoices'), ConsistentRead: true }));
      return Item?.settle_index === 30;
    });
  }, 120_000);
});
