import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { PaymentFailedError, toClnError } from '../../functions/lib/cln';
import { failureReasonFromCln, nodeErrorFromCln } from '../../functions/lib/node/cln/cln-node-errors';
import {
  DuplicateInvoiceError,
  NodeAccessDeniedError,
  NodeError,
  NodeUnreachableError,
  PaymentAlreadySucceededError,
  PaymentInFlightError,
  PaymentRefusal,
  PaymentRefusedError,
  UnknownInvoiceError,
} from '../../functions/lib/node/node-errors';
import { FailureReason } from '../../functions/lib/withdrawals/withdrawal';
import { clnRpcFailure, clnUnavailable } from './support/fake-cln';

describe('nodeErrorFromCln', () => {
  it('a transport failure is NodeUnreachableError, and so is an Xpay whose answer was lost (never a failed payment)', () => {
    expect(nodeErrorFromCln(clnUnavailable('Getinfo'), 'getNodeInfo')).toBeInstanceOf(NodeUnreachableError);
    const lost = nodeErrorFromCln(clnUnavailable('Xpay'), 'pay');
    expect(lost).toBeInstanceOf(NodeUnreachableError);
    expect(lost).toMatchObject({ operation: 'pay' });
  });

  it('a refused client certificate is NodeAccessDeniedError', () => {
    const denied = toClnError(Object.assign(new Error('7 PERMISSION_DENIED'), { code: GrpcStatus.PERMISSION_DENIED, details: 'no' }), 'Invoice');
    expect(nodeErrorFromCln(denied, 'createInvoice')).toBeInstanceOf(NodeAccessDeniedError);
  });

  it.each([
    [900, 'Invoice', 'createInvoice', DuplicateInvoiceError],
    [901, 'Invoice', 'createInvoice', DuplicateInvoiceError],
    [905, 'DelInvoice', 'cancelInvoice', UnknownInvoiceError],
    [219, 'Xpay', 'pay', PaymentAlreadySucceededError],
    [200, 'Xpay', 'pay', PaymentInFlightError],
  ])('code %i of %s is %O', (code, method, operation, expected) => {
    expect(nodeErrorFromCln(clnRpcFailure(method, code, 'says lightningd'), operation)).toBeInstanceOf(expected);
  });

  it.each([
    ['Invalid bolt11 invoice: Invoice is for another network', PaymentRefusal.wrongNetwork],
    ['amount_msat required', PaymentRefusal.amountRequired],
    ['amount_msat unnecessary', PaymentRefusal.amountNotAllowed],
    ['Invalid bolt11 invoice: bad bech32 string', PaymentRefusal.invalidInvoice],
    ['need payment_secret', PaymentRefusal.invalidInvoice],
  ])('xpay refusing "%s" (-32602) is a refusal: %s', (text, refusal) => {
    const error = nodeErrorFromCln(clnRpcFailure('Xpay', -32602, text), 'pay');
    expect(error).toBeInstanceOf(PaymentRefusedError);
    expect((error as PaymentRefusedError).refusal).toBe(refusal);
  });

  it('a refused parameter outside pay is a plain NodeError, not a payment refusal', () => {
    const error = nodeErrorFromCln(clnRpcFailure('Decode', -32602, 'string: Unparsable invoice'), 'decode');
    expect(error).toBeInstanceOf(NodeError);
    expect(error).not.toBeInstanceOf(PaymentRefusedError);
  });

  it("keeps lightningd's text in details only, never in the message", () => {
    const error = nodeErrorFromCln(clnRpcFailure('Invoice', 900, "Duplicate label 'inv_secret'"), 'createInvoice') as NodeError;
    expect(error.details).toContain("Duplicate label 'inv_secret'");
    expect(error.message).not.toContain('inv_secret');
    expect(error.cause).toBeDefined();
  });

  it('returns what is not a Core Lightning error unchanged', () => {
    const bug = new RangeError('paymentHash must be 32 bytes');
    expect(nodeErrorFromCln(bug, 'trackPayment')).toBe(bug);
  });
});

describe('failureReasonFromCln', () => {
  const failed = (code: number, text = 'Failed') => clnRpcFailure('Xpay', code, text) as PaymentFailedError;

  it.each([
    [203, FailureReason.incorrectPaymentDetails],
    [204, FailureReason.noRoute],
    [205, FailureReason.noRoute],
    [206, FailureReason.noRoute],
    [215, FailureReason.insufficientBalance],
    [216, FailureReason.noRoute],
    [220, FailureReason.noRoute],
  ])('xpay code %i fails with %s', (code, reason) => {
    expect(failureReasonFromCln(failed(code))).toBe(reason);
  });

  it.each([
    [209, 'Failed after 3 attempts. Then routing failed: retry_for exhausted', FailureReason.timeout],
    [210, 'Timed out after 12 attempts', FailureReason.timeout],
    [209, "Failed after 1 attempts. Then routing failed: We don't have sufficient funds", FailureReason.insufficientBalance],
    [210, 'Ran out of routes to try after 4 attempts', FailureReason.noRoute],
    [209, 'Something odd', FailureReason.error],
  ])('xpay code %i "%s" fails with %s', (code, text, reason) => {
    expect(failureReasonFromCln(failed(code, text))).toBe(reason);
  });
});
