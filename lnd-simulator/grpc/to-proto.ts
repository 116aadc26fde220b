import type {
  RawFeature,
  RawInvoice,
  RawPayment,
} from '../../functions/lib/lnd/proto-types';
import { PaymentStatus } from '../../functions/lib/lnd/types';
import { SIMULATED_CHANNEL } from '../channels';
import type { HtlcAttemptRecord, InvoiceHtlcRecord, InvoiceRecord, PaymentRecord, RouteHopRecord } from '../state/records';

const ZERO_PREIMAGE = '0'.repeat(64);

const hexBytes = (hex: string | null): Buffer => (hex ? Buffer.from(hex, 'hex') : Buffer.alloc(0));
const msatToSat = (msat: number): string => String(Math.floor(msat / 1000));

/** Feature bits LND advertises in its invoices. */
export const INVOICE_FEATURES: Record<number, RawFeature> = {
  9: { name: 'tlv-onion', is_required: false, is_known: true },
  14: { name: 'payment-addr', is_required: true, is_known: true },
  17: { name: 'multi-path-payments', is_required: false, is_known: true },
};

/** Every incoming HTLC arrives over the one simulated channel. */
function invoiceHtlcToProto(htlc: InvoiceHtlcRecord, invoice: InvoiceRecord) {
  return {
    chan_id: SIMULATED_CHANNEL.chanId,
    htlc_index: String(htlc.htlcIndex),
    amt_msat: String(htlc.amountMsat),
    accept_height: htlc.acceptHeight,
    accept_time: String(htlc.acceptTimeSec),
    resolve_time: String(htlc.resolveTimeSec),
    expiry_height: htlc.expiryHeight,
    state: htlc.state,
    custom_records: {},
    // Our invoices advertise MPP, so the payer's onion carries the total.
    mpp_total_amt_msat: String(Math.max(htlc.amountMsat, invoice.valueMsat)),
  };
}

export function invoiceToProto(invoice: InvoiceRecord): Partial<RawInvoice> & { htlcs: unknown[] } {
  return {
    htlcs: (invoice.htlcs ?? []).map((htlc) => invoiceHtlcToProto(htlc, invoice)),
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

function hopToProto(hop: RouteHopRecord) {
  return {
    chan_id: hop.chanId,
    chan_capacity: String(SIMULATED_CHANNEL.capacitySat),
    amt_to_forward: msatToSat(hop.amountToForwardMsat),
    fee: msatToSat(hop.feeMsat),
    expiry: hop.expiryHeight,
    amt_to_forward_msat: String(hop.amountToForwardMsat),
    fee_msat: String(hop.feeMsat),
    pub_key: hop.pubkey,
    tlv_payload: true,
    mpp_record: hop.mpp
      ? { payment_addr: hexBytes(hop.mpp.paymentAddr), total_amt_msat: String(hop.mpp.totalAmountMsat) }
      : null,
    custom_records: {},
  };
}

function attemptToProto(attempt: HtlcAttemptRecord, omitHops: boolean) {
  return {
    attempt_id: String(attempt.attemptId),
    status: attempt.status,
    route: {
      total_time_lock: attempt.totalTimeLock,
      total_fees: msatToSat(attempt.totalFeesMsat),
      total_amt: msatToSat(attempt.totalAmountMsat),
      hops: omitHops ? [] : attempt.hops.map(hopToProto),
      total_fees_msat: String(attempt.totalFeesMsat),
      total_amt_msat: String(attempt.totalAmountMsat),
      first_hop_amount_msat: String(attempt.totalAmountMsat),
    },
    attempt_time_ns: attempt.attemptTimeNs,
    resolve_time_ns: attempt.resolveTimeNs,
    failure: attempt.failure
      ? {
          code: attempt.failure.code,
          htlc_msat: String(attempt.totalAmountMsat),
          failure_source_index: attempt.failure.sourceIndex,
          height: attempt.failure.height,
        }
      : null,
    preimage: hexBytes(attempt.preimage),
  };
}

export function paymentToProto(
  payment: PaymentRecord,
  options: { omitHops?: boolean } = {},
): Partial<RawPayment> & { htlcs: unknown[] } {
  const creationDateSec = String(BigInt(payment.creationTimeNs) / 1_000_000_000n);
  return {
    htlcs: (payment.htlcs ?? []).map((attempt) => attemptToProto(attempt, options.omitHops ?? false)),
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
