import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  AmountRequiredError,
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  InvoiceExpiredError,
  LndError,
  NodeUnavailableError,
  NotFoundError,
  PaymentAlreadySucceededError,
  PaymentInTransitionError,
  PermissionDeniedError,
  toLndError,
} from '../../functions/lib/lnd';

const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details });

describe('toLndError', () => {
  it.each([
    [status.UNAVAILABLE, 'No connection established', NodeUnavailableError],
    [status.DEADLINE_EXCEEDED, 'Deadline exceeded', NodeUnavailableError],
    [status.INTERNAL, 'read ECONNRESET', NodeUnavailableError],
    [status.PERMISSION_DENIED, 'permission denied', PermissionDeniedError],
    // Real LND returns macaroon failures as plain errors, i.e. UNKNOWN.
    [status.UNKNOWN, 'permission denied', PermissionDeniedError],
    [status.UNKNOWN, 'verification failed: signature mismatch after caveat verification', PermissionDeniedError],
    [status.UNKNOWN, 'expected 1 macaroon, got 0', PermissionDeniedError],
    [status.ALREADY_EXISTS, 'invoice is already paid', PaymentAlreadySucceededError],
    [status.ALREADY_EXISTS, 'payment is in transition', PaymentInTransitionError],
    // Newer payment stores wrap the same text.
    [status.ALREADY_EXISTS, 'payment is not initializable: invoice is already paid', PaymentAlreadySucceededError],
    [status.ALREADY_EXISTS, 'payment is not initializable: payment is in transition', PaymentInTransitionError],
    [status.NOT_FOUND, "payment isn't initiated", NotFoundError],
    [status.NOT_FOUND, 'unable to locate invoice', NotFoundError],
    [status.UNKNOWN, 'unable to locate invoice', NotFoundError],
    [status.UNKNOWN, 'invoice expired. Valid until 2026-11-21 10:00:00 +0000 UTC', InvoiceExpiredError],
    [status.UNKNOWN, 'amount must be specified when paying a zero amount invoice', AmountRequiredError],
    [status.UNKNOWN, 'invoice with payment hash already exists', DuplicateInvoiceError],
    [status.UNKNOWN, 'invoice already settled', InvoiceAlreadySettledError],
    [status.UNKNOWN, 'something else entirely', LndError],
  ])('maps code %i "%s"', (code, details, expected) => {
    const mapped = toLndError(grpcError(code, details), 'SomeMethod');

    expect(mapped).toBeInstanceOf(expected);
    expect(mapped.name).toBe(expected.name);
    expect(mapped.grpcCode).toBe(code);
    expect(mapped.details).toBe(details);
    expect(mapped.method).toBe('SomeMethod');
    expect(mapped.cause).toBeInstanceOf(Error);
  });

  it('needs ALREADY_EXISTS, not just the text, to call a payment a duplicate', () => {
    expect(toLndError(grpcError(status.UNKNOWN, 'payment is in transition'), 'SendPaymentV2')).not.toBeInstanceOf(
      PaymentInTransitionError,
    );
  });

  it('passes an LndError through unchanged', () => {
    const original = new NotFoundError('gone', { method: 'LookupInvoice' });

    expect(toLndError(original, 'Other')).toBe(original);
  });
});
