import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyPaidError,
  ClnClient,
  ClnInvalidParamsError,
  PaymentFailedError,
  PaymentFailureReason,
  PaymentOutcomeUnknownError,
  PaymentPendingError,
} from '../../functions/lib/cln';
import { waitFor } from '../lnd/support/streams';
import { clnClientFor, outsideInvoice, unknownPeerInvoice } from './support/cln-client';
import { type ClnFixture, startClnFixture } from './support/cln-fixture';

let fixture: ClnFixture;
let cln: ClnClient;

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

const attempts = async (paymentHash: string) =>
  (await fixture.control<{ attempts: number; settled: boolean }>('GET', `/payments/${paymentHash}`)).body.attempts;
const statuses = async (paymentHash: string) => (await cln.listPays({ paymentHash })).map((pay) => pay.status);

beforeAll(async () => {
  fixture = await startClnFixture({ maxPaymentTimeoutMs: 500 });
  cln = clnClientFor(fixture);
});
afterAll(async () => {
  cln.close();
  await fixture.stop();
});

describe('xpay', () => {
  it('pays and answers with the preimage and the amount sent including the fee; listPays shows it complete', async () => {
    const invoice = await outsideInvoice(fixture, { amount_msat: 20_000, fee_msat: 7 });
    const paid = await cln.xpay({ invstring: invoice.bolt11, maxfeeMsat: 10, retryForSec: 5, maxdelayBlocks: 2016, label: 'payout-1' });
    expect(paid).toMatchObject({ amountMsat: 20_000, amountSentMsat: 20_007, successfulParts: 1, failedParts: 0 });
    expect(paid.paymentPreimage).toMatch(/^[0-9a-f]{64}$/);
    const [pay] = await cln.listPays({ paymentHash: invoice.paymentHash });
    expect(pay).toMatchObject({
      paymentHash: invoice.paymentHash,
      status: 'complete',
      label: 'payout-1',
      preimage: paid.paymentPreimage,
      destination: fixture.sim.peerPubkey,
      amountMsat: 20_000,
      amountSentMsat: 20_007,
      bolt11: invoice.bolt11,
    });
    expect(pay?.completedAtSec).toBeGreaterThan(0);
  });

  it('pays an amountless invoice with amountMsat, and refuses amountMsat for one that has an amount', async () => {
    const amountless = await outsideInvoice(fixture, {});
    expect(await rejectionOf(cln.xpay({ invstring: amountless.bolt11 }))).toBeInstanceOf(ClnInvalidParamsError);
    expect((await cln.xpay({ invstring: amountless.bolt11, amountMsat: 4_321 })).amountMsat).toBe(4_321);
    const fixed = await outsideInvoice(fixture, { amount_msat: 5_000 });
    expect(await rejectionOf(cln.xpay({ invstring: fixed.bolt11, amountMsat: 5_000 }))).toBeInstanceOf(ClnInvalidParamsError);
  });

  it('AlreadyPaidError (219) for a hash already paid, with no second attempt', async () => {
    const invoice = await outsideInvoice(fixture, { amount_msat: 1_000 });
    await cln.xpay({ invstring: invoice.bolt11 });
    const error = await rejectionOf(cln.xpay({ invstring: invoice.bolt11 }));
    expect(error).toBeInstanceOf(AlreadyPaidError);
    expect(error).toMatchObject({ method: 'Xpay', rpcCode: 219 });
    expect(await attempts(invoice.paymentHash)).toBe(1);
  });

  it.each([
    ['no_route', {}, 205, PaymentFailureReason.NoRoute],
    ['insufficient_balance', {}, 215, PaymentFailureReason.InsufficientBalance],
    ['succeed', { fee_msat: 11 }, 206, PaymentFailureReason.FeeLimitTooLow],
  ] as const)('PaymentFailedError when route finding fails (%s → %i, %s), nothing pending', async (outcome, extra, code, reason) => {
    const invoice = await outsideInvoice(fixture, { amount_msat: 1_000, outcome, ...extra });
    const error = await rejectionOf(cln.xpay({ invstring: invoice.bolt11, maxfeeMsat: 10 }));
    expect(error).toBeInstanceOf(PaymentFailedError);
    expect(error).toMatchObject({ code, reason, rpcCode: code });
    expect(await statuses(invoice.paymentHash)).toEqual([]);
  });

  it('PaymentFailedError (203, destination_rejected) when the payee does not know the invoice; listPays shows it failed', async () => {
    const invoice = unknownPeerInvoice(fixture);
    const error = await rejectionOf(cln.xpay({ invstring: invoice.bolt11 }));
    expect(error).toMatchObject({ name: 'PaymentFailedError', code: 203, reason: PaymentFailureReason.DestinationRejected });
    expect(await statuses(invoice.paymentHash)).toEqual(['failed']);
    expect(error.message).not.toMatch(/incorrect_or_unknown_payment_details|Destination said/);
  });

  it('PaymentFailedError (207, invoice_expired) for an expired invoice, before any attempt', async () => {
    const invoice = unknownPeerInvoice(fixture, { ageSec: 120, expirySec: 60 });
    const error = await rejectionOf(cln.xpay({ invstring: invoice.bolt11 }));
    expect(error).toMatchObject({ name: 'PaymentFailedError', code: 207, reason: PaymentFailureReason.InvoiceExpired });
    expect(await attempts(invoice.paymentHash)).toBe(0);
  });

  it('a payment that times out is pending in listPays, then PaymentFailedError (209) and failed', async () => {
    const invoice = await outsideInvoice(fixture, { amount_msat: 1_000, outcome: 'timeout' });
    const paying = rejectionOf(cln.xpay({ invstring: invoice.bolt11, retryForSec: 1 }));
    await waitFor(async () => (await statuses(invoice.paymentHash))[0] === 'pending');
    const error = await paying;
    expect(error).toMatchObject({ name: 'PaymentFailedError', code: 209, reason: PaymentFailureReason.Failed });
    const [failed] = await cln.listPays({ paymentHash: invoice.paymentHash });
    expect([failed?.status, failed?.preimage]).toEqual(['failed', null]);
  });
});

describe('a payment that hangs', () => {
  it('is pending in listPays past the caller’s deadline (PaymentOutcomeUnknownError), refuses a second xpay (PaymentPendingError), and completes when resolved', async () => {
    const invoice = await outsideInvoice(fixture, { amount_msat: 3_000, outcome: 'hang' });
    const lost = await rejectionOf(cln.xpay({ invstring: invoice.bolt11 }, { timeoutMs: 300 }));
    expect(lost).toBeInstanceOf(PaymentOutcomeUnknownError);
    expect(lost.name).toBe('PaymentOutcomeUnknownError');

    const [pending] = await cln.listPays({ paymentHash: invoice.paymentHash });
    expect(pending).toMatchObject({ status: 'pending', preimage: null, completedAtSec: null });
    expect((await cln.listPays({ status: 'pending' })).map((pay) => pay.paymentHash)).toContain(invoice.paymentHash);

    const again = await rejectionOf(cln.xpay({ invstring: invoice.bolt11 }));
    expect(again).toBeInstanceOf(PaymentPendingError);
    expect(again).toMatchObject({ rpcCode: 200 });
    expect(await attempts(invoice.paymentHash)).toBe(1);

    await fixture.control('POST', `/payments/${invoice.paymentHash}/resolve`, { outcome: 'succeed' });
    const [complete] = await cln.listPays({ paymentHash: invoice.paymentHash });
    expect(complete?.status).toBe('complete');
    expect(complete?.preimage).toMatch(/^[0-9a-f]{64}$/);
    expect(await rejectionOf(cln.xpay({ invstring: invoice.bolt11 }))).toBeInstanceOf(AlreadyPaidError);
  });

  it('a caller still waiting hears the failure when it is resolved to one; listPays then shows it failed', async () => {
    const invoice = await outsideInvoice(fixture, { amount_msat: 3_000, outcome: 'hang' });
    const waiting = rejectionOf(cln.xpay({ invstring: invoice.bolt11 }));
    await waitFor(async () => (await statuses(invoice.paymentHash)).length > 0);
    expect(await statuses(invoice.paymentHash)).toEqual(['pending']);
    await fixture.control('POST', `/payments/${invoice.paymentHash}/resolve`, { outcome: 'no_route' });
    expect(await waiting).toMatchObject({ name: 'PaymentFailedError', code: 209 });
    expect(await statuses(invoice.paymentHash)).toEqual(['failed']);
  });

  it('a dropped connection while waiting is PaymentOutcomeUnknownError, and the payment goes on', async () => {
    const invoice = await outsideInvoice(fixture, { amount_msat: 3_000, outcome: 'hang' });
    const waiting = rejectionOf(cln.xpay({ invstring: invoice.bolt11 }));
    await waitFor(async () => (await statuses(invoice.paymentHash)).length > 0);
    await fixture.control('POST', '/faults', { drop_streams: true });
    expect(await waiting).toBeInstanceOf(PaymentOutcomeUnknownError);
    expect(await statuses(invoice.paymentHash)).toEqual(['pending']);
    await fixture.control('POST', `/payments/${invoice.paymentHash}/resolve`, { outcome: 'succeed' });
    expect(await statuses(invoice.paymentHash)).toEqual(['complete']);
  });
});

describe('listPays', () => {
  it('filters by BOLT11 and by status', async () => {
    const invoice = await outsideInvoice(fixture, { amount_msat: 2_000 });
    await cln.xpay({ invstring: invoice.bolt11 });
    expect((await cln.listPays({ bolt11: invoice.bolt11 })).map((pay) => [pay.paymentHash, pay.status])).toEqual([[invoice.paymentHash, 'complete']]);
    const failed = await cln.listPays({ status: 'failed' });
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((pay) => pay.status === 'failed')).toBe(true);
  });
});
