import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AmountRequiredError,
  InvoiceExpiredError,
  type LndClient,
  NotFoundError,
  PaymentAlreadySucceededError,
  PaymentFailureReason,
  PaymentInTransitionError,
  PaymentStatus,
} from '../../functions/lib/lnd';
import { encodeSignedInvoice } from '../../lnd-simulator/bolt11-codec';
import { generateNodeKey } from '../../lnd-simulator/node-key';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';
import { collectAll, finalPayment, takeNext, waitFor } from './support/streams';

const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

describe('payments through SendPaymentV2 / TrackPaymentV2', () => {
  let fixture: SimulatorFixture;
  let bridge: LndClient;

  beforeAll(async () => {
    fixture = await startSimulatorFixture({ maxPaymentTimeoutMs: 300 });
    bridge = fixture.client('payment');
  });
  afterAll(() => fixture.stop());

  const pay = (bolt11: string, feeLimitMsat = 1_000, extra: { amountMsat?: number; timeoutSec?: number } = {}) =>
    bridge.sendPayment({ paymentRequest: bolt11, feeLimitMsat, timeoutSec: extra.timeoutSec ?? 30, ...extra });

  it('succeeds with the configured fee, streaming IN_FLIGHT then SUCCEEDED with the preimage', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 100_000, feeMsat: 250 });

    const updates = await collectAll(pay(invoice.bolt11, 1_000));

    expect(updates.map((u) => u.status)).toEqual([PaymentStatus.InFlight, PaymentStatus.Succeeded]);
    expect(updates[0]?.preimage).toBeNull();
    const final = updates[1];
    expect(final).toMatchObject({ paymentHash: invoice.paymentHash, valueMsat: 100_000, feeMsat: 250 });
    expect(sha256(final?.preimage ?? '')).toBe(invoice.paymentHash);
    expect(fixture.sim.paymentAttempts(invoice.paymentHash)).toEqual({ attempts: 1, settled: true });
  });

  it.each([
    ['no_route', PaymentFailureReason.NoRoute],
    ['insufficient_balance', PaymentFailureReason.InsufficientBalance],
  ] as const)('fails with the %s outcome', async (outcome, reason) => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 10_000, outcome });

    const final = await finalPayment(pay(invoice.bolt11));

    expect(final).toMatchObject({ status: PaymentStatus.Failed, failureReason: reason, preimage: null });
  });

  it('fails with TIMEOUT after the payment timeout (capped by the simulator)', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 10_000, outcome: 'timeout' });
    const startedMs = Date.now();

    const final = await finalPayment(pay(invoice.bolt11, 0, { timeoutSec: 1 }));

    expect(final).toMatchObject({ status: PaymentStatus.Failed, failureReason: PaymentFailureReason.Timeout });
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(250);
  });

  it('fails with NO_ROUTE when the route fee exceeds the fee limit, and 0 allows only fee-free routes', async () => {
    const costly = fixture.sim.createOutsideInvoice({ amountMsat: 10_000, feeMsat: 11 });
    const free = fixture.sim.createOutsideInvoice({ amountMsat: 10_000, feeMsat: 0 });

    expect(await finalPayment(pay(costly.bolt11, 10))).toMatchObject({ failureReason: PaymentFailureReason.NoRoute });
    expect(await finalPayment(pay(free.bolt11, 0))).toMatchObject({ status: PaymentStatus.Succeeded, feeMsat: 0 });
  });

  it('keeps a hanging payment in flight, refuses a second one, then follows the resolution', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 20_000, outcome: 'hang', feeMsat: 5 });
    const sending = pay(invoice.bolt11)[Symbol.asyncIterator]();
    expect((await takeNext(sending, 1))[0]?.status).toBe(PaymentStatus.InFlight);

    await expect(collectAll(pay(invoice.bolt11))).rejects.toBeInstanceOf(PaymentInTransitionError);
    const tracking = bridge.trackPayment(invoice.paymentHash)[Symbol.asyncIterator]();
    expect((await takeNext(tracking, 1))[0]?.status).toBe(PaymentStatus.InFlight);

    expect(fixture.sim.resolvePayment(invoice.paymentHash, 'succeed')).toEqual({
      paymentHash: invoice.paymentHash,
      status: 'succeeded',
    });

    const [sent] = await takeNext(sending, 1);
    const [tracked] = await takeNext(tracking, 1);
    expect(sent).toMatchObject({ status: PaymentStatus.Succeeded, feeMsat: 5 });
    expect(tracked).toEqual(sent);
    await expect(sending.next()).resolves.toMatchObject({ done: true });
    await expect(tracking.next()).resolves.toMatchObject({ done: true });
    expect(fixture.sim.paymentAttempts(invoice.paymentHash)).toEqual({ attempts: 1, settled: true });
  });

  it('refuses to pay a succeeded hash again with PaymentAlreadySucceededError', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 1_000 });
    await finalPayment(pay(invoice.bolt11));

    await expect(collectAll(pay(invoice.bolt11))).rejects.toBeInstanceOf(PaymentAlreadySucceededError);
    expect(fixture.sim.paymentAttempts(invoice.paymentHash)).toEqual({ attempts: 1, settled: true });
  });

  it('allows a new attempt after a FAILED payment and counts both', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 1_000, outcome: 'hang' });
    const first = pay(invoice.bolt11);
    await waitFor(() => fixture.sim.paymentAttempts(invoice.paymentHash).attempts === 1);
    fixture.sim.resolvePayment(invoice.paymentHash, 'no_route');
    expect(await finalPayment(first)).toMatchObject({ status: PaymentStatus.Failed });

    const second = pay(invoice.bolt11)[Symbol.asyncIterator]();
    expect((await takeNext(second, 1))[0]?.status).toBe(PaymentStatus.InFlight);
    fixture.sim.resolvePayment(invoice.paymentHash, 'succeed');

    expect((await takeNext(second, 1))[0]?.status).toBe(PaymentStatus.Succeeded);
    expect(fixture.sim.paymentAttempts(invoice.paymentHash)).toEqual({ attempts: 2, settled: true });
  });

  it('gives the new attempt of a FAILED hash a higher payment_index and a new creation time, as LND does', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 1_000, outcome: 'hang' });
    const first = pay(invoice.bolt11);
    await waitFor(() => fixture.sim.paymentAttempts(invoice.paymentHash).attempts === 1);
    fixture.sim.resolvePayment(invoice.paymentHash, 'no_route');
    const failed = await finalPayment(first);
    await waitFor(() => Date.now() * 1e6 > Number(failed.creationTimeNs));

    const second = pay(invoice.bolt11)[Symbol.asyncIterator]();
    const [started] = await takeNext(second, 1);
    const [tracked] = await takeNext(bridge.trackPayment(invoice.paymentHash)[Symbol.asyncIterator](), 1);

    expect(started?.paymentIndex).toBeGreaterThan(failed.paymentIndex);
    expect(BigInt(started!.creationTimeNs)).toBeGreaterThan(BigInt(failed.creationTimeNs));
    expect(tracked).toMatchObject({ status: PaymentStatus.InFlight, paymentIndex: started?.paymentIndex });
    fixture.sim.resolvePayment(invoice.paymentHash, 'succeed');
  });

  it('holds sends while the hold_sends fault is on: TrackPaymentV2 sees the old record until they are released', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 1_000 });
    fixture.sim.holdSends(true);
    try {
      const sending = pay(invoice.bolt11);
      await waitFor(() => fixture.sim.heldSendCount() === 1);
      await expect(collectAll(bridge.trackPayment(invoice.paymentHash))).rejects.toBeInstanceOf(NotFoundError);
      expect(fixture.sim.paymentAttempts(invoice.paymentHash).attempts).toBe(0);

      expect(fixture.sim.holdSends(false)).toBe(1);
      expect(await finalPayment(sending)).toMatchObject({ status: PaymentStatus.Succeeded });
      expect(fixture.sim.paymentAttempts(invoice.paymentHash)).toEqual({ attempts: 1, settled: true });
    } finally {
      fixture.sim.holdSends(false);
    }
  });

  it('refuses an amount for an invoice that has one, as LND does, without an attempt', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 5_000 });

    await expect(collectAll(pay(invoice.bolt11, 0, { amountMsat: 5_000 }))).rejects.toThrow(/amount must not be specified when paying a non-zero amount invoice/);
    expect(fixture.sim.paymentAttempts(invoice.paymentHash).attempts).toBe(0);
  });

  it('tracks a finished payment with one message, then ends', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 3_000, feeMsat: 1 });
    const final = await finalPayment(pay(invoice.bolt11));

    const tracked = await collectAll(bridge.trackPayment(invoice.paymentHash));

    expect(tracked).toEqual([final]);
  });

  it('answers TrackPaymentV2 for an unknown hash with NotFoundError', async () => {
    const unknown = randomBytes(32).toString('hex');

    await expect(collectAll(bridge.trackPayment(unknown))).rejects.toBeInstanceOf(NotFoundError);
    await expect(collectAll(bridge.trackPayment(unknown))).rejects.toThrow("payment isn't initiated");
    expect(fixture.sim.paymentAttempts(unknown)).toEqual({ attempts: 0, settled: false });
  });

  it('sends only the final state with noInflightUpdates', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 3_000 });

    const updates = await collectAll(
      bridge.sendPayment({ paymentRequest: invoice.bolt11, feeLimitMsat: 0, timeoutSec: 30, noInflightUpdates: true }),
    );

    expect(updates.map((u) => u.status)).toEqual([PaymentStatus.Succeeded]);
  });

  it('pays an amountless invoice only with an amount (AmountRequiredError otherwise)', async () => {
    const invoice = fixture.sim.createOutsideInvoice({});

    await expect(collectAll(pay(invoice.bolt11))).rejects.toBeInstanceOf(AmountRequiredError);
    expect(await finalPayment(pay(invoice.bolt11, 0, { amountMsat: 7_000 }))).toMatchObject({
      status: PaymentStatus.Succeeded,
      valueMsat: 7_000,
    });
  });

  it('refuses an expired invoice with InvoiceExpiredError, without an attempt', async () => {
    const peerOfNowhere = generateNodeKey();
    const paymentHash = randomBytes(32).toString('hex');
    const expired = encodeSignedInvoice(
      {
        paymentHash,
        paymentSecret: randomBytes(32).toString('hex'),
        amountMsat: 1_000,
        description: 'old',
        expirySec: 60,
        cltvExpiry: 40,
        timestampSec: Math.floor(Date.now() / 1000) - 3_600,
      },
      peerOfNowhere.privateKey,
    );

    await expect(collectAll(pay(expired))).rejects.toBeInstanceOf(InvoiceExpiredError);
    expect(fixture.sim.paymentAttempts(paymentHash).attempts).toBe(0);
  });

  it('fails with NO_ROUTE to a node outside the simulated graph', async () => {
    const stranger = generateNodeKey();
    const bolt11 = encodeSignedInvoice(
      {
        paymentHash: randomBytes(32).toString('hex'),
        paymentSecret: randomBytes(32).toString('hex'),
        amountMsat: 1_000,
        description: '',
        expirySec: 600,
        cltvExpiry: 40,
        timestampSec: Math.floor(Date.now() / 1000),
      },
      stranger.privateKey,
    );

    expect(await finalPayment(pay(bolt11))).toMatchObject({ failureReason: PaymentFailureReason.NoRoute });
  });

  it('keeps paying after the caller cancels its stream, as LND does', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 4_000, outcome: 'hang' });
    const stream = pay(invoice.bolt11);
    await takeNext(stream[Symbol.asyncIterator](), 1);

    stream.cancel();
    fixture.sim.resolvePayment(invoice.paymentHash, 'succeed');

    expect(await finalPayment(bridge.trackPayment(invoice.paymentHash))).toMatchObject({
      status: PaymentStatus.Succeeded,
    });
  });
});
