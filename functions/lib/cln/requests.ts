import { amountToProto, uint32ToProto, uint64ToProto } from './amounts';
import { hexToBytes } from './bytes';
import type { ClnDelInvoiceRequest, ClnInvoiceRequest, ClnListInvoicesRequest, ClnListPaysRequest, ClnWaitAnyInvoiceRequest, ClnXpayRequest } from './types';

/** Our camelCase requests as proto/cln/node.proto messages; bad values throw before anything is sent. */

const HASH_BYTES = 32;

export function invoiceToProto(request: ClnInvoiceRequest): object {
  if (request.label === '') throw new TypeError('label must not be empty');
  return {
    label: request.label,
    description: request.description,
    amount_msat: request.amountMsat === 'any' ? { any: true } : { amount: amountToProto(request.amountMsat, 'amountMsat') },
    ...(request.expirySec === undefined ? {} : { expiry: uint64ToProto(request.expirySec, 'expirySec') }),
    ...(request.deschashonly === undefined ? {} : { deschashonly: request.deschashonly }),
    ...(request.preimage === undefined ? {} : { preimage: hexToBytes(request.preimage, HASH_BYTES, 'preimage') }),
    ...(request.cltv === undefined ? {} : { cltv: uint32ToProto(request.cltv, 'cltv') }),
  };
}

export function listInvoicesToProto(request: ClnListInvoicesRequest): object {
  if ('label' in request) return { label: request.label };
  if ('paymentHash' in request) return { payment_hash: hexToBytes(request.paymentHash, HASH_BYTES, 'paymentHash') };
  if ('invstring' in request) return { invstring: request.invstring };
  if ('index' in request) {
    return {
      index: request.index === 'updated' ? 'UPDATED' : 'CREATED',
      ...(request.start === undefined ? {} : { start: uint64ToProto(request.start, 'start') }),
      ...(request.limit === undefined ? {} : { limit: uint32ToProto(request.limit, 'limit') }),
    };
  }
  return {};
}

export function waitAnyInvoiceToProto(request: ClnWaitAnyInvoiceRequest): object {
  return {
    ...(request.lastpayIndex === undefined ? {} : { lastpay_index: uint64ToProto(request.lastpayIndex, 'lastpayIndex') }),
    ...(request.timeoutSec === undefined ? {} : { timeout: uint64ToProto(request.timeoutSec, 'timeoutSec') }),
  };
}

export function delInvoiceToProto(request: ClnDelInvoiceRequest): object {
  return {
    label: request.label,
    status: request.status.toUpperCase(),
    ...(request.desconly === undefined ? {} : { desconly: request.desconly }),
  };
}

export function xpayToProto(request: ClnXpayRequest): object {
  return {
    invstring: request.invstring,
    ...(request.amountMsat === undefined ? {} : { amount_msat: amountToProto(request.amountMsat, 'amountMsat') }),
    ...(request.maxfeeMsat === undefined ? {} : { maxfee: amountToProto(request.maxfeeMsat, 'maxfeeMsat') }),
    ...(request.retryForSec === undefined ? {} : { retry_for: uint32ToProto(request.retryForSec, 'retryForSec') }),
    ...(request.maxdelayBlocks === undefined ? {} : { maxdelay: uint32ToProto(request.maxdelayBlocks, 'maxdelayBlocks') }),
    ...(request.label === undefined ? {} : { label: request.label }),
  };
}

export function listPaysToProto(request: ClnListPaysRequest): object {
  return {
    ...(request.paymentHash === undefined ? {} : { payment_hash: hexToBytes(request.paymentHash, HASH_BYTES, 'paymentHash') }),
    ...(request.bolt11 === undefined ? {} : { bolt11: request.bolt11 }),
    ...(request.status === undefined ? {} : { status: request.status.toUpperCase() }),
  };
}
