import { IdPrefix } from '../lib/ids';
import { toInvoice } from '../lib/invoices/invoice';
import { getInvoice } from '../lib/invoices/repository';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath } from '../http/schemas/common';
import { invoiceSchema } from '../http/schemas/resources';

export const getInvoiceRoute = route({
  method: 'GET',
  path: '/v1/invoices/{id}',
  operationId: 'getInvoice',
  summary: 'Retrieve an invoice',
  tag: 'Invoices',
  auth: AuthMode.invoice,
  params: idPath(IdPrefix.invoice, 'invoice'),
  response: { status: 200, description: 'The invoice', schema: invoiceSchema },
  async handler({ auth, path }, { table }) {
    return ok(toInvoice(await getInvoice(table, auth.merchantId, path.id)));
  },
});

export const handler = getInvoiceRoute.lambda();
