import { createHash, randomBytes } from 'node:crypto';
import { encodeSignedInvoice } from '../lnd-simulator/bolt11-codec';
import { nowSec } from '../lnd-simulator/clock';
import { Listeners } from '../lnd-simulator/listeners';
import type { NodeKey } from '../lnd-simulator/node-key';
import { ClnErrorCode, ClnRpcError } from './cln-rpc-error';
import type { ClnInvoiceRecord, ClnSimulatorState, InvoiceStatus } from './state/records';

/** lightningd's defaults: one week, and its cltv-final option. */
export const DEFAULT_INVOICE_EXPIRY_SEC = 604_800;
export const DEFAULT_CLTV_FINAL = 18;

export interface NewClnInvoice {
  label: string;
  description: string;
  /** null: "any". */
  amountMsat: number | null;
  expirySec: number | null;
  preimage: string | null;
  cltv: number | null;
  deschashonly: boolean;
}

export interface InvoiceFilter {
  label?: string | undefined;
  invstring?: string | undefined;
  paymentHash?: string | undefined;
  index?: 'created' | 'updated' | undefined;
  start?: number | undefined;
  limit?: number | undefined;
}

const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const invalidParams = (message: string) => new ClnRpcError(ClnErrorCode.InvalidParams, message);

/** What listinvoices reports: paid stays paid; an unpaid invoice is expired once its time is up. */
export function invoiceStatus(invoice: ClnInvoiceRecord, atSec = nowSec()): InvoiceStatus {
  if (invoice.status === 'paid') return 'paid';
  return atSec >= invoice.expiresAtSec ? 'expired' : 'unpaid';
}

/**
 * Our node's invoices as lightningd keeps them: unique labels, created, updated and pay
 * indexes, deletion only with the status the caller expects, and the paid events
 * waitanyinvoice waits for.
 */
export class ClnInvoiceBook {
  readonly paid = new Listeners<ClnInvoiceRecord>();

  constructor(
    private readonly state: ClnSimulatorState,
    private readonly save: () => void,
    private readonly nodeKey: NodeKey,
  ) {}

  create(input: NewClnInvoice): ClnInvoiceRecord {
    if (input.label === '') throw invalidParams("label: should be a string or number: invalid token '\"\"'");
    if (this.byLabel(input.label)) {
      throw new ClnRpcError(ClnErrorCode.InvoiceLabelAlreadyExists, `Duplicate label '${input.label}'`);
    }
    if (input.amountMsat !== null && (!Number.isSafeInteger(input.amountMsat) || input.amountMsat < 1)) {
      throw invalidParams('amount_msat|msatoshi: should be positive msat or \'any\'');
    }
    if (input.preimage !== null && !/^[0-9a-f]{64}$/.test(input.preimage)) {
      throw invalidParams('preimage: should be a 32 byte hex value');
    }
    const preimage = input.preimage ?? randomBytes(32).toString('hex');
    const paymentHash = sha256Hex(Buffer.from(preimage, 'hex'));
    if (this.byHash(paymentHash)) {
      throw new ClnRpcError(ClnErrorCode.InvoicePreimageAlreadyExists, 'preimage already used');
    }
    const paymentSecret = randomBytes(32).toString('hex');
    const createdAtSec = nowSec();
    const expirySec = input.expirySec ?? DEFAULT_INVOICE_EXPIRY_SEC;
    const bolt11 = encodeSignedInvoice(
      {
        paymentHash,
        paymentSecret,
        amountMsat: input.amountMsat,
        ...(input.deschashonly
          ? { descriptionHash: sha256Hex(Buffer.from(input.description, 'utf8')) }
          : { description: input.description }),
        expirySec,
        cltvExpiry: input.cltv ?? DEFAULT_CLTV_FINAL,
        timestampSec: createdAtSec,
      },
      this.nodeKey.privateKey,
    );
    const invoice: ClnInvoiceRecord = {
      label: input.label,
      description: input.description,
      bolt11,
      paymentHash,
      preimage,
      paymentSecret,
      amountMsat: input.amountMsat,
      createdAtSec,
      expiresAtSec: createdAtSec + expirySec,
      status: 'unpaid',
      payIndex: null,
      amountReceivedMsat: null,
      paidAtSec: null,
      createdIndex: ++this.state.lastInvoiceCreatedIndex,
      updatedIndex: null,
    };
    this.state.invoices.push(invoice);
    this.save();
    return invoice;
  }

  byLabel(label: string): ClnInvoiceRecord | undefined {
    return this.state.invoices.find((invoice) => invoice.label === label);
  }

  byHash(paymentHash: string): ClnInvoiceRecord | undefined {
    return this.state.invoices.find((invoice) => invoice.paymentHash === paymentHash);
  }

  /** listinvoices: one selector at most; `start` is inclusive; `limit` needs an index. */
  list(filter: InvoiceFilter): ClnInvoiceRecord[] {
    const selectors = [filter.label, filter.invstring, filter.paymentHash].filter((value) => value !== undefined);
    if (selectors.length > 1) {
      throw invalidParams('Can only specify one of {label}, {invstring}, {payment_hash} or {offer_id}');
    }
    if (filter.index === undefined && (filter.start !== undefined || filter.limit !== undefined)) {
      throw invalidParams('Can only specify {start} or {limit} with {index}');
    }
    const byIndex = filter.index === 'updated' ? (i: ClnInvoiceRecord) => i.updatedIndex ?? 0 : (i: ClnInvoiceRecord) => i.createdIndex;
    const start = filter.start ?? 0;
    const matching = this.state.invoices
      .filter(
        (invoice) =>
          (filter.label === undefined || invoice.label === filter.label) &&
          (filter.invstring === undefined || invoice.bolt11 === filter.invstring) &&
          (filter.paymentHash === undefined || invoice.paymentHash === filter.paymentHash) &&
          (filter.index === undefined || (byIndex(invoice) >= start && byIndex(invoice) > 0)),
      )
      .sort((a, b) => byIndex(a) - byIndex(b));
    return filter.limit === undefined ? matching : matching.slice(0, filter.limit);
  }

  /** delinvoice: the caller names the status it expects, so a payment just arriving is never lost silently. */
  delete(label: string, expected: InvoiceStatus, descriptionOnly: boolean): ClnInvoiceRecord {
    const invoice = this.byLabel(label);
    if (!invoice) throw new ClnRpcError(ClnErrorCode.InvoiceNotFound, 'Unknown invoice');
    const actual = invoiceStatus(invoice);
    if (actual !== expected) {
      throw new ClnRpcError(ClnErrorCode.InvoiceStatusUnexpected, `Invoice status is ${actual} not ${expected}`, {
        current_status: actual,
        expected_status: expected,
      });
    }
    if (descriptionOnly) {
      if (invoice.description === null) {
        throw new ClnRpcError(ClnErrorCode.InvoiceNoDescription, 'Invoice description already removed');
      }
      invoice.description = null;
    } else {
      this.state.invoices = this.state.invoices.filter((kept) => kept !== invoice);
    }
    this.save();
    return invoice;
  }

  /** The first invoice paid after the index, by pay index; deleted invoices are gone from the sequence. */
  paidAfter(lastPayIndex: number): ClnInvoiceRecord | undefined {
    return this.state.invoices
      .filter((invoice) => invoice.payIndex !== null && invoice.payIndex > lastPayIndex)
      .sort((a, b) => (a.payIndex ?? 0) - (b.payIndex ?? 0))[0];
  }

  /** An HTLC set of amountMsat arrives for the invoice: it is paid, or refused with the reason. */
  acceptPayment(paymentHash: string, amountMsat: number): ClnInvoiceRecord {
    const invoice = this.byHash(paymentHash);
    if (!invoice) throw new Error('no invoice for this payment hash');
    const status = invoiceStatus(invoice);
    if (status === 'paid') throw new Error('invoice already paid');
    if (status === 'expired') throw new Error('invoice expired');
    if (!Number.isSafeInteger(amountMsat) || amountMsat < 1) throw new Error('amount must be at least 1 msat');
    if (invoice.amountMsat !== null && amountMsat < invoice.amountMsat) {
      throw new Error(`amount too low: paid ${amountMsat} msat, invoice is for ${invoice.amountMsat} msat`);
    }
    // lightningd also refuses more than twice the amount.
    if (invoice.amountMsat !== null && amountMsat > 2 * invoice.amountMsat) {
      throw new Error(`amount too high: paid ${amountMsat} msat, invoice is for ${invoice.amountMsat} msat`);
    }
    invoice.status = 'paid';
    invoice.payIndex = ++this.state.lastPayIndex;
    invoice.amountReceivedMsat = amountMsat;
    invoice.paidAtSec = nowSec();
    invoice.updatedIndex = ++this.state.lastInvoiceUpdatedIndex;
    this.save();
    this.paid.emit(invoice);
    return invoice;
  }
}
