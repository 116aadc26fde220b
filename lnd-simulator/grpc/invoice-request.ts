import type { NewInvoice } from '../invoice-book';
import { RpcFailure } from '../rpc-failure';
import { int64Field } from './request-fields';

// LND's defaults and limits for AddInvoice and AddHoldInvoice.
const DEFAULT_INVOICE_EXPIRY_SEC = 86_400;
const DEFAULT_FINAL_CLTV_DELTA = 80;
const MAX_MEMO_BYTES = 1024;

/** The request fields AddInvoice (lnrpc.Invoice) and AddHoldInvoice share, as proto-loader decodes them. */
export interface RawNewInvoiceFields {
  memo: string;
  value: string;
  value_msat: string;
  description_hash: Buffer;
  expiry: string;
  cltv_expiry: string;
  private: boolean;
}

function amountMsat(raw: RawNewInvoiceFields): number {
  const valueSat = int64Field(raw.value, 'value');
  const valueMsat = int64Field(raw.value_msat, 'value_msat');
  if (valueSat !== 0 && valueMsat !== 0) throw new RpcFailure('value and value_msat are mutually exclusive');
  const amount = valueMsat || valueSat * 1000;
  if (amount < 0 || !Number.isSafeInteger(amount)) throw new RpcFailure('invoice amount must not be negative');
  return amount;
}

/** LND's checks of a new invoice, and its defaults for what the request leaves at zero. */
export function newInvoiceFields(raw: RawNewInvoiceFields): Omit<NewInvoice, 'preimage' | 'holdHash'> {
  const valueMsat = amountMsat(raw);
  const memoBytes = Buffer.byteLength(raw.memo, 'utf8');
  if (memoBytes > MAX_MEMO_BYTES) throw new RpcFailure(`memo too large: ${memoBytes} bytes (maxsize=${MAX_MEMO_BYTES})`);
  if (raw.description_hash.length !== 0 && raw.description_hash.length !== 32) {
    throw new RpcFailure(`description hash is ${raw.description_hash.length} bytes, must be 32`);
  }
  const expirySec = int64Field(raw.expiry, 'expiry');
  if (expirySec < 0) throw new RpcFailure(`expiry of ${expirySec} seconds is negative`);
  const cltvExpiry = int64Field(raw.cltv_expiry, 'cltv_expiry');
  return {
    valueMsat,
    memo: raw.memo,
    descriptionHash: raw.description_hash.length ? raw.description_hash.toString('hex') : null,
    expirySec: expirySec || DEFAULT_INVOICE_EXPIRY_SEC,
    private: raw.private,
    cltvExpiry: cltvExpiry || DEFAULT_FINAL_CLTV_DELTA,
  };
}
