import { decodeInvoice, type DecodedInvoice } from './bolt11-codec';

export interface OutsidePaymentResult {
  payment_hash: string;
  /** 'held': a hold invoice accepted the HTLC and waits for SettleInvoice or CancelInvoice. */
  status: 'settled' | 'held' | 'failed';
  error?: string;
}

/** The node's side of an incoming payment: throws with its reason to refuse it. */
export interface PayableInvoices {
  /** The invoice after the HTLC arrived; state 'ACCEPTED' means held, not settled. */
  acceptPayment(paymentHash: string, amountMsat: number): { state: string };
}

/**
 * A payer somewhere on the network pays one of our node's invoices,
 * optionally more than it asks. Refusals come back as a failed result with
 * the reason, never as an exception.
 */
export function payOurInvoice(
  invoices: PayableInvoices,
  ourPubkey: string,
  paymentRequest: string,
  amountMsat?: number,
): OutsidePaymentResult {
  let decoded: DecodedInvoice;
  try {
    decoded = decodeInvoice(paymentRequest);
  } catch (error) {
    return { payment_hash: '', status: 'failed', error: `invalid bolt11: ${(error as Error).message}` };
  }
  const failedWith = (error: string): OutsidePaymentResult => ({
    payment_hash: decoded.paymentHash,
    status: 'failed',
    error,
  });
  if (decoded.payee !== ourPubkey) return failedWith('invoice is not for this node');
  const amount = amountMsat ?? decoded.amountMsat;
  if (amount === null) return failedWith('amount_msat is required to pay a zero amount invoice');
  try {
    const invoice = invoices.acceptPayment(decoded.paymentHash, amount);
    return { payment_hash: decoded.paymentHash, status: invoice.state === 'ACCEPTED' ? 'held' : 'settled' };
  } catch (error) {
    return failedWith((error as Error).message);
  }
}
