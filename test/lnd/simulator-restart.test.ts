import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvoiceState, PaymentAlreadySucceededError, PaymentStatus } from '../../functions/lib/lnd';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';
import { collectAll, finalPayment, takeNext, waitFor } from './support/streams';

describe('simulator restart on the same DATA_DIR', () => {
  let fixture: SimulatorFixture;

  beforeEach(async () => {
    fixture = await startSimulatorFixture();
  });
  afterEach(() => fixture.stop());

  it('keeps identity, certificate, macaroons, invoices, indexes and payments', async () => {
    const before = fixture.client('admin');
    const settled = await before.addInvoice({ valueMsat: 10_000, memo: 'settled' });
    const open = await before.addInvoice({ valueMsat: 20_000, memo: 'open' });
    const canceled = await before.addInvoice({ valueMsat: 30_000, memo: 'canceled' });
    fixture.sim.payInvoice(settled.paymentRequest, 11_000);
    await before.cancelInvoice(canceled.paymentHash);
    const paid = fixture.sim.createOutsideInvoice({ amountMsat: 5_000, feeMsat: 3 });
    const paidFinal = await finalPayment(before.sendPayment({ paymentRequest: paid.bolt11, feeLimitMsat: 10, timeoutSec: 30 }));
    const hanging = fixture.sim.createOutsideInvoice({ amountMsat: 6_000, outcome: 'hang' });
    await takeNext(before.sendPayment({ paymentRequest: hanging.bolt11, feeLimitMsat: 0, timeoutSec: 30 })[Symbol.asyncIterator](), 1);
    const pubkey = fixture.sim.pubkey;
    const certPem = readFileSync(fixture.sim.tlsCertPath, 'utf8');
    const invoicesBefore = await before.listInvoices();

    await fixture.restart();
    const after = fixture.client('admin');

    expect((await after.getInfo()).identityPubkey).toBe(pubkey);
    expect(readFileSync(fixture.sim.tlsCertPath, 'utf8')).toBe(certPem);
    expect(await after.listInvoices()).toEqual(invoicesBefore);
    expect(await after.lookupInvoice(settled.paymentHash)).toMatchObject({
      state: InvoiceState.Settled,
      amountPaidMsat: 11_000,
      settleIndex: 1,
    });
    expect((await after.lookupInvoice(open.paymentHash)).state).toBe(InvoiceState.Open);
    expect((await after.lookupInvoice(canceled.paymentHash)).state).toBe(InvoiceState.Canceled);

    const next = await after.addInvoice({ valueMsat: 1_000 });
    expect(next.addIndex).toBe(4);
    fixture.sim.payInvoice(open.paymentRequest);
    expect((await after.lookupInvoice(open.paymentHash)).settleIndex).toBe(2);

    expect(await collectAll(after.trackPayment(paid.paymentHash))).toEqual([paidFinal]);
    await expect(
      collectAll(after.sendPayment({ paymentRequest: paid.bolt11, feeLimitMsat: 10, timeoutSec: 30 })),
    ).rejects.toBeInstanceOf(PaymentAlreadySucceededError);
    expect(fixture.sim.paymentAttempts(paid.paymentHash)).toEqual({ attempts: 1, settled: true });

    const tracking = after.trackPayment(hanging.paymentHash)[Symbol.asyncIterator]();
    expect((await takeNext(tracking, 1))[0]?.status).toBe(PaymentStatus.InFlight);
    fixture.sim.resolvePayment(hanging.paymentHash, 'succeed');
    expect((await takeNext(tracking, 1))[0]?.status).toBe(PaymentStatus.Succeeded);
  });

  it('replays settlements after a settle index across the restart', async () => {
    const before = fixture.client('invoice');
    const first = await before.addInvoice({ valueMsat: 1_000 });
    fixture.sim.payInvoice(first.paymentRequest);

    await fixture.restart();
    const after = fixture.client('invoice');
    const second = await after.addInvoice({ valueMsat: 2_000 });
    fixture.sim.payInvoice(second.paymentRequest);
    const stream = after.subscribeInvoices({ settleIndex: 1 });
    await waitFor(() => fixture.sim.openStreamCount() === 1);

    const [replayed] = await takeNext(stream[Symbol.asyncIterator](), 1);
    stream.cancel();

    expect(replayed).toMatchObject({ paymentHash: second.paymentHash, settleIndex: 2 });
  });
});
