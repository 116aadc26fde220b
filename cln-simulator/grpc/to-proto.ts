import type { ClnInvoiceRecord, ClnPayRecord, InvoiceStatus } from '../state/records';
import { invoiceStatus } from '../invoice-book';

export const amount = (msat: number): { msat: number } => ({ msat });
export const hexBytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

/** Fields listinvoices, waitanyinvoice and delinvoice share; the caller adds its own status enum. */
function invoiceFields(invoice: ClnInvoiceRecord) {
  return {
    label: invoice.label,
    ...(invoice.description === null ? {} : { description: invoice.description }),
    payment_hash: hexBytes(invoice.paymentHash),
    expires_at: invoice.expiresAtSec,
    ...(invoice.amountMsat === null ? {} : { amount_msat: amount(invoice.amountMsat) }),
    bolt11: invoice.bolt11,
    created_index: invoice.createdIndex,
    ...(invoice.updatedIndex === null ? {} : { updated_index: invoice.updatedIndex }),
    ...(invoice.payIndex === null
      ? {}
      : {
          pay_index: invoice.payIndex,
          amount_received_msat: amount(invoice.amountReceivedMsat ?? 0),
          paid_at: invoice.paidAtSec ?? 0,
          payment_preimage: hexBytes(invoice.preimage),
        }),
  };
}

const statusName = (status: InvoiceStatus): string => status.toUpperCase();

export function listedInvoice(invoice: ClnInvoiceRecord) {
  return { ...invoiceFields(invoice), status: statusName(invoiceStatus(invoice)) };
}

export const waitedInvoice = listedInvoice;

export function deletedInvoice(invoice: ClnInvoiceRecord, status: InvoiceStatus) {
  return { ...invoiceFields(invoice), status: statusName(status) };
}

export function listedPay(pay: ClnPayRecord) {
  return {
    payment_hash: hexBytes(pay.paymentHash),
    status: pay.status.toUpperCase(),
    destination: hexBytes(pay.destination),
    created_at: pay.createdAtSec,
    ...(pay.label === null ? {} : { label: pay.label }),
    bolt11: pay.bolt11,
    amount_msat: amount(pay.amountMsat),
    amount_sent_msat: amount(pay.amountSentMsat),
    ...(pay.completedAtSec === null || pay.status !== 'complete' ? {} : { completed_at: pay.completedAtSec }),
    ...(pay.preimage === null ? {} : { preimage: hexBytes(pay.preimage), number_of_parts: 1 }),
    created_index: pay.createdIndex,
    ...(pay.updatedIndex === null ? {} : { updated_index: pay.updatedIndex }),
  };
}
