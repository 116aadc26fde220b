import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { RawCancelInvoiceMsg } from '../../functions/lib/lnd/proto-types';
import type { InvoiceBook } from '../invoice-book';
import { hashField } from './request-fields';
import type { RpcHandlers } from './rpc-handlers';

export function invoicesService(handlers: RpcHandlers, invoices: InvoiceBook): UntypedServiceImplementation {
  return {
    CancelInvoice: handlers.unary('/invoicesrpc.Invoices/CancelInvoice', (raw: RawCancelInvoiceMsg) => {
      invoices.cancel(hashField(raw.payment_hash, 'payment hash'));
      return {};
    }),
  };
}
