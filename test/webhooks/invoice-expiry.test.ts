import { describe, expect, it, vi } from 'vitest';
import { expireDueInvoices } from '../../functions/invoice-expiry/expire-due-invoices';
import { randomUUID } from 'node:crypto';
import { delivery } from '../../infra/delivery';
import { asyncInvokeSettings, startAsyncInvoker } from '../../infra/local/aws/async-invoke';
import { LocalQueues } from '../../infra/local/aws/local-queue';
import { startSchedule } from '../../infra/local/aws/schedule';
import { useLocalQueueTable } from '../support/pipeline-harness';
import { EventType, type EventItem } from '../../functions/lib/events/event';
import { listEvents } from '../../functions/lib/events/repository';
import { expireInvoice } from '../../functions/lib/invoices/expire-invoice';
import { InvoiceStatus, type InvoiceItem } from '../../functions/lib/invoices/invoice';
import { findInvoice } from '../../functions/lib/invoices/repository';
import { creditInvoiceSettlement } from '../../functions/lib/ledger/credit-invoice-settlement';
import { AlreadyAppliedError } from '../../functions/lib/ledger/errors';
import type { Table } from '../../functions/lib/table/client';
import { workListShard } from '../../functions/lib/table/keys';
import { expectLedgerConsistent, newMerchant, newPendingInvoice, readAccount } from '../support/ledger-fixtures';
import { useTestTable } from '../support/table';
import { capturingLog } from './support/fixtures';
import { ManualClock } from './support/manual-clock';
import { asComponent } from '../../infra/local/component-context';

// Runs as the scheduled function does, so the role test sees its calls.
const expireDue = asComponent('invoice-expiry', expireDueInvoices);

async function eventsOf(table: Table, merchantId: string, type?: EventType): Promise<EventItem[]> {
  return (await listEvents(table, { merchantId, type, limit: 100, cursor: undefined })).items;
}

async function invoiceNow(table: Table, id: string): Promise<InvoiceItem> {
  const invoice = await findInvoice(table, id);
  if (!invoice) throw new Error(`no invoice ${id}`);
  return invoice;
}

describe('invoice expiry', () => {
  const table = useTestTable();
  const queueStore = useLocalQueueTable();

  async function setup(expirySec = 60) {
    const clock = new ManualClock(Date.now());
    const shop = await newMerchant(table);
    const invoice = await newPendingInvoice(table, {
      merchantId: shop.merchant_id,
      accountId: shop.default_account_id,
      amountMsat: 150_000,
      expiresAt: new Date(clock.nowMs() + expirySec * 1000).toISOString(),
    });
    const deps = { table, clock, log: capturingLog() };
    return { clock, shop, invoice, deps };
  }

  it('expires a 60 s invoice once its time has passed, with its invoice.expired event, and only once', async () => {
    const { clock, shop, invoice, deps } = await setup(60);
    expect(invoice.gsi2pk).toBe(`OPEN_INVOICES#${workListShard(invoice.id)}`);

    clock.advance(30_000);
    await expireDue(deps);
    expect((await invoiceNow(table, invoice.id)).status).toBe(InvoiceStatus.pending);

    clock.advance(31_000);
    const run = await expireDue(deps);
    expect(run.expired).toBeGreaterThanOrEqual(1);
    const expired = await invoiceNow(table, invoice.id);
    expect(expired.status).toBe(InvoiceStatus.expired);
    expect(expired.gsi2pk).toBeUndefined();
    expect(expired.gsi2sk).toBeUndefined();
    const events = await eventsOf(table, shop.merchant_id, EventType.invoiceExpired);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'invoice.expired', created_at: clock.now().toISOString() });
    expect(events[0]!.data.object).toMatchObject({ id: invoice.id, status: 'expired', amount_msat: 150_000, paid_at: null, expires_at: invoice.expires_at });
    expect(events[0]!.data.object).not.toHaveProperty('gsi2pk');
    expect(events[0]!.data.object).not.toHaveProperty('merchant_id');

    clock.advance(60_000);
    await expireDue(deps);
    expect(await eventsOf(table, shop.merchant_id, EventType.invoiceExpired)).toHaveLength(1);
  });

  it('credits a settlement that arrives after expiry: the invoice becomes paid and the money is in the account', async () => {
    const { clock, shop, invoice, deps } = await setup(60);
    clock.advance(61_000);
    await expireDue(deps);
    expect((await invoiceNow(table, invoice.id)).status).toBe(InvoiceStatus.expired);

    const outcome = await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 150_000, settledAt: clock.now() }, clock.now());
    expect(outcome.kind).toBe('deposit');
    const paid = await invoiceNow(table, invoice.id);
    expect(paid).toMatchObject({ status: InvoiceStatus.paid, amount_paid_msat: 150_000 });
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(150_000);
    await expectLedgerConsistent(table, [shop.default_account_id]);
    expect((await eventsOf(table, shop.merchant_id)).map((event) => event.type).sort()).toEqual(['invoice.expired', 'invoice.paid']);

    // Paid stays paid: a later expiry run and a replayed settlement change nothing.
    await expireDue(deps);
    await expect(creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 150_000, settledAt: clock.now() })).rejects.toBeInstanceOf(AlreadyAppliedError);
    expect((await invoiceNow(table, invoice.id)).status).toBe(InvoiceStatus.paid);
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(150_000);
  });

  it('leaves a paid invoice alone, and refuses to expire one before its time', async () => {
    const { clock, shop, invoice } = await setup(60);
    expect((await expireInvoice(table, invoice.id, clock.now())).kind).toBe('unchanged');
    await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 150_000, settledAt: clock.now() });
    clock.advance(120_000);
    expect((await expireInvoice(table, invoice.id, clock.now())).kind).toBe('unchanged');
    expect((await invoiceNow(table, invoice.id)).status).toBe(InvoiceStatus.paid);
    expect(await eventsOf(table, shop.merchant_id, EventType.invoiceExpired)).toHaveLength(0);
  });

  it('credits exactly once when expiry and settlement race', async () => {
    const { clock, shop, deps } = await setup(60);
    const invoices = await Promise.all(
      Array.from({ length: 8 }, () =>
        newPendingInvoice(table, {
          merchantId: shop.merchant_id,
          accountId: shop.default_account_id,
          amountMsat: 10_000,
          expiresAt: new Date(clock.nowMs() + 60_000).toISOString(),
        }),
      ),
    );
    clock.advance(61_000);
    await Promise.all([
      expireDue(deps),
      ...invoices.map((invoice) => creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 10_000, settledAt: clock.now() })),
    ]);
    for (const invoice of invoices) expect((await invoiceNow(table, invoice.id)).status).toBe(InvoiceStatus.paid);
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(80_000);
    await expectLedgerConsistent(table, [shop.default_account_id]);
    expect(await eventsOf(table, shop.merchant_id, EventType.invoicePaid)).toHaveLength(8);
  });

  it('expires every due invoice across the work-list shards and none that is not due', async () => {
    const { clock, shop, deps } = await setup(3_600);
    const due = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        newPendingInvoice(table, {
          merchantId: shop.merchant_id,
          accountId: shop.default_account_id,
          amountMsat: 5_000,
          expiresAt: new Date(clock.nowMs() + 60_000 + index).toISOString(),
        }),
      ),
    );
    expect(new Set(due.map((invoice) => workListShard(invoice.id))).size).toBeGreaterThan(4);
    clock.advance(120_000);
    await expireDue(deps, { concurrency: 4 });
    const statuses = await Promise.all(due.map(async (invoice) => (await invoiceNow(table, invoice.id)).status));
    expect(statuses.every((status) => status === InvoiceStatus.expired)).toBe(true);
    const expiredEvents = (await listEvents(table, { merchantId: shop.merchant_id, type: EventType.invoiceExpired, limit: 100, cursor: undefined })).items;
    expect(expiredEvents).toHaveLength(40);
  });

  it('runs at once on the local schedule, as an asynchronous invoke; a run that keeps failing lands in its on-failure queue', async () => {
    const shop = await newMerchant(table);
    const invoice = await newPendingInvoice(table, {
      merchantId: shop.merchant_id,
      accountId: shop.default_account_id,
      amountMsat: 5_000,
      expiresAt: new Date(Date.now() - 1_000).toISOString(),
    });
    const queues = new LocalQueues(queueStore.table, { pollIntervalMs: 30 });
    const onFailure = `expiry-failures-${randomUUID()}`;
    let fail = false;
    const expiry = startAsyncInvoker({
      queues,
      functionName: `invoice-expiry-${randomUUID()}`,
      handler: async () => {
        if (fail) throw new Error('the table is unreachable');
        await expireDueInvoices({ table, clock: { now: () => new Date() }, log: capturingLog() });
      },
      settings: { ...asyncInvokeSettings(delivery.asyncInvokes.invoiceExpiry), onFailure },
      // Lambda's one and two minutes between attempts become 0.6 and 1.2 s; the 5 min maximum age 3 s.
      timeScale: 0.01,
      waitTimeSec: 1,
    });
    try {
      const schedule = startSchedule({ intervalMs: 60_000, fire: (event) => expiry.invoke(event) });
      await vi.waitFor(async () => expect((await invoiceNow(table, invoice.id)).status).toBe(InvoiceStatus.expired), { timeout: 10_000, interval: 50 });
      await schedule.stop();

      fail = true;
      const failing = startSchedule({ intervalMs: 60_000, fire: (event) => expiry.invoke(event) });
      const [record] = await vi.waitFor(async () => {
        const items = await queues.queue(onFailure).peekAll();
        expect(items).toHaveLength(1);
        return items;
      }, { timeout: 10_000, interval: 50 });
      await failing.stop();
      expect(JSON.parse(record!.body)).toMatchObject({
        requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: delivery.asyncInvokes.invoiceExpiry.retryAttempts + 1 },
        requestPayload: { source: 'aws.events', 'detail-type': 'Scheduled Event' },
      });
    } finally {
      await expiry.stop();
    }
  });
});
