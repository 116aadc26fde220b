import { IdPrefix } from '../lib/ids';
import { NotFoundError } from '../lib/errors';
import type { InvoiceItem } from '../lib/invoices/invoice';
import { findInvoice } from '../lib/invoices/repository';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath } from '../http/schemas/common';
import { publicInvoiceSchema } from '../http/schemas/resources';

/** What anyone holding the (unguessable) invoice id may see: nothing about the merchant or account. */
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

export const getPublicInvoiceRoute = route({
  method: 'GET',
  path: '/v1/public/invoices/{id}',
  operationId: 'getPublicInvoice',
  summary: 'Status of an invoice for the checkout page (no authentication)',
  tag: 'Public',
  auth: AuthMode.public,
  params: idPath(IdPrefix.invoice, 'invoice'),
  response: { status: 200, description: 'The invoice as a payer may see it', schema: publicInvoiceSchema },
  async handler({ path }, { table }) {
    const invoice = await findInvoice(table, path.id);
    if (!invoice) throw new NotFoundError(`No such invoice: ${path.id}`);
    return ok(toPublicInvoice(invoice));
  },
});

export const handler = getPublicInvoiceRoute.lambda();
