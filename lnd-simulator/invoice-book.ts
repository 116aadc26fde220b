import { createHash, randomBytes } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { InvoiceState } from '../functions/lib/lnd/types';
import { encodeSignedInvoice } from './bolt11-codec';
import { SIMULATED_BLOCK_HEIGHT } from './channels';
import { nowSec, runAt } from './clock';
import { Listeners } from './listeners';
import type { NodeKey } from './node-key';
import { RpcFailure } from './rpc-failure';
import type { InvoiceHtlcRecord, InvoiceHtlcState, InvoiceRecord, SimulatorState } from './state/records';

export interface NewInvoice {
  /** 0 for an amountless invoice. */
  valueMsat: number;
  memo: string;
  descriptionHash: string | null;
  expirySec: number;
  /** Hex; random when null (and no hold hash is given). */
  preimage: string | null;
  /** A hold invoice for this hash: no preimage until SettleInvoice brings it. */
  holdHash?: string;
  private: boolean;
  cltvExpiry: number;
}

export interface InvoiceQuery {
  indexOffset: number;
  maxInvoices: number;
  reversed: boolean;
  pendingOnly: boolean;
  creationDateStartSec: number;
  creationDateEndSec: number;
}

export interface InvoiceSlice {
  invoices: InvoiceRecord[];
  firstIndexOffset: number;
  lastIndexOffset: number;
}

const sha256Hex = (hex: string): string => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

/**
 * The simulated node's invoices: add and settle indexes, expiry, HTLC
 * acceptance and the events SubscribeInvoices forwards.
 */
export class InvoiceBook {
  readonly added = new Listeners<InvoiceRecord>();
  readonly settled = new Listeners<InvoiceRecord>();
  /** Every change of state after creation (accepted, settled, canceled): SubscribeSingleInvoice's events. */
  readonly updated = new Listeners<InvoiceRecord>();
  private readonly byHash = new Map<string, InvoiceRecord>();
  private readonly expiryTimers = new Map<string, () => void>();

  constructor(
    private readonly state: SimulatorState,
    private readonly save: () => void,
    private readonly nodeKey: NodeKey,
  ) {
    for (const invoice of state.invoices) this.byHash.set(invoice.paymentHash, invoice);
  }

  /** Cancels what expired while stopped and arms the timers for the rest. */
  start(): void {
    for (const invoice of this.state.invoices) {
      if (invoice.state === InvoiceState.Open) this.armExpiry(invoice);
    }
  }

  stop(): void {
    for (const cancel of this.expiryTimers.values()) cancel();
    this.expiryTimers.clear();
  }

  add(input: NewInvoice): InvoiceRecord {
    const preimage = input.holdHash ? null : (input.preimage ?? randomBytes(32).toString('hex'));
    const paymentHash = preimage === null ? (input.holdHash ?? '') : sha256Hex(preimage);
    if (this.byHash.has(paymentHash)) throw new RpcFailure('invoice with payment hash already exists');
    const paymentAddr = randomBytes(32).toString('hex');
    const creationDateSec = nowSec();
    let paymentRequest: string;
    try {
      paymentRequest = encodeSignedInvoice(
        {
          paymentHash,
          paymentSecret: paymentAddr,
          amountMsat: input.valueMsat === 0 ? null : input.valueMsat,
          ...(input.descriptionHash ? { descriptionHash: input.descriptionHash } : { description: input.memo }),
          expirySec: input.expirySec,
          cltvExpiry: input.cltvExpiry,
          timestampSec: creationDateSec,
        },
        this.nodeKey.privateKey,
      );
    } catch (error) {
      throw new RpcFailure(`unable to create payment request: ${(error as Error).message}`);
    }
    const invoice: InvoiceRecord = {
      paymentHash,
      preimage,
      hold: preimage === null,
      htlcs: [],
      paymentAddr,
      paymentRequest,
      memo: input.memo,
      descriptionHash: input.descriptionHash,
      valueMsat: input.valueMsat,
      creationDateSec,
      expirySec: input.expirySec,
      cltvExpiry: input.cltvExpiry,
      private: input.private,
      state: InvoiceState.Open,
      addIndex: ++this.state.lastAddIndex,
      settleIndex: 0,
      settleDateSec: 0,
      amountPaidMsat: 0,
    };
    this.state.invoices.push(invoice);
    this.byHash.set(paymentHash, invoice);
    this.save();
    this.armExpiry(invoice);
    this.added.emit(invoice);
    return invoice;
  }

  lookup(paymentHash: string): InvoiceRecord | undefined {
    return this.byHash.get(paymentHash);
  }

  /** LND's ListInvoices paging: the offset is exclusive, results always oldest first. */
  list(query: InvoiceQuery): InvoiceSlice {
    const matching = this.state.invoices.filter(
      (invoice) =>
        (!query.pendingOnly || invoice.state === InvoiceState.Open || invoice.state === InvoiceState.Accepted) &&
        (query.creationDateStartSec === 0 || invoice.creationDateSec >= query.creationDateStartSec) &&
        (query.creationDateEndSec === 0 || invoice.creationDateSec <= query.creationDateEndSec),
    );
    let invoices: InvoiceRecord[];
    if (query.reversed) {
      const before =
        query.indexOffset === 0 ? matching : matching.filter((invoice) => invoice.addIndex < query.indexOffset);
      invoices = before.slice(Math.max(0, before.length - query.maxInvoices));
    } else {
      invoices = matching.filter((invoice) => invoice.addIndex > query.indexOffset).slice(0, query.maxInvoices);
    }
    return {
      invoices,
      firstIndexOffset: invoices[0]?.addIndex ?? 0,
      lastIndexOffset: invoices.at(-1)?.addIndex ?? 0,
    };
  }

  /** Strictly after the index, so 0 replays nothing: LND's SubscribeInvoices backlog. */
  addedSince(addIndex: number): InvoiceRecord[] {
    if (addIndex === 0) return [];
    return this.state.invoices.filter((invoice) => invoice.addIndex > addIndex);
  }

  settledSince(settleIndex: number): InvoiceRecord[] {
    if (settleIndex === 0) return [];
    return this.state.invoices
      .filter((invoice) => invoice.settleIndex > settleIndex)
      .sort((a, b) => a.settleIndex - b.settleIndex);
  }

  /** Canceling twice is fine; a settled invoice cannot be canceled. Held HTLCs go back to the payer. */
  cancel(paymentHash: string): void {
    const invoice = this.byHash.get(paymentHash);
    if (!invoice) throw new RpcFailure('unable to locate invoice');
    if (invoice.state === InvoiceState.Settled) throw new RpcFailure('invoice already settled');
    if (invoice.state === InvoiceState.Canceled) return;
    this.markCanceled(invoice);
  }

  /** SettleInvoice: releases a held hold invoice with its preimage. */
  settleHeld(preimage: string): InvoiceRecord {
    const invoice = this.byHash.get(sha256Hex(preimage));
    if (!invoice) throw new RpcFailure('unable to locate invoice', GrpcStatus.NOT_FOUND);
    if (invoice.state === InvoiceState.Open) throw new RpcFailure('invoice still open');
    if (invoice.state === InvoiceState.Canceled) throw new RpcFailure('invoice already canceled');
    if (invoice.state === InvoiceState.Settled) throw new RpcFailure('invoice already settled');
    invoice.preimage = preimage;
    this.markSettled(invoice);
    return invoice;
  }

  /**
   * An HTLC of amountMsat arrives for the invoice: settle it (a hold invoice
   * only accepts it, state ACCEPTED) or say why not.
   */
  acceptPayment(paymentHash: string, amountMsat: number): InvoiceRecord {
    const invoice = this.byHash.get(paymentHash);
    if (!invoice) throw new RpcFailure('unable to locate invoice', GrpcStatus.NOT_FOUND);
    if (invoice.state === InvoiceState.Open && this.isPastExpiry(invoice)) this.markCanceled(invoice);
    if (invoice.state === InvoiceState.Settled) throw new RpcFailure('invoice already settled');
    if (invoice.state === InvoiceState.Accepted) throw new RpcFailure('invoice already accepted');
    if (invoice.state === InvoiceState.Canceled) {
      throw new RpcFailure(this.isPastExpiry(invoice) ? 'invoice expired' : 'invoice canceled');
    }
    if (!Number.isSafeInteger(amountMsat) || amountMsat < 1) throw new RpcFailure('amount must be at least 1 msat');
    if (amountMsat < invoice.valueMsat) {
      throw new RpcFailure(`amount too low: paid ${amountMsat} msat, invoice is for ${invoice.valueMsat} msat`);
    }
    const htlc: InvoiceHtlcRecord = {
      htlcIndex: ++this.state.lastHtlcIndex,
      amountMsat,
      acceptHeight: SIMULATED_BLOCK_HEIGHT,
      acceptTimeSec: nowSec(),
      resolveTimeSec: 0,
      expiryHeight: SIMULATED_BLOCK_HEIGHT + invoice.cltvExpiry,
      state: 'ACCEPTED',
    };
    invoice.htlcs = [...(invoice.htlcs ?? []), htlc];
    invoice.amountPaidMsat = amountMsat;
    this.disarmExpiry(invoice.paymentHash);
    if (invoice.hold) {
      // LND holds the HTLC; the invoice no longer expires while it waits.
      invoice.state = InvoiceState.Accepted;
      this.save();
      this.updated.emit(invoice);
      return invoice;
    }
    this.markSettled(invoice);
    return invoice;
  }

  private markSettled(invoice: InvoiceRecord): void {
    invoice.state = InvoiceState.Settled;
    invoice.settleIndex = ++this.state.lastSettleIndex;
    invoice.settleDateSec = nowSec();
    this.resolveHtlcs(invoice, 'SETTLED');
    this.save();
    this.settled.emit(invoice);
    this.updated.emit(invoice);
  }

  private resolveHtlcs(invoice: InvoiceRecord, state: InvoiceHtlcState): void {
    for (const htlc of invoice.htlcs ?? []) {
      if (htlc.state !== 'ACCEPTED') continue;
      htlc.state = state;
      htlc.resolveTimeSec = nowSec();
    }
  }

  private isPastExpiry(invoice: InvoiceRecord): boolean {
    return nowSec() >= invoice.creationDateSec + invoice.expirySec;
  }

  private markCanceled(invoice: InvoiceRecord): void {
    invoice.state = InvoiceState.Canceled;
    if ((invoice.htlcs ?? []).some((htlc) => htlc.state === 'ACCEPTED')) {
      // The held HTLCs fail back, so nothing counts as paid any more.
      this.resolveHtlcs(invoice, 'CANCELED');
      invoice.amountPaidMsat = 0;
    }
    this.disarmExpiry(invoice.paymentHash);
    this.save();
    this.updated.emit(invoice);
  }

  private armExpiry(invoice: InvoiceRecord): void {
    const expiresAtMs = (invoice.creationDateSec + invoice.expirySec) * 1000;
    const cancelTimer = runAt(expiresAtMs, () => {
      this.expiryTimers.delete(invoice.paymentHash);
      if (invoice.state === InvoiceState.Open) this.markCanceled(invoice);
    });
    this.expiryTimers.set(invoice.paymentHash, cancelTimer);
  }

  private disarmExpiry(paymentHash: string): void {
    this.expiryTimers.get(paymentHash)?.();
    this.expiryTimers.delete(paymentHash);
  }
}
