import * as z from 'zod';
import { InvoiceStatus, toInvoice } from '../lib/invoices/invoice';
import { listInvoices } from '../lib/invoices/repository';
import { AuthMode } from '../http/authenticate';
import { DEFAULT_LIMIT, listResponse } from '../http/lists';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { listOf, listQueryShape, text } from '../http/schemas/common';
import { invoiceSchema } from '../http/schemas/resources';

export const listInvoicesQuery = z.strictObject({
  ...listQueryShape,
  status: z.enum(Object.values(InvoiceStatus) as [InvoiceStatus, ...InvoiceStatus[]]).optional(),
  // A filter, not a look-up: an account that is not the merchant's simply matches nothing.
  account_id: text(64, 1).optional(),
  reference: text(128, 1).optional(),
});

export const listInvoicesRoute = route({
  method: 'GET',
  path: '/v1/invoices',
  operationId: 'listInvoices',
  summary: 'List invoices, newest first, optionally filtered',
  tag: 'Invoices',
  auth: AuthMode.invoice,
  query: listInvoicesQuery,
  response: { status: 200, description: 'A page of invoices', schema: listOf(invoiceSchema) },
  async handler({ auth, query }, { table }) {
    const page = await listInvoices(table, {
      merchantId: auth.merchantId,
      limit: query.limit ?? DEFAULT_LIMIT,
      cursor: query.cursor,
      where: { status: query.status, account_id: query.account_id, reference: query.reference },
    });
    return ok(listResponse(page, toInvoice));
  },
});

export const handler = listInvoicesRoute.lambda();
