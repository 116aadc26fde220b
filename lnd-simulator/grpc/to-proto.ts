import type {
  RawFeature,
  RawInvoice,
  RawPayment,
} from '../../functions/lib/lnd/proto-types';
import { PaymentStatus } from '../../functions/lib/lnd/types';
import type { InvoiceRecord, PaymentRecord } from '../state/records';

const ZERO_PREIMAGE = '0'.repeat(64);

const hexBytes = (hex: string | null): Buffer => (hex ? Buffer.from(hex, 'hex') : Buffer.alloc(0));
const msatToSat = (msat: number): string => String(Math.floor(msat / 1000));

/** Feature bits LND advertises in its invoices. */
export const INVOICE_FEATURES: Record<number, RawFeature> = {
  9: { name: 'tlv-onion', is_required: false, is_known: true },
  14: { name: 'payment-addr', is_required: true, is_known: true },
  17: { name: 'multi-path-payments', is_required: false, is_known: true },
};

export function invoiceToProto(invoice: InvoiceRecord): Partial<RawInvoice> {
  return {
    memo: invoice.memo,
    r_preimage: hexBytes(invoice.preimage),
    r_hash: hexBytes(invoice.paymentHash),
    value: msatToSat(invoice.valueMsat),
    value_msat: String(invoice.valueMsat),
    settled: invoice.state === 'SETTLED',
    creation_date: String(invoice.creationDateSec),
    settle_date: String(invoice.settleDateSec),
    payment_request: invoice.paymentRequest,
    description_hash: hexBytes(invoice.descriptionHash),
    expiry: String(invoice.expirySec),
    cltv_expiry: String(invoice.cltvExpiry),
    private: invoice.private,
    add_index: String(invoice.addIndex),
    settle_index: String(invoice.settleIndex),
    // LND fills the deprecated amt_paid in msat, despite its name.
    amt_paid: String(invoice.amountPaidMsat),
    amt_paid_sat: msatToSat(invoice.amountPaidMsat),
    amt_paid_msat: String(invoice.amountPaidMsat),
    state: invoice.state,
    features: INVOICE_FEATURES,
    is_keysend: false,
    payment_addr: hexBytes(invoice.paymentAddr),
    is_amp: false,
  };
}

export function paymentToProto(payment: PaymentRecord): Partial<RawPayment> {
  const creationDateSec = String(BigInt(payment.creationTimeNs) / 1_000_000_000n);
  return {
    payment_hash: payment.paymentHash,
    value: msatToSat(payment.valueMsat),
    creation_date: creationDateSec,
    fee: msatToSat(payment.feeMsat),
    // LND sends 64 zeros, not an empty string, until the preimage is known.
    payment_preimage: payment.status === PaymentStatus.Succeeded && payment.preimage ? payment.preimage : ZERO_PREIMAGE,
    value_sat: msatToSat(payment.valueMsat),
    value_msat: String(payment.valueMsat),
    payment_request: payment.paymentRequest,
    status: payment.status,
    fee_sat: msatToSat(payment.feeMsat),
    fee_msat: String(payment.feeMsat),
    creation_time_ns: payment.creationTimeNs,
    payment_index: String(payment.paymentIndex),
    failure_reason: `FAILURE_REASON_${payment.failureReason}` as RawPayment['failure_reason'],
  };
}
