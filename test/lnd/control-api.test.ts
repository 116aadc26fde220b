import { randomBytes } from 'node:crypto';
import bolt11 from 'bolt11';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvoiceState, type LndClient, NodeUnavailableError, PaymentStatus } from '../../functions/lib/lnd';
import { control } from './support/control-api';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';
import { finalPayment, takeNext, waitFor } from './support/streams';

describe('simulator control API (HTTP on loopback)', () => {
  let fixture: SimulatorFixture;
  let lnd: LndClient;

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
    lnd = fixture.client('admin');
  });
  afterAll(() => fixture.stop());

  describe('POST /pay', () => {
    it('settles our invoice as an outside payer, overpaying when asked', async () => {
      const added = await lnd.addInvoice({ valueMsat: 10_000 });

      const response = await control(fixture.sim, 'POST', '/pay', { bolt11: added.paymentRequest, amount_msat: 10_500 });

      expect(response).toEqual({ status: 200, body: { payment_hash: added.paymentHash, status: 'settled' } });
      expect(await lnd.lookupInvoice(added.paymentHash)).toMatchObject({ state: InvoiceState.Settled, amountPaidMsat: 10_500 });
    });

    it('fails an invoice that is already settled', async () => {
      const added = await lnd.addInvoice({ valueMsat: 1_000 });
      await control(fixture.sim, 'POST', '/pay', { bolt11: added.paymentRequest });

      const again = await control(fixture.sim, 'POST', '/pay', { bolt11: added.paymentRequest });

      expect(again.body).toEqual({ payment_hash: added.paymentHash, status: 'failed', error: 'invoice already settled' });
      expect((await lnd.lookupInvoice(added.paymentHash)).amountPaidMsat).toBe(1_000);
    });

    it('fails an invoice of another node', async () => {
      const outside = fixture.sim.createOutsideInvoice({ amountMsat: 1_000 });

      const response = await control(fixture.sim, 'POST', '/pay', { bolt11: outside.bolt11 });

      expect(response.body).toMatchObject({ status: 'failed', error: 'invoice is not for this node' });
    });

    it('fails a canceled invoice', async () => {
      const added = await lnd.addInvoice({ valueMsat: 1_000 });
      await lnd.cancelInvoice(added.paymentHash);

      expect((await control(fixture.sim, 'POST', '/pay', { bolt11: added.paymentRequest })).body).toMatchObject({
        status: 'failed',
        error: 'invoice canceled',
      });
    });

    it('fails garbage and answers 400 to a malformed body', async () => {
      expect((await control(fixture.sim, 'POST', '/pay', { bolt11: 'lnbcrt1nonsense' })).body).toMatchObject({
        status: 'failed',
      });
      expect((await control(fixture.sim, 'POST', '/pay', { amount_msat: 5 })).status).toBe(400);
    });
  });

  it('POST /invoices creates an outside invoice with an outcome and a fee', async () => {
    const response = await control<{ bolt11: string; payment_hash: string }>(fixture.sim, 'POST', '/invoices', {
      amount_msat: 42_000,
      memo: 'beer',
      outcome: 'succeed',
      fee_msat: 7,
    });

    expect(response.status).toBe(200);
    expect(bolt11.decode(response.body.bolt11).tagsObject.payment_hash).toBe(response.body.payment_hash);
    const final = await finalPayment(
      lnd.sendPayment({ paymentRequest: response.body.bolt11, feeLimitMsat: 7, timeoutSec: 30 }),
    );
    expect(final).toMatchObject({ status: PaymentStatus.Succeeded, feeMsat: 7, valueMsat: 42_000 });
  });

  it('GET /payments/{hash} counts attempts, 0 for a hash never tried', async () => {
    const outside = fixture.sim.createOutsideInvoice({ amountMsat: 1_000, outcome: 'no_route' });
    await finalPayment(lnd.sendPayment({ paymentRequest: outside.bolt11, feeLimitMsat: 0, timeoutSec: 30 }));
    await finalPayment(lnd.sendPayment({ paymentRequest: outside.bolt11, feeLimitMsat: 0, timeoutSec: 30 }));

    expect((await control(fixture.sim, 'GET', `/payments/${outside.paymentHash}`)).body).toEqual({
      attempts: 2,
      settled: false,
    });
    expect((await control(fixture.sim, 'GET', `/payments/${randomBytes(32).toString('hex')}`)).body).toEqual({
      attempts: 0,
      settled: false,
    });
  });

  it('POST /payments/{hash}/resolve ends a hanging payment, and refuses when nothing is in flight', async () => {
    const outside = fixture.sim.createOutsideInvoice({ amountMsat: 1_000, outcome: 'hang' });
    const stream = lnd.sendPayment({ paymentRequest: outside.bolt11, feeLimitMsat: 0, timeoutSec: 30 });
    await waitFor(() => fixture.sim.paymentAttempts(outside.paymentHash).attempts === 1);

    const resolved = await control(fixture.sim, 'POST', `/payments/${outside.paymentHash}/resolve`, { outcome: 'timeout' });
    const again = await control(fixture.sim, 'POST', `/payments/${outside.paymentHash}/resolve`, { outcome: 'succeed' });

    expect(resolved).toEqual({ status: 200, body: { payment_hash: outside.paymentHash, status: 'failed' } });
    expect(await finalPayment(stream)).toMatchObject({ status: PaymentStatus.Failed, failureReason: 'TIMEOUT' });
    expect(again.status).toBe(409);
  });

  it('POST /faults {"drop_streams": true} cuts open streams with UNAVAILABLE', async () => {
    const stream = lnd.subscribeInvoices();
    const events = stream[Symbol.asyncIterator]();
    await waitFor(() => fixture.sim.openStreamCount() === 1);

    const response = await control(fixture.sim, 'POST', '/faults', { drop_streams: true });

    expect(response).toEqual({ status: 200, body: { dropped_streams: 1 } });
    await expect(events.next()).rejects.toBeInstanceOf(NodeUnavailableError);
    expect(fixture.sim.openStreamCount()).toBe(0);
  });

  it('answers 404 to unknown routes and 400 to a bad hash', async () => {
    expect((await control(fixture.sim, 'GET', '/nothing')).status).toBe(404);
    expect((await control(fixture.sim, 'GET', '/payments/xyz')).status).toBe(400);
  });

  it('keeps a payment stream dropped mid-flight trackable', async () => {
    const outside = fixture.sim.createOutsideInvoice({ amountMsat: 1_000, outcome: 'hang' });
    const sending = lnd.sendPayment({ paymentRequest: outside.bolt11, feeLimitMsat: 0, timeoutSec: 30 })[Symbol.asyncIterator]();
    await takeNext(sending, 1);

    fixture.sim.dropStreams();
    await expect(sending.next()).rejects.toBeInstanceOf(NodeUnavailableError);
    fixture.sim.resolvePayment(outside.paymentHash, 'succeed');

    expect(await finalPayment(lnd.trackPayment(outside.paymentHash))).toMatchObject({ status: PaymentStatus.Succeeded });
  });
});
