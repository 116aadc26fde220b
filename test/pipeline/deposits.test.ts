import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { BusSource, LedgerDetailType, NodeDetailType, type InvoiceSettled } from '../../functions/lib/bus/bus-events';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { InvoiceItem } from '../../functions/lib/invoices/invoice';
import { payInternally } from '../../functions/lib/ledger/pay-internally';
import { NodeInvoiceState } from '../../functions/lib/node/node-types';
import { keys } from '../../functions/lib/table/keys';
import { expectLedgerConsistent } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil, type PipelineHarness } from '../support/pipeline-harness';

async function depositsOf(h: PipelineHarness, accountId: string, invoiceId: string) {
  return (await h.ledger(accountId)).filter((entry) => entry.type === 'deposit' && entry.reference_id === invoiceId);
}

async function waitPaid(h: PipelineHarness, invoices: InvoiceItem[]): Promise<void> {
  await waitUntil(
    async () => {
      for (const invoice of invoices) if ((await h.readInvoice(invoice.id)).status !== 'paid') return false;
      return true;
    },
    { message: `${invoices.length} invoice(s) paid`, timeoutMs: 30_000 },
  );
}

async function cursor(h: PipelineHarness): Promise<number | undefined> {
  const { Item } = await h.table.doc.send(new GetCommand({ TableName: h.table.name, Key: keys.cursor('invoices'), ConsistentRead: true }));
  return Item?.settle_index as number | undefined;
}

describe('deposits: the node settles, the pipeline credits exactly once', () => {
  // The bridge starts inside the first test: it must find settlements made before it ever ran.
  const h = usePipelineHarness({ startBridge: false, bridgeEnv: { INVOICE_LIST_PAGE_SIZE: '5' } });

  it('a fresh bridge with no cursor pages ListInvoices and credits what was paid before it started', async () => {
    const { merchantId, accountId } = await h.newAccount();
    // Made side by side: only the payments below, one by one, decide the settle order.
    const invoices = await Promise.all(Array.from({ length: 12 }, (_, i) => h.createInvoice({ merchantId, accountId, amountMsat: 10_000 + i })));
    const paid = invoices.slice(0, 11);
    for (const invoice of paid) expect(h.sim.payInvoice(invoice.bolt11).status).toBe('settled');
    expect(await cursor(h)).toBeUndefined();

    await h.pipeline.startBridge();

    await waitPaid(h, paid);
    await waitUntil(async () => (await cursor(h)) === 11, { message: 'cursor persisted at 11' });
    expect((await h.readInvoice(invoices[11]!.id)).status).toBe('pending');
    for (const invoice of paid) expect(await depositsOf(h, accountId, invoice.id)).toHaveLength(1);
    expect(await h.balance(accountId)).toBe(paid.reduce((sum, invoice) => sum + invoice.amount_msat, 0));
    await expectLedgerConsistent(h.table, [accountId]);
  });

  it('credits a live payment once and publishes invoice.paid', async () => {
    const { merchantId, accountId } = await h.newAccount();
    const invoice = await h.createInvoice({ merchantId, accountId, amountMsat: 150_000 });

    expect(h.sim.payInvoice(invoice.bolt11).status).toBe('settled');

    await waitPaid(h, [invoice]);
    const paidEvent = await waitUntil(() =>
      h.events.find((e) => e.source === BusSource.ledger && e['detail-type'] === LedgerDetailType.domainEvent && JSON.stringify(e.detail).includes(invoice.id)),
    );
    expect(paidEvent.detail).toMatchObject({ merchant_id: merchantId, event: { type: 'invoice.paid', data: { object: { id: invoice.id, status: 'paid', amount_paid_msat: 150_000 } } } });
    expect(await h.balance(accountId)).toBe(150_000);
    expect(await depositsOf(h, accountId, invoice.id)).toHaveLength(1);
    const settledEvents = h.events.filter(
      (e) => e['detail-type'] === NodeDetailType.invoiceSettled && (e.detail as InvoiceSettled).payment_hash === invoice.payment_hash,
    );
    expect(settledEvents).toHaveLength(1);
  });

  it('credits what arrived on an overpaid invoice', async () => {
    const { merchantId, accountId } = await h.newAccount();
    const invoice = await h.createInvoice({ merchantId, accountId, amountMsat: 100_000 });

    // Under twice the amount: Core Lightning refuses more.
    expect(h.sim.payInvoice(invoice.bolt11, 190_000).status).toBe('settled');

    await waitPaid(h, [invoice]);
    expect((await h.readInvoice(invoice.id)).amount_paid_msat).toBe(190_000);
    expect(await h.balance(accountId)).toBe(190_000);
    expect(await depositsOf(h, accountId, invoice.id)).toHaveLength(1);
  });

  it('catches up on invoices paid while the bridge was stopped (SIGTERM, clean exit)', async () => {
    const { merchantId, accountId } = await h.newAccount();
    const invoices = await Promise.all(Array.from({ length: 8 }, () => h.createInvoice({ merchantId, accountId, amountMsat: 20_000 })));
    const bridge = h.pipeline.bridge!;

    await h.pipeline.killBridge('SIGTERM');
    expect(await bridge.exited).toEqual({ code: 0, signal: null });
    for (const invoice of invoices) expect(h.sim.payInvoice(invoice.bolt11).status).toBe('settled');
    await h.pipeline.startBridge();

    await waitPaid(h, invoices);
    for (const invoice of invoices) expect(await depositsOf(h, accountId, invoice.id)).toHaveLength(1);
    expect(await h.balance(accountId)).toBe(8 * 20_000);
    await expectLedgerConsistent(h.table, [accountId]);
  });

  it('cancels on the node an invoice paid internally, so an outside payer is refused', async () => {
    const payer = await h.newAccount({ fundMsat: 1_000_000 });
    const payee = await h.newAccount();
    const invoice = await h.createInvoice({ ...payee, amountMsat: 70_000 });

    await payInternally(h.table, {
      withdrawalId: newId(IdPrefix.withdrawal),
      merchantId: payer.merchantId,
      accountId: payer.accountId,
      invoiceId: invoice.id,
      amountMsat: 70_000,
      bolt11: invoice.bolt11,
      createdAt: new Date().toISOString(),
    });

    // LND keeps a canceled invoice; Core Lightning may delete it.
    await waitUntil(
      async () => {
        const onNode = await h.node.lookupInvoice(invoice.payment_hash);
        return onNode === undefined || onNode.state === NodeInvoiceState.canceled;
      },
      { message: 'invoice canceled on the node' },
    );
    expect(h.sim.payInvoice(invoice.bolt11).status).toBe('failed');
    expect(await h.balance(payee.accountId)).toBe(70_000);
    await expectLedgerConsistent(h.table, [payer.accountId, payee.accountId]);
  });

  it('credits an internally paid invoice that an outside payer paid first on the node as one late deposit', async () => {
    const payer = await h.newAccount({ fundMsat: 1_000_000 });
    const payee = await h.newAccount();
    const invoice = await h.createInvoice({ ...payee, amountMsat: 40_000 });
    // The bridge is down, so the cancel waits in its queue while the outside payment lands.
    await h.pipeline.killBridge('SIGKILL');

    await payInternally(h.table, {
      withdrawalId: newId(IdPrefix.withdrawal),
      merchantId: payer.merchantId,
      accountId: payer.accountId,
      invoiceId: invoice.id,
      amountMsat: 40_000,
      bolt11: invoice.bolt11,
      createdAt: new Date().toISOString(),
    });
    await waitUntil(async () => (await h.pipeline.invoiceCancelQueue.peekAll()).length === 1, { message: 'cancel queued' });
    expect(h.sim.payInvoice(invoice.bolt11, 45_000).status).toBe('settled');
    await h.pipeline.startBridge();

    await waitUntil(async () => (await h.readInvoice(invoice.id)).late_settled_at, { message: 'late deposit credited' });
    await waitUntil(async () => (await h.pipeline.invoiceCancelQueue.peekAll()).length === 0, { message: 'cancel consumed' });
    expect(await h.bridgeMetric('bridge_invoice_cancels_total', { result: 'already_settled' })).toBe(1);
    const settled = await waitUntil(() =>
      h.events.find((e) => e['detail-type'] === NodeDetailType.invoiceSettled && (e.detail as InvoiceSettled).payment_hash === invoice.payment_hash),
    );

    // The same settlement once more (a replay): still one late deposit.
    await h.pipeline.bus.putEvents([{ source: settled.source, detailType: settled['detail-type'], detail: settled.detail }]);
    await waitUntil(() => (h.counters.get('SettlementAlreadyCredited') ?? 0) >= 1, { message: 'replay handled' });

    expect(await depositsOf(h, payee.accountId, invoice.id)).toHaveLength(2);
    expect(await h.balance(payee.accountId)).toBe(40_000 + 45_000);
    expect((await h.readInvoice(invoice.id)).late_settlement_msat).toBe(45_000);
    await expectLedgerConsistent(h.table, [payer.accountId, payee.accountId]);
  });

  it('drops a settlement of an invoice that is not ours, and counts it', async () => {
    const before = h.counters.get('SettlementOfUnknownInvoice') ?? 0;
    const foreign = await h.node.createInvoice({ label: 'not-ours', amountMsat: 9_000, expirySec: 3600 });

    expect(h.sim.payInvoice(foreign.bolt11).status).toBe('settled');

    await waitUntil(() => (h.counters.get('SettlementOfUnknownInvoice') ?? 0) === before + 1, { message: 'counted' });
  });
});
