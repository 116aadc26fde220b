import { status as GrpcStatus } from '@grpc/grpc-js';
import { PaymentFailureReason, PaymentStatus } from '../functions/lib/lnd/types';
import { decodeInvoice, type DecodedInvoice, REGTEST_NETWORK } from './bolt11-codec';
import { localBalanceMsat, SIMULATED_BLOCK_HEIGHT } from './channels';
import { nowMs, nowNs, runAt } from './clock';
import type { InvoiceBook } from './invoice-book';
import { Listeners } from './listeners';
import type { OutsideNetwork } from './outside-network';
import { circularRoute, routeToPeer, type SimulatedRoute } from './routes';
import { RpcFailure } from './rpc-failure';
import {
  type HtlcAttemptRecord,
  type OutsideInvoiceRecord,
  PaymentOutcome,
  type PaymentRecord,
  type SimulatorState,
} from './state/records';

/** LND's default when timeout_seconds is 0. */
const DEFAULT_PAYMENT_TIMEOUT_SEC = 60;

export interface OutgoingPayment {
  paymentRequest: string;
  /** 0 when not given; required for amountless invoices only. */
  amountMsat: number;
  /** 0 allows only fee-free routes. */
  feeLimitMsat: number;
  timeoutSec: number;
  allowSelfPayment: boolean;
}

export interface PaymentEngineOptions {
  ourPubkey: string;
  invoices: InvoiceBook;
  outside: OutsideNetwork;
  /** Caps how long a "timeout" outcome takes, so local runs stay fast. */
  maxPaymentTimeoutMs: number;
}

export interface PaymentQuery {
  includeIncomplete: boolean;
  /** Exclusive; 0 starts at the oldest (forwards) or the newest (reversed). */
  indexOffset: number;
  /** 0: no limit. */
  maxPayments: number;
  reversed: boolean;
  creationDateStartSec: number;
  creationDateEndSec: number;
}

export interface PaymentSlice {
  payments: PaymentRecord[];
  firstIndexOffset: number;
  lastIndexOffset: number;
  totalPayments: number;
}

export interface PaymentAttempts {
  attempts: number;
  settled: boolean;
}

type Ending =
  | { status: typeof PaymentStatus.Succeeded; preimage: string; feeMsat: number }
  | { status: typeof PaymentStatus.Failed; reason: PaymentFailureReason };

const failed = (reason: PaymentFailureReason): Ending => ({ status: PaymentStatus.Failed, reason });

function isInFlight(payment: PaymentRecord): boolean {
  return payment.status === PaymentStatus.InFlight || payment.status === PaymentStatus.Initiated;
}

/**
 * Our node's outgoing payments: LND's checks before a payment starts, its
 * refusal of a second payment for a hash, and outcomes decided by the
 * outside invoice being paid.
 */
export class PaymentEngine {
  readonly updated = new Listeners<PaymentRecord>();
  private readonly byHash = new Map<string, PaymentRecord>();
  private readonly pendingEndings = new Map<string, () => void>();
  /** Fault: sends accepted but not started yet, as on a node slow to write its payment store. null: not holding. */
  private held: (() => void)[] | null = null;

  constructor(
    private readonly state: SimulatorState,
    private readonly save: () => void,
    private readonly options: PaymentEngineOptions,
  ) {
    for (const payment of state.payments) this.byHash.set(payment.paymentHash, payment);
  }

  /** Resumes payments that were waiting for a timeout when the simulator stopped. */
  start(): void {
    for (const payment of this.state.payments) {
      if (isInFlight(payment) && payment.timeoutAtMs !== null) this.endAt(payment, payment.timeoutAtMs, failed(PaymentFailureReason.Timeout));
    }
  }

  stop(): void {
    for (const cancel of this.pendingEndings.values()) cancel();
    this.pendingEndings.clear();
  }

  find(paymentHash: string): PaymentRecord | undefined {
    return this.byHash.get(paymentHash);
  }

  /** LND's ListPayments: oldest first whichever the direction; without include_incomplete only SUCCEEDED ones. */
  list(query: PaymentQuery): PaymentSlice {
    const creationSec = (payment: PaymentRecord) => Number(BigInt(payment.creationTimeNs) / 1_000_000_000n);
    const matching = this.state.payments
      .filter(
        (payment) =>
          (query.includeIncomplete || payment.status === PaymentStatus.Succeeded) &&
          (query.creationDateStartSec === 0 || creationSec(payment) >= query.creationDateStartSec) &&
          (query.creationDateEndSec === 0 || creationSec(payment) <= query.creationDateEndSec),
      )
      .sort((a, b) => a.paymentIndex - b.paymentIndex);
    const limit = query.maxPayments || Number.MAX_SAFE_INTEGER;
    let payments: PaymentRecord[];
    if (query.reversed) {
      const before =
        query.indexOffset === 0 ? matching : matching.filter((payment) => payment.paymentIndex < query.indexOffset);
      payments = before.slice(Math.max(0, before.length - limit));
    } else {
      payments = matching.filter((payment) => payment.paymentIndex > query.indexOffset).slice(0, limit);
    }
    return {
      payments,
      firstIndexOffset: payments[0]?.paymentIndex ?? 0,
      lastIndexOffset: payments.at(-1)?.paymentIndex ?? 0,
      totalPayments: this.state.payments.length,
    };
  }

  attempts(paymentHash: string): PaymentAttempts {
    return {
      attempts: this.state.attempts[paymentHash] ?? 0,
      settled: this.byHash.get(paymentHash)?.status === PaymentStatus.Succeeded,
    };
  }

  /** Fault control: hold every send from now on (true), or start the held ones in order and stop holding (false). */
  holdSends(hold: boolean): number {
    if (hold) {
      this.held ??= [];
      return this.held.length;
    }
    const held = this.held ?? [];
    this.held = null;
    for (const start of held) start();
    return held.length;
  }

  get holdingSends(): boolean {
    return this.held !== null;
  }

  get heldSendCount(): number {
    return this.held?.length ?? 0;
  }

  /**
   * LND's checks of the invoice now (they throw), then the payment starts now, or when held
   * sends are released: `onStarted` gets the IN_FLIGHT record or the node's refusal. Like
   * LND, a payment starts even if its caller has gone away meanwhile.
   */
  submit(request: OutgoingPayment, onStarted: (result: PaymentRecord | RpcFailure) => void): void {
    const invoice = this.checkPayable(request);
    const start = (): void => {
      let payment: PaymentRecord;
      try {
        payment = this.startPayment(invoice, request);
      } catch (error) {
        onStarted(error instanceof RpcFailure ? error : new RpcFailure(String(error)));
        return;
      }
      onStarted(payment);
    };
    if (this.held) this.held.push(start);
    else start();
  }

  /** Starts a payment (IN_FLIGHT) and returns it; its ending follows asynchronously. */
  send(request: OutgoingPayment): PaymentRecord {
    return this.startPayment(this.checkPayable(request), request);
  }

  private startPayment(invoice: DecodedInvoice, request: OutgoingPayment): PaymentRecord {
    const amountMsat = invoice.amountMsat ?? request.amountMsat;
    const previous = this.byHash.get(invoice.paymentHash);
    if (previous && isInFlight(previous)) throw new RpcFailure('payment is in transition', GrpcStatus.ALREADY_EXISTS);
    if (previous?.status === PaymentStatus.Succeeded) {
      throw new RpcFailure('invoice is already paid', GrpcStatus.ALREADY_EXISTS);
    }

    const payment: PaymentRecord = {
      paymentHash: invoice.paymentHash,
      paymentRequest: request.paymentRequest,
      valueMsat: amountMsat,
      feeMsat: 0,
      status: PaymentStatus.InFlight,
      failureReason: PaymentFailureReason.None,
      preimage: null,
      creationTimeNs: nowNs(),
      paymentIndex: ++this.state.lastPaymentIndex,
      timeoutAtMs: null,
      htlcs: [],
    };
    if (previous) this.state.payments = this.state.payments.filter((p) => p !== previous);
    this.state.payments.push(payment);
    this.byHash.set(payment.paymentHash, payment);
    this.state.attempts[payment.paymentHash] = (this.state.attempts[payment.paymentHash] ?? 0) + 1;
    this.save();
    this.route(payment, invoice, request);
    return payment;
  }

  /** Ends a payment that is in flight (a "hang" one, typically) the way the control API says. */
  resolve(paymentHash: string, outcome: PaymentOutcome): PaymentRecord {
    const payment = this.byHash.get(paymentHash);
    if (!payment || !isInFlight(payment)) {
      throw new RpcFailure('no payment in flight for this hash', GrpcStatus.FAILED_PRECONDITION);
    }
    if (outcome === PaymentOutcome.Hang) return payment;
    const outside = this.options.outside.find(paymentHash);
    this.end(payment, this.endingFor(outcome, outside, payment.valueMsat));
    return payment;
  }

  private checkPayable(request: OutgoingPayment): DecodedInvoice {
    let invoice: DecodedInvoice;
    try {
      invoice = decodeInvoice(request.paymentRequest);
    } catch (error) {
      throw new RpcFailure(`invalid payment request: ${(error as Error).message}`);
    }
    if (invoice.network !== REGTEST_NETWORK.bech32) {
      throw new RpcFailure("invoice not for current active network 'regtest'");
    }
    const expiresAtSec = invoice.timestampSec + invoice.expirySec;
    if (nowMs() >= expiresAtSec * 1000) {
      throw new RpcFailure(`invoice expired. Valid until ${new Date(expiresAtSec * 1000).toISOString()}`);
    }
    if (invoice.amountMsat !== null && request.amountMsat !== 0) {
      throw new RpcFailure('amount must not be specified when paying a non-zero amount invoice');
    }
    if (invoice.amountMsat === null && request.amountMsat === 0) {
      throw new RpcFailure('amount must be specified when paying a zero amount invoice');
    }
    return invoice;
  }

  private route(payment: PaymentRecord, invoice: DecodedInvoice, request: OutgoingPayment): void {
    const peerPubkey = this.options.outside.peerKey.pubkey;
    if (invoice.payee === this.options.ourPubkey) {
      if (!request.allowSelfPayment) {
        this.endSoon(payment, failed(PaymentFailureReason.NoRoute));
        return;
      }
      this.sendHtlc(payment, circularRoute(invoice, peerPubkey, this.options.ourPubkey, payment.valueMsat));
      this.payOurselves(payment);
      return;
    }
    const outside = this.options.outside.find(payment.paymentHash);
    if (invoice.payee !== peerPubkey) {
      this.endSoon(payment, failed(PaymentFailureReason.NoRoute));
      return;
    }
    const toPeer = routeToPeer(invoice, peerPubkey, payment.valueMsat, outside?.feeMsat ?? 0);
    if (!outside) {
      // The HTLC reaches the payee, which knows no such invoice and fails it.
      this.sendHtlc(payment, toPeer);
      this.endSoon(payment, failed(PaymentFailureReason.IncorrectPaymentDetails));
      return;
    }
    // Route finding only considers routes within the fee budget.
    if (outside.feeMsat > request.feeLimitMsat) {
      this.endSoon(payment, failed(PaymentFailureReason.NoRoute));
      return;
    }
    if (outside.outcome === PaymentOutcome.Hang) {
      this.sendHtlc(payment, toPeer);
      return;
    }
    if (outside.outcome === PaymentOutcome.Timeout) {
      const timeoutMs = (request.timeoutSec || DEFAULT_PAYMENT_TIMEOUT_SEC) * 1000;
      payment.timeoutAtMs = nowMs() + Math.min(timeoutMs, this.options.maxPaymentTimeoutMs);
      this.save();
      this.endAt(payment, payment.timeoutAtMs, failed(PaymentFailureReason.Timeout));
      return;
    }
    const ending = this.endingFor(outside.outcome, outside, payment.valueMsat);
    if (ending.status === PaymentStatus.Succeeded) this.sendHtlc(payment, toPeer);
    this.endSoon(payment, ending);
  }

  /** Records an HTLC attempt in flight along the route, as LND's payment store does before it sends. */
  private sendHtlc(payment: PaymentRecord, route: SimulatedRoute): void {
    const attempt: HtlcAttemptRecord = {
      attemptId: ++this.state.lastAttemptId,
      status: 'IN_FLIGHT',
      attemptTimeNs: nowNs(),
      resolveTimeNs: '0',
      totalTimeLock: route.totalTimeLock,
      totalAmountMsat: route.totalAmountMsat,
      totalFeesMsat: route.totalFeesMsat,
      hops: route.hops,
      preimage: null,
      failure: null,
    };
    payment.htlcs = [...(payment.htlcs ?? []), attempt];
    this.save();
  }

  /**
   * Our own invoice receives the HTLC: it settles at once, or a hold invoice
   * keeps the payment in flight until it is settled or canceled.
   */
  private payOurselves(payment: PaymentRecord): void {
    const invoices = this.options.invoices;
    let invoice;
    try {
      invoice = invoices.acceptPayment(payment.paymentHash, payment.valueMsat);
    } catch {
      this.endSoon(payment, failed(PaymentFailureReason.IncorrectPaymentDetails));
      return;
    }
    const endWith = (settled: typeof invoice): boolean => {
      if (settled.state === 'SETTLED' && settled.preimage) {
        this.endSoon(payment, { status: PaymentStatus.Succeeded, preimage: settled.preimage, feeMsat: 0 });
        return true;
      }
      if (settled.state === 'CANCELED') {
        this.endSoon(payment, failed(PaymentFailureReason.IncorrectPaymentDetails));
        return true;
      }
      return false;
    };
    if (endWith(invoice)) return;
    const unsubscribe = invoices.updated.subscribe((updated) => {
      if (updated.paymentHash === payment.paymentHash && endWith(updated)) unsubscribe();
    });
  }

  private endingFor(outcome: PaymentOutcome, outside: OutsideInvoiceRecord | undefined, valueMsat: number): Ending {
    switch (outcome) {
      case PaymentOutcome.Succeed: {
        if (!outside) return failed(PaymentFailureReason.IncorrectPaymentDetails);
        if (valueMsat + outside.feeMsat > localBalanceMsat()) return failed(PaymentFailureReason.InsufficientBalance);
        return { status: PaymentStatus.Succeeded, preimage: outside.preimage, feeMsat: outside.feeMsat };
      }
      case PaymentOutcome.NoRoute:
        return failed(PaymentFailureReason.NoRoute);
      case PaymentOutcome.InsufficientBalance:
        return failed(PaymentFailureReason.InsufficientBalance);
      case PaymentOutcome.Timeout:
      case PaymentOutcome.Hang:
        return failed(PaymentFailureReason.Timeout);
    }
  }

  /** After the current turn, so the caller can stream IN_FLIGHT before the ending. */
  private endSoon(payment: PaymentRecord, ending: Ending): void {
    const immediate = setImmediate(() => {
      this.pendingEndings.delete(payment.paymentHash);
      this.end(payment, ending);
    });
    this.pendingEndings.set(payment.paymentHash, () => clearImmediate(immediate));
  }

  private endAt(payment: PaymentRecord, atMs: number, ending: Ending): void {
    const cancel = runAt(atMs, () => {
      this.pendingEndings.delete(payment.paymentHash);
      this.end(payment, ending);
    });
    this.pendingEndings.set(payment.paymentHash, cancel);
  }

  private end(payment: PaymentRecord, ending: Ending): void {
    if (!isInFlight(payment)) return;
    this.pendingEndings.get(payment.paymentHash)?.();
    this.pendingEndings.delete(payment.paymentHash);
    payment.timeoutAtMs = null;
    this.resolveHtlcs(payment, ending);
    if (ending.status === PaymentStatus.Succeeded) {
      payment.status = PaymentStatus.Succeeded;
      payment.preimage = ending.preimage;
      payment.feeMsat = ending.feeMsat;
    } else {
      payment.status = PaymentStatus.Failed;
      payment.failureReason = ending.reason;
    }
    this.save();
    this.updated.emit(payment);
  }

  /** The HTLC in flight ends with the payment: settled with the preimage, or failed back with a BOLT 4 code. */
  private resolveHtlcs(payment: PaymentRecord, ending: Ending): void {
    for (const attempt of payment.htlcs ?? []) {
      if (attempt.status !== 'IN_FLIGHT') continue;
      attempt.resolveTimeNs = nowNs();
      if (ending.status === PaymentStatus.Succeeded) {
        attempt.status = 'SUCCEEDED';
        attempt.preimage = ending.preimage;
        continue;
      }
      attempt.status = 'FAILED';
      // The payee refuses unknown or wrong payment details; anything else fails at the peer's channel.
      attempt.failure =
        ending.reason === PaymentFailureReason.IncorrectPaymentDetails
          ? { code: 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS', sourceIndex: attempt.hops.length, height: SIMULATED_BLOCK_HEIGHT }
          : { code: 'TEMPORARY_CHANNEL_FAILURE', sourceIndex: 1, height: SIMULATED_BLOCK_HEIGHT };
    }
  }
}
