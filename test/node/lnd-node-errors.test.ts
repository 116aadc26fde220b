/**
 * The LND adapter's error mapping: every LND failure becomes the node port's outcome
 * (node-errors.ts) for the operation that failed, the same outcomes a Core Lightning
 * adapter gives; failures that are not LND's pass through as they are.
 */
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { LndError } from '../../functions/lib/lnd';
import { LndNode } from '../../functions/lib/node/lnd/lnd-node';
import {
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  NodeAccessDeniedError,
  NodeError,
  NodeUnreachableError,
  PaymentAlreadySucceededError,
  PaymentInFlightError,
  PaymentRefusal,
  PaymentRefusedError,
  UnknownInvoiceError,
  UnknownPaymentError,
} from '../../functions/lib/node/node-errors';
import { collect, fakeLnd, lndFailure, lndStream } from './support/fake-lnd';

const HASH = 'ab'.repeat(32);
const PAY = { bolt11: 'lnbcrt1fake', feeLimitMsat: 100, timeoutSec: 5 };

describe('LndNode: unary calls', () => {
  it.each([
    [status.UNAVAILABLE, 'No connection established', NodeUnreachableError],
    [status.DEADLINE_EXCEEDED, 'Deadline exceeded', NodeUnreachableError],
    [status.PERMISSION_DENIED, 'permission denied', NodeAccessDeniedError],
    [status.UNKNOWN, 'verification failed: signature mismatch after caveat verification', NodeAccessDeniedError],
    [status.UNKNOWN, 'something else entirely', NodeError],
  ])('getNodeInfo: code %i "%s" is a %o', async (code, details, expected) => {
    const cause = lndFailure(code, details, 'GetInfo');
    const node = new LndNode(fakeLnd({ getInfo: () => Promise.reject(cause) }));

    const error = await node.getNodeInfo().catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(expected);
    expect((error as Error).name).toBe(expected.name);
    expect(error).toMatchObject({ operation: 'getNodeInfo', details, cause });
  });

  it('createInvoice: a taken payment hash is a DuplicateInvoiceError', async () => {
    const node = new LndNode(fakeLnd({ addInvoice: () => Promise.reject(lndFailure(status.UNKNOWN, 'invoice with payment hash already exists')) }));

    await expect(node.createInvoice({ label: 'inv_1', amountMsat: 1_000, expirySec: 60 })).rejects.toBeInstanceOf(DuplicateInvoiceError);
  });

  it('lookupInvoice: an invoice LND does not know is undefined, an unreachable node an error', async () => {
    const unknown = new LndNode(fakeLnd({ lookupInvoice: () => Promise.reject(lndFailure(status.UNKNOWN, 'unable to locate invoice')) }));
    const down = new LndNode(fakeLnd({ lookupInvoice: () => Promise.reject(lndFailure(status.UNAVAILABLE, 'No connection established')) }));

    expect(await unknown.lookupInvoice(HASH)).toBeUndefined();
    await expect(down.lookupInvoice(HASH)).rejects.toBeInstanceOf(NodeUnreachableError);
  });

  it.each([
    ['unable to locate invoice', UnknownInvoiceError],
    ['invoice already settled', InvoiceAlreadySettledError],
  ])('cancelInvoice: "%s" is a %o', async (details, expected) => {
    const node = new LndNode(fakeLnd({ cancelInvoice: () => Promise.reject(lndFailure(status.UNKNOWN, details, 'CancelInvoice')) }));

    await expect(node.cancelInvoice(HASH)).rejects.toBeInstanceOf(expected);
  });

  it('lets a failure that is not LND\'s through unchanged', async () => {
    const bug = new RangeError('valueMsat must be a safe integer >= 0');
    const node = new LndNode(fakeLnd({ addInvoice: () => Promise.reject(bug) }));

    await expect(node.createInvoice({ label: 'inv_1', amountMsat: -1, expirySec: 60 })).rejects.toBe(bug);
    expect(bug).not.toBeInstanceOf(NodeError);
  });
});

describe('LndNode: payment streams', () => {
  const payFailing = (details: string, code = status.UNKNOWN) => new LndNode(fakeLnd({ sendPayment: () => lndStream([], lndFailure(code, details, 'SendPaymentV2')) }));

  it.each([
    [status.ALREADY_EXISTS, 'invoice is already paid', PaymentAlreadySucceededError],
    [status.ALREADY_EXISTS, 'payment is in transition', PaymentInFlightError],
    [status.UNAVAILABLE, 'No connection established', NodeUnreachableError],
    [status.UNKNOWN, 'something else entirely', NodeError],
  ])('pay: code %i "%s" arrives from the iterator as a %o', async (code, details, expected) => {
    const error = await collect(payFailing(details, code).pay(PAY)).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(expected);
    expect((error as Error).name).toBe(expected.name);
    expect(error).toMatchObject({ operation: 'pay', details });
    expect((error as Error).cause).toBeInstanceOf(LndError);
  });

  it.each([
    ['invoice expired. Valid until 2026-11-21 10:00:00 +0000 UTC', PaymentRefusal.invoiceExpired],
    ['amount must be specified when paying a zero amount invoice', PaymentRefusal.amountRequired],
    ['invalid payment request: checksum failed', PaymentRefusal.invalidInvoice],
    ["invoice not for current active network 'regtest'", PaymentRefusal.wrongNetwork],
    ['amount must not be specified when paying a non-zero amount invoice', PaymentRefusal.amountNotAllowed],
    // Older LND versions put two spaces there.
    ['amount must not be specified when paying a non-zero  amount invoice', PaymentRefusal.amountNotAllowed],
  ])('pay: "%s" is refused before start (%s)', async (details, refusal) => {
    const error = await collect(payFailing(details).pay(PAY)).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(PaymentRefusedError);
    expect(error).toMatchObject({ refusal, operation: 'pay' });
  });

  it('pay: an unreachable node is never a refusal, whatever its text', async () => {
    const error = await collect(payFailing('invalid payment request', status.UNAVAILABLE).pay(PAY)).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(NodeUnreachableError);
    expect(error).not.toBeInstanceOf(PaymentRefusedError);
  });

  it('trackPayment: a hash LND never paid is an UnknownPaymentError; the refusal texts mean nothing there', async () => {
    const never = new LndNode(fakeLnd({ trackPayment: () => lndStream([], lndFailure(status.NOT_FOUND, "payment isn't initiated", 'TrackPaymentV2')) }));
    const odd = new LndNode(fakeLnd({ trackPayment: () => lndStream([], lndFailure(status.UNKNOWN, 'invalid payment request', 'TrackPaymentV2')) }));

    await expect(collect(never.trackPayment(HASH))).rejects.toBeInstanceOf(UnknownPaymentError);
    const error = await collect(odd.trackPayment(HASH)).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(NodeError);
    expect(error).not.toBeInstanceOf(PaymentRefusedError);
  });

  it('subscribeSettlements: a dropped stream is a NodeUnreachableError', async () => {
    const node = new LndNode(fakeLnd({ subscribeInvoices: () => lndStream([], lndFailure(status.UNAVAILABLE, 'Connection dropped', 'SubscribeInvoices')) }));

    const error = await collect(node.subscribeSettlements(4)).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(NodeUnreachableError);
    expect(error).toMatchObject({ operation: 'subscribeSettlements' });
  });
});
