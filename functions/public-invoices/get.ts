import { IdPrefix } from '../lib/ids';
import { NotFoundError } from '../lib/errors';
import { toPublicInvoice } from '../lib/invoices/public-invoice';
import { findInvoice } from '../lib/invoices/repository';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath } from '../http/schemas/common';
import { publicInvoiceSchema } from '../http/schemas/resources';

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
