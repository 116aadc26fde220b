import { decodeInvoice, type DecodedInvoice, REGTEST_NETWORK } from '../lnd-simulator/bolt11-codec';
import { localBalanceMsat } from '../lnd-simulator/channels';
import { nowMs, nowSec, runAt } from '../lnd-simulator/clock';
import { Listeners } from '../lnd-simulator/listeners';
import type { OutsideNetwork } from '../lnd-simulator/outside-network';
import { RpcFailure } from '../lnd-simulator/rpc-failure';
import { type OutsideInvoiceRecord, PaymentOutcome } from '../lnd-simulator/state/records';
import { ClnErrorCode, ClnRpcError } from './cln-rpc-error';
import type { ClnInvoiceBook } from './invoice-book';
import type { ClnPayRecord, ClnSimulatorState, PayStatus } from './state/records';

/** xpay's defaults: retry for 60 s; a fee limit of 1% of the amount, at least 5,000 msat. */
const DEFAULT_RETRY_FOR_SEC = 60;
const DEFAULT_MIN_MAXFEE_MSAT = 5_000;

export interface XpayInput {
  invstring: string;
  amountMsat: number | null;
  maxfeeMsat: number | null;
  retryForSec: number | null;
  label: string | null;
}

export interface PayFilter {
  bolt11?: string | undefined;
  paymentHash?: string | undefined;
  status?: PayStatus | undefined;
  index?: 'created' | 'updated' | undefined;
  start?: number | undefined;
  limit?: number | undefined;
}

export interface ClnPaymentEngineOptions {
  ourPubkey: string;
  invoices: ClnInvoiceBook;
  outside: OutsideNetwork;
  /** Caps how long a "timeout" outcome takes, so local runs stay fast. */
  maxPaymentTimeoutMs: number;
}

type Ending = { status: 'complete'; preimage: string; feeMsat: number } | { status: 'failed'; code: number; message: string };

const failure = (code: ClnErrorCode, message: string) => new ClnRpcError(code, message);

/**
 * Our node's outgoing payments as xpay makes them: refusals before any HTLC leave no
 * record; once an HTLC is out the payment is pending in listpays until it completes or
 * fails, however long that takes.
 */
export class ClnPaymentEngine {
  readonly ended = new Listeners<ClnPayRecord>();
  private readonly timers = new Map<ClnPayRecord, () => void>();
  /** Fault: xpay calls checked but not started, as on a node slow to write its payment store. */
  private held: (() => void)[] | null = null;

  constructor(
    private readonly state: ClnSimulatorState,
    private readonly save: () => void,
    private readonly options: ClnPaymentEngineOptions,
  ) {}

  /** Re-arms the "timeout" payments that were pending when the simulator stopped. */
  start(): void {
    for (const pay of this.state.pays) {
      if (pay.status === 'pending' && pay.timeoutAtMs !== null) this.failAt(pay, pay.timeoutAtMs);
    }
  }

  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  /** listpays: oldest first by the chosen index; `start` inclusive. */
  list(filter: PayFilter): ClnPayRecord[] {
    const byIndex = filter.index === 'updated' ? (p: ClnPayRecord) => p.updatedIndex ?? 0 : (p: ClnPayRecord) => p.createdIndex;
    const start = filter.start ?? 0;
    const matching = this.state.pays
      .filter(
        (pay) =>
          (filter.bolt11 === undefined || pay.bolt11 === filter.bolt11) &&
          (filter.paymentHash === undefined || pay.paymentHash === filter.paymentHash) &&
          (filter.status === undefined || pay.status === filter.status) &&
          (filter.index === undefined || (byIndex(pay) >= start && byIndex(pay) > 0)),
      )
      .sort((a, b) => byIndex(a) - byIndex(b));
    return filter.limit === undefined ? matching : matching.slice(0, filter.limit);
  }

  attempts(paymentHash: string): { attempts: number; settled: boolean } {
    return {
      attempts: this.state.attempts[paymentHash] ?? 0,
      settled: this.state.pays.some((pay) => pay.paymentHash === paymentHash && pay.status === 'complete'),
    };
  }

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

  get heldSendCount(): number {
    return this.held?.length ?? 0;
  }

  /**
   * xpay: the invoice checks now (they throw), then the payment starts now or when held
   * sends are released; `onStarted` gets the pending record or xpay's refusal.
   */
  submit(input: XpayInput, onStarted: (result: ClnPayRecord | ClnRpcError) => void): void {
    const invoice = this.checkPayable(input);
    const start = (): void => {
      try {
        onStarted(this.startPayment(invoice, input));
      } catch (error) {
        onStarted(error instanceof ClnRpcError ? error : failure(ClnErrorCode.PayUnspecifiedError, String(error)));
      }
    };
    if (this.held) this.held.push(start);
    else start();
  }

  /** Ends a pending payment (a "hang" one, typically) as the control API says. */
  resolve(paymentHash: string, outcome: PaymentOutcome): ClnPayRecord {
    const pay = this.state.pays.find((p) => p.paymentHash === paymentHash && p.status === 'pending');
    if (!pay) throw new RpcFailure('no payment in flight for this hash');
    if (outcome === PaymentOutcome.Hang) return pay;
    const outside = this.options.outside.find(paymentHash);
    this.end(pay, this.afterAttempt(outcome, outside, pay.amountMsat));
    return pay;
  }

  private checkPayable(input: XpayInput): DecodedInvoice {
    let invoice: DecodedInvoice;
    try {
      invoice = decodeInvoice(input.invstring);
    } catch (error) {
      throw failure(ClnErrorCode.InvalidParams, `Invalid bolt11 invoice: ${(error as Error).message}`);
    }
    if (invoice.network !== REGTEST_NETWORK.bech32) {
      throw failure(ClnErrorCode.InvalidParams, 'Invalid bolt11 invoice: Invoice is for another network');
    }
    if (!invoice.paymentSecret) throw failure(ClnErrorCode.InvalidParams, 'need payment_secret');
    if (invoice.amountMsat === null && input.amountMsat === null) {
      throw failure(ClnErrorCode.InvalidParams, 'amount_msat required');
    }
    if (invoice.amountMsat !== null && input.amountMsat !== null) {
      throw failure(ClnErrorCode.InvalidParams, 'amount_msat unnecessary');
    }
    const expiresAtSec = invoice.timestampSec + invoice.expirySec;
    const now = nowSec();
    if (now >= expiresAtSec) {
      throw failure(ClnErrorCode.PayInvoiceExpired, `Invoice expired ${now - expiresAtSec} seconds ago`);
    }
    return invoice;
  }

  private startPayment(invoice: DecodedInvoice, input: XpayInput): ClnPayRecord {
    const amountMsat = invoice.amountMsat ?? input.amountMsat ?? 0;
    const earlier = this.state.pays.filter((pay) => pay.paymentHash === invoice.paymentHash);
    if (earlier.some((pay) => pay.status === 'complete')) {
      throw failure(ClnErrorCode.PayAlreadyPaid, 'Already paid this invoice successfully');
    }
    if (earlier.some((pay) => pay.status === 'pending')) {
      throw failure(ClnErrorCode.PayInProgress, 'Payment already in progress');
    }
    const maxfeeMsat = input.maxfeeMsat ?? Math.max(Math.floor(amountMsat / 100), DEFAULT_MIN_MAXFEE_MSAT);
    const peerPubkey = this.options.outside.peerKey.pubkey;

    if (invoice.payee === this.options.ourPubkey) return this.payOurselves(invoice, input, amountMsat);
    if (invoice.payee !== peerPubkey) {
      throw failure(ClnErrorCode.PayRouteNotFound, 'Failed: There is no connection between source and destination at all');
    }
    const outside = this.options.outside.find(invoice.paymentHash);
    const feeMsat = outside?.feeMsat ?? 0;
    // Route finding fails up front for these: no HTLC, so listpays shows nothing.
    if (outside?.outcome === PaymentOutcome.NoRoute) {
      throw failure(ClnErrorCode.PayRouteNotFound, 'Failed: There is no connection between source and destination at all');
    }
    if (outside?.outcome === PaymentOutcome.InsufficientBalance || amountMsat + feeMsat > localBalanceMsat()) {
      throw failure(ClnErrorCode.PayInsufficientFunds, "Failed: We don't have sufficient funds");
    }
    if (feeMsat > maxfeeMsat) {
      throw failure(ClnErrorCode.PayRouteTooExpensive, 'Failed: Could not find route without excessive cost');
    }

    const pay = this.record(invoice, input, peerPubkey, amountMsat, feeMsat);
    if (!outside) {
      this.endSoon(pay, {
        status: 'failed',
        code: ClnErrorCode.PayDestinationPermFail,
        message: "Destination said it doesn't know invoice: incorrect_or_unknown_payment_details",
      });
    } else if (outside.outcome === PaymentOutcome.Timeout) {
      const retryForMs = (input.retryForSec ?? DEFAULT_RETRY_FOR_SEC) * 1000;
      pay.timeoutAtMs = nowMs() + Math.min(retryForMs, this.options.maxPaymentTimeoutMs);
      this.save();
      this.failAt(pay, pay.timeoutAtMs);
    } else if (outside.outcome === PaymentOutcome.Succeed) {
      this.endSoon(pay, { status: 'complete', preimage: outside.preimage, feeMsat });
    }
    // "hang": the HTLC stays out until the control API resolves it.
    return pay;
  }

  /** A payment to one of our own invoices settles it at once, for no fee. */
  private payOurselves(invoice: DecodedInvoice, input: XpayInput, amountMsat: number): ClnPayRecord {
    const pay = this.record(invoice, input, this.options.ourPubkey, amountMsat, 0);
    let ending: Ending;
    try {
      const paid = this.options.invoices.acceptPayment(invoice.paymentHash, amountMsat);
      ending = { status: 'complete', preimage: paid.preimage, feeMsat: 0 };
    } catch {
      ending = {
        status: 'failed',
        code: ClnErrorCode.PayDestinationPermFail,
        message: "Destination said it doesn't know invoice: incorrect_or_unknown_payment_details",
      };
    }
    this.endSoon(pay, ending);
    return pay;
  }

  private record(invoice: DecodedInvoice, input: XpayInput, destination: string, amountMsat: number, feeMsat: number): ClnPayRecord {
    const pay: ClnPayRecord = {
      paymentHash: invoice.paymentHash,
      groupId: ++this.state.lastGroupId,
      bolt11: input.invstring,
      label: input.label,
      destination,
      amountMsat,
      amountSentMsat: amountMsat + feeMsat,
      status: 'pending',
      createdAtSec: nowSec(),
      completedAtSec: null,
      preimage: null,
      createdIndex: ++this.state.lastPayCreatedIndex,
      updatedIndex: null,
      timeoutAtMs: null,
      failure: null,
    };
    this.state.pays.push(pay);
    this.state.attempts[pay.paymentHash] = (this.state.attempts[pay.paymentHash] ?? 0) + 1;
    this.save();
    return pay;
  }

  /** How a payment whose HTLC was out ends when resolved: a failed HTLC leaves xpay no route to retry. */
  private afterAttempt(outcome: PaymentOutcome, outside: OutsideInvoiceRecord | undefined, amountMsat: number): Ending {
    if (outcome === PaymentOutcome.Succeed && outside) {
      if (amountMsat + outside.feeMsat <= localBalanceMsat()) {
        return { status: 'complete', preimage: outside.preimage, feeMsat: outside.feeMsat };
      }
    }
    const reason = outcome === PaymentOutcome.InsufficientBalance ? "We don't have sufficient funds" : 'There is no connection between source and destination at all';
    return {
      status: 'failed',
      code: ClnErrorCode.PayUnspecifiedError,
      message: `Failed after 1 attempts. We got temporary_channel_failure for the first hop, assuming it can't carry the payment. Then routing failed: ${reason}`,
    };
  }

  private failAt(pay: ClnPayRecord, atMs: number): void {
    const cancel = runAt(atMs, () => {
      this.timers.delete(pay);
      this.end(pay, {
        status: 'failed',
        code: ClnErrorCode.PayUnspecifiedError,
        message: 'Failed after 1 attempts. We got temporary_channel_failure for the first hop. Then routing failed: retry_for exhausted',
      });
    });
    this.timers.set(pay, cancel);
  }

  /** After the current turn, so listpays can show the payment pending before it ends. */
  private endSoon(pay: ClnPayRecord, ending: Ending): void {
    const immediate = setImmediate(() => {
      this.timers.delete(pay);
      this.end(pay, ending);
    });
    this.timers.set(pay, () => clearImmediate(immediate));
  }

  private end(pay: ClnPayRecord, ending: Ending): void {
    if (pay.status !== 'pending') return;
    this.timers.get(pay)?.();
    this.timers.delete(pay);
    pay.timeoutAtMs = null;
    pay.updatedIndex = ++this.state.lastPayUpdatedIndex;
    pay.completedAtSec = nowSec();
    if (ending.status === 'complete') {
      pay.status = 'complete';
      pay.preimage = ending.preimage;
      pay.amountSentMsat = pay.amountMsat + ending.feeMsat;
    } else {
      pay.status = 'failed';
      pay.failure = { code: ending.code, message: ending.message };
    }
    this.save();
    this.ended.emit(pay);
  }
}
