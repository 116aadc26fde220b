import { createHash, randomBytes } from 'node:crypto';
import { encodeSignedInvoice } from './bolt11-codec';
import { nowSec } from './clock';
import type { NodeKey } from './node-key';
import { type OutsideInvoiceRecord, PaymentOutcome } from './state/records';

export interface NewOutsideInvoice {
  amountMsat?: number | undefined;
  memo?: string | undefined;
  outcome?: PaymentOutcome | undefined;
  feeMsat?: number | undefined;
  expirySec?: number | undefined;
}

const DEFAULT_OUTSIDE_EXPIRY_SEC = 3600;
const OUTSIDE_MIN_FINAL_CLTV = 40;

/**
 * The rest of the Lightning network, reduced to one peer whose invoices our
 * node can pay. Each invoice remembers how a payment to it will end.
 */
export class OutsideNetwork {
  private readonly byHash = new Map<string, OutsideInvoiceRecord>();

  constructor(
    /** Any simulator's state: only its outside invoices are read and written. */
    private readonly state: { outsideInvoices: OutsideInvoiceRecord[] },
    private readonly save: () => void,
    readonly peerKey: NodeKey,
  ) {
    for (const invoice of state.outsideInvoices) this.byHash.set(invoice.paymentHash, invoice);
  }

  createInvoice(input: NewOutsideInvoice): OutsideInvoiceRecord {
    const preimage = randomBytes(32).toString('hex');
    const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
    const amountMsat = input.amountMsat ?? null;
    const paymentRequest = encodeSignedInvoice(
      {
        paymentHash,
        paymentSecret: randomBytes(32).toString('hex'),
        amountMsat,
        description: input.memo ?? '',
        expirySec: input.expirySec ?? DEFAULT_OUTSIDE_EXPIRY_SEC,
        cltvExpiry: OUTSIDE_MIN_FINAL_CLTV,
        timestampSec: nowSec(),
      },
      this.peerKey.privateKey,
    );
    const record: OutsideInvoiceRecord = {
      paymentHash,
      preimage,
      paymentRequest,
      amountMsat,
      outcome: input.outcome ?? PaymentOutcome.Succeed,
      feeMsat: input.feeMsat ?? 0,
    };
    this.state.outsideInvoices.push(record);
    this.byHash.set(paymentHash, record);
    this.save();
    return record;
  }

  find(paymentHash: string): OutsideInvoiceRecord | undefined {
    return this.byHash.get(paymentHash);
  }
}
