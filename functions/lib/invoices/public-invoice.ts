import type { InvoiceItem } from './invoice';

/**
 * What anyone holding the (unguessable) invoice id may see, on the checkout page and from
 * GET /v1/public/invoices/{id}: nothing about the merchant or the account.
 */
export function toPublicInvoice(invoice: InvoiceItem) {
  return {
    id: invoice.id,
    status: invoice.status,
    amount_msat: invoice.amount_msat,
    bolt11: invoice.bolt11,
    memo: invoice.memo,
    expires_at: invoice.expires_at,
    paid_at: invoice.paid_at,
  };
}

export type PublicInvoice = ReturnType<typeof toPublicInvoice>;
