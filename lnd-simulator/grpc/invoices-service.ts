import { status as GrpcStatus, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { RawCancelInvoiceMsg } from '../../functions/lib/lnd/proto-types';
import { InvoiceState } from '../../functions/lib/lnd/types';
import type { InvoiceBook } from '../invoice-book';
import { RpcFailure } from '../rpc-failure';
import type { InvoiceRecord } from '../state/records';
import { newInvoiceFields, type RawNewInvoiceFields } from './invoice-request';
import type { OpenStreams } from './open-streams';
import { hashField } from './request-fields';
import type { RpcHandlers } from './rpc-handlers';
import { invoiceToProto } from './to-proto';

interface RawAddHoldInvoiceRequest extends RawNewInvoiceFields {
  hash: Buffer;
}

const isFinal = (invoice: InvoiceRecord): boolean =>
  invoice.state === InvoiceState.Settled || invoice.state === InvoiceState.Canceled;

/**
 * SubscribeSingleInvoice: the invoice as it is now, then each change of
 * state (ACCEPTED included), ending with OK once it is settled or canceled.
 */
function streamInvoice(call: ServerWritableStream<unknown, unknown>, streams: OpenStreams, invoices: InvoiceBook, paymentHash: string): void {
  const invoice = invoices.lookup(paymentHash);
  if (!invoice) throw new RpcFailure('unable to locate invoice', GrpcStatus.NOT_FOUND);
  call.write(invoiceToProto(invoice));
  if (isFinal(invoice)) {
    call.end();
    return;
  }
  let unsubscribe = (): void => {};
  const close = streams.track(call, () => unsubscribe());
  unsubscribe = invoices.updated.subscribe((updated) => {
    if (updated.paymentHash !== paymentHash) return;
    call.write(invoiceToProto(updated));
    if (isFinal(updated)) close();
  });
}

export function invoicesService(handlers: RpcHandlers, streams: OpenStreams, invoices: InvoiceBook): UntypedServiceImplementation {
  return {
    CancelInvoice: handlers.unary('/invoicesrpc.Invoices/CancelInvoice', (raw: RawCancelInvoiceMsg) => {
      invoices.cancel(hashField(raw.payment_hash, 'payment hash'));
      return {};
    }),

    AddHoldInvoice: handlers.unary('/invoicesrpc.Invoices/AddHoldInvoice', (raw: RawAddHoldInvoiceRequest) => {
      const invoice = invoices.add({
        ...newInvoiceFields(raw),
        preimage: null,
        holdHash: hashField(raw.hash, 'hash'),
      });
      return {
        payment_request: invoice.paymentRequest,
        add_index: String(invoice.addIndex),
        payment_addr: Buffer.from(invoice.paymentAddr, 'hex'),
      };
    }),

    SettleInvoice: handlers.unary('/invoicesrpc.Invoices/SettleInvoice', (raw: { preimage: Buffer }) => {
      if (raw.preimage.length !== 32) throw new RpcFailure(`preimage must be exactly 32 bytes, is ${raw.preimage.length}`);
      invoices.settleHeld(raw.preimage.toString('hex'));
      return {};
    }),

    SubscribeSingleInvoice: handlers.serverStream('/invoicesrpc.Invoices/SubscribeSingleInvoice', (call) => {
      const raw = call.request as { r_hash: Buffer };
      streamInvoice(call as ServerWritableStream<unknown, unknown>, streams, invoices, hashField(raw.r_hash, 'payment hash'));
    }),
  };
}
