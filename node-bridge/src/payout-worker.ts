import { randomUUID } from 'node:crypto';
import {
  BusSource,
  NodeDetailType,
  paymentFailedSchema,
  paymentSucceededSchema,
  payoutMessageSchema,
  type PayoutMessage,
} from '../../functions/lib/bus/bus-events';
import type { BusEntry, EventBus } from '../../functions/lib/bus/event-bus';
import { errorFields, type Log } from '../../functions/lib/runtime/log';
import { backoffDelayMs, sleep } from '../../functions/lib/runtime/backoff';
import { publishAll, PublishAbortedError } from '../../functions/lib/bus/publish';
import { AlreadyAppliedError } from '../../functions/lib/ledger/errors';
import { isFinal, markWithdrawalInFlight, readWithdrawal, renewSendLease, takeSendLeaseOnNode } from '../../functions/lib/withdrawals/repository';
import type { NodeStream } from '../../functions/lib/node/lightning-node';
import {
  NodeUnreachableError,
  PaymentAlreadySucceededError,
  PaymentInFlightError,
  PaymentRefusedError,
  UnknownPaymentError,
} from '../../functions/lib/node/node-errors';
import { NodePaymentStatus, type PaymentUpdate } from '../../functions/lib/node/node-types';
import type { Queue, QueueMessage } from '../../functions/lib/queue/queue';
import { startQueueConsumer, type HandleOutcome, type QueueConsumer } from '../../functions/lib/queue/queue-consumer';
import type { Table } from '../../functions/lib/table/client';
import { decodePaymentRequest } from '../../functions/lib/withdrawals/payment-request';
import { FailureReason, WithdrawalStatus, type WithdrawalItem } from '../../functions/lib/withdrawals/withdrawal';
import type { BridgeMetrics } from './metrics';
import { singlePayoutNode, type PayoutNode, type PayoutNodes } from './payout-nodes';

export type { PayoutNode } from './payout-nodes';

export interface PayoutWorkerOptions {
  queue: Queue;
  /** The nodes payouts go to; `node` alone is one node (tests). */
  nodes?: PayoutNodes;
  node?: PayoutNode;
  table: Table;
  bus: EventBus;
  log: Log;
  metrics: BridgeMetrics;
  concurrency: number;
  paymentTimeoutSec: number;
  visibilityTimeoutSec: number;
  waitTimeSec: number;
  retryDelaySec: number;
  maxTrackSec: number;
  recheckDelaySec: number;
  publishRetryBaseMs: number;
  publishRetryMaxMs: number;
}

/** What following a payment on the node came to. */
type Followed =
  | { kind: 'final'; payment: PaymentUpdate }
  /** The node refused to start the payment and has none for the hash: nothing left the node. */
  | { kind: 'refused'; reason: FailureReason }
  /** No payment of ours on the node; `priorPaymentIndex`: the earlier withdrawal's failed payment it holds (0: none). */
  | { kind: 'not_found'; priorPaymentIndex: number }
  /** Shutdown: the next bridge tracks it. */
  | { kind: 'stopped' }
  /** Followed for maxTrackSec and still in flight: looked at again later. */
  | { kind: 'still_in_flight' }
  /** Another handler holds the send lease right now. */
  | { kind: 'busy' }
  /** Recorded on a node this bridge does not have: never paid elsewhere, never refunded blind. */
  | { kind: 'unknown_node'; nodeId: string }
  | { kind: 'already_final' };

type StreamOutcome = Followed | { kind: 'interrupted' } | { kind: 'error'; error: unknown; delivered: boolean };

/**
 * Drains the payout queue into the node, paying each hash at most once (invariant 4):
 *
 * 1. A withdrawal already final: nothing to do.
 * 2. trackPayment first. A payment the node knows is followed to its final state and
 *    reported; it is never sent again. A node may let a failed hash be paid again, so a
 *    failed payment may be an earlier withdrawal's: it is ours only if it is newer than the
 *    one the node held when we sent (`prior_payment_index`, recorded with `in_flight`; every
 *    new attempt has a higher paymentIndex). While `pending`, nothing was sent, so every
 *    failed payment is foreign. A foreign failed payment means "none of ours".
 * 3. None of ours: take the withdrawal's send lease, ask the node again, mark the
 *    withdrawal in_flight with the prior index, renew the lease, and only then pay with
 *    the fee reserve as the fee limit (and the amount, for an amountless invoice only). A
 *    node that already pays or paid the hash switches to tracking.
 *    With several nodes, the send lease records the node the payment goes to (the one with
 *    enough outbound liquidity, payout-nodes.ts) before anything is sent, and every later
 *    look at the payment, after a restart too, goes to that node; one no longer configured
 *    leaves the payout for a human. An invoice of one of our own nodes is never routed: the
 *    API settles those internally, and the bridge refuses one that reached it.
 * 4. The final state goes on the bus (PaymentSucceeded / PaymentFailed) before the message
 *    is deleted. While the payment is in flight the message stays hidden (heartbeat); a
 *    payment that hangs stays in flight: on shutdown the message is released for the next
 *    bridge, after maxTrackSec it is re-queued with a delay, and either way it is tracked
 *    again, never refunded.
 */
export function startPayoutWorker(options: PayoutWorkerOptions): QueueConsumer {
  return startQueueConsumer({
    queue: options.queue,
    concurrency: options.concurrency,
    waitTimeSec: options.waitTimeSec,
    visibilityTimeoutSec: options.visibilityTimeoutSec,
    heartbeatSec: options.visibilityTimeoutSec / 3,
    retryDelaySec: () => options.retryDelaySec,
    log: options.log,
    onHeartbeat: () => options.metrics.payoutVisibilityExtensions.inc(),
    handle: (message, signal) => new PayoutAttempt(options, message, signal).run(),
  });
}

class PayoutAttempt {
  private readonly leaseToken = randomUUID();
  private readonly deadlineMs: number;
  private readonly log: Log;
  private readonly nodes: PayoutNodes;

  constructor(
    private readonly options: PayoutWorkerOptions,
    private readonly message: QueueMessage,
    private readonly signal: AbortSignal,
  ) {
    this.deadlineMs = Date.now() + options.maxTrackSec * 1000;
    this.log = options.log;
    this.nodes = options.nodes ?? singlePayoutNode(options.node!);
  }

  async run(): Promise<HandleOutcome> {
    const { metrics, table } = this.options;
    metrics.payoutsReceived.inc();
    let payout: PayoutMessage;
    try {
      payout = payoutMessageSchema.parse(JSON.parse(this.message.body));
    } catch (error) {
      this.log.error('malformed payout message; left for the dead-letter queue', { messageId: this.message.id, ...errorFields(error) });
      return { keep: true };
    }
    const context = { withdrawalId: payout.withdrawal_id, paymentHash: payout.payment_hash, receiveCount: this.message.receiveCount };
    const withdrawal = await readWithdrawal(table, payout.withdrawal_id);
    if (!withdrawal) throw new Error(`payout for unknown withdrawal ${payout.withdrawal_id}`);
    if (withdrawal.payment_hash !== payout.payment_hash || withdrawal.internal) {
      this.log.error('payout message does not match its withdrawal; left for the dead-letter queue', context);
      return { keep: true };
    }
    if (isFinal(withdrawal)) {
      this.log.info('withdrawal already final; payout message dropped', { ...context, status: withdrawal.status });
      return;
    }

    const followed = await this.follow(payout, withdrawal);
    switch (followed.kind) {
      case 'final':
      case 'refused':
        return this.report(payout, followed);
      case 'already_final':
        this.log.info('withdrawal finished meanwhile; payout message dropped', context);
        return;
      case 'busy':
        this.log.info('another handler is sending this payout; looking again later', context);
        return { keep: true, visibleAfterSec: this.options.retryDelaySec };
      case 'unknown_node':
        // Kept until the dead-letter queue has it (alarmed): docs/RUNBOOK.md.
        metrics.payoutsOnUnknownNode.inc();
        this.log.error('withdrawal is recorded on a node this bridge does not have; left for an operator', { ...context, nodeId: followed.nodeId });
        return { keep: true, visibleAfterSec: this.options.recheckDelaySec };
      case 'stopped':
        this.log.info('shutting down with the payment not final; the next bridge tracks it', context);
        return { keep: true, visibleAfterSec: 0 };
      case 'still_in_flight':
        // A fresh copy restarts the receive count, so a long hang never lands in the DLQ.
        await this.options.queue.send(this.message.body, { delaySec: this.options.recheckDelaySec });
        this.log.warn('payment still in flight; tracking it again later', { ...context, recheckDelaySec: this.options.recheckDelaySec });
        return;
      case 'not_found':
        // After a send that failed or was refused, the node knows no payment of ours: ask again
        // later (the send path runs again under the lease), never send blind.
        throw new Error(`the node reports no payment of ours for ${payout.payment_hash} after a send; trying again later`);
    }
  }

  private async follow(payout: PayoutMessage, withdrawal: WithdrawalItem): Promise<Followed> {
    const { table } = this.options;
    const hash = payout.payment_hash;
    // While pending nothing was sent, so there is nothing to follow yet (and, with several nodes, no node chosen).
    const recorded = withdrawal.node_id ?? (withdrawal.status === WithdrawalStatus.pending && this.nodes.several ? undefined : this.nodes.unrecordedId);
    if (recorded !== undefined) {
      const node = this.nodes.byId(recorded);
      if (!node) return { kind: 'unknown_node', nodeId: recorded };
      const tracked = await this.track(node, hash, foreignUpTo(withdrawal));
      if (tracked.kind !== 'not_found') return tracked;
    }

    const leaseMs = this.options.visibilityTimeoutSec * 1000;
    const proposed = this.nodes.several && recorded === undefined ? this.nodes.choose(payout.amount_msat + payout.fee_limit_msat) : undefined;
    const lease = await takeSendLeaseOnNode(table, withdrawal.id, this.leaseToken, leaseMs, proposed);
    if (lease.kind !== 'taken') return { kind: lease.kind === 'busy' ? 'busy' : 'already_final' };
    const nodeId = lease.nodeId ?? this.nodes.unrecordedId;
    const node = this.nodes.byId(nodeId);
    if (!node) return { kind: 'unknown_node', nodeId };
    // The lease write answered with the item as it stands, so it need not be read again.
    const current = lease.withdrawal;
    // A previous holder may have sent just before its lease ran out: ask again.
    const again = await this.track(node, hash, foreignUpTo(current));
    if (again.kind !== 'not_found') return again;
    if (this.nodes.isOwnNode(payeeOf(payout.bolt11))) {
      this.options.metrics.payoutsToOwnNode.inc();
      this.log.error('payout to one of our own nodes refused before sending: such invoices are settled internally', { withdrawalId: payout.withdrawal_id, paymentHash: hash });
      return { kind: 'refused', reason: FailureReason.error };
    }

    let priorPaymentIndex = current.prior_payment_index ?? 0;
    if (current.status === WithdrawalStatus.pending) {
      try {
        await markWithdrawalInFlight(table, current.id, again.priorPaymentIndex);
        priorPaymentIndex = again.priorPaymentIndex;
      } catch (error) {
        if (!(error instanceof AlreadyAppliedError)) throw error;
        const now = await readWithdrawal(table, current.id);
        if (!now || isFinal(now)) return { kind: 'already_final' };
        priorPaymentIndex = now.prior_payment_index ?? 0;
      }
    }
    const renewed = await renewSendLease(table, current.id, this.leaseToken, leaseMs);
    if (renewed !== 'taken') return { kind: renewed === 'busy' ? 'busy' : 'already_final' };
    if (this.signal.aborted) return { kind: 'stopped' };
    if (nodeId !== this.nodes.unrecordedId || this.nodes.several) this.log.info('paying from node', { withdrawalId: payout.withdrawal_id, nodeId });
    return this.send(node, payout, priorPaymentIndex);
  }

  private async send(node: PayoutNode, payout: PayoutMessage, priorPaymentIndex: number): Promise<Followed> {
    const { metrics } = this.options;
    metrics.paymentsSent.inc();
    this.log.info('sending payment', {
      withdrawalId: payout.withdrawal_id,
      paymentHash: payout.payment_hash,
      amountMsat: payout.amount_msat,
      feeLimitMsat: payout.fee_limit_msat,
    });
    const outcome = await this.followStream(
      node.pay({
        bolt11: payout.bolt11,
        feeLimitMsat: payout.fee_limit_msat,
        // Whole seconds, at least 1 (0 would mean LND's default): a scaled 0.6 s is sent as 1.
        timeoutSec: Math.max(1, Math.ceil(this.options.paymentTimeoutSec)),
        ...(isAmountless(payout.bolt11) ? { amountMsat: payout.amount_msat } : {}),
      }),
      priorPaymentIndex,
    );
    if (outcome.kind === 'interrupted') return this.track(node, payout.payment_hash, priorPaymentIndex);
    if (outcome.kind !== 'error') return outcome;

    const { error } = outcome;
    if (error instanceof PaymentInFlightError || error instanceof PaymentAlreadySucceededError) {
      this.log.info('the node already has a payment for this hash; tracking it', { paymentHash: payout.payment_hash, reason: error.name });
      return this.track(node, payout.payment_hash, priorPaymentIndex);
    }
    // Whatever else went wrong, the node decides whether a payment of ours exists.
    const check = await this.track(node, payout.payment_hash, priorPaymentIndex);
    if (check.kind !== 'not_found') return check;
    // Refused before it started: nothing was sent, and sending again changes nothing.
    if (!outcome.delivered && error instanceof PaymentRefusedError) {
      this.log.warn('the node refused to start the payment', { paymentHash: payout.payment_hash, ...errorFields(error) });
      return { kind: 'refused', reason: FailureReason.error };
    }
    throw error;
  }

  /**
   * trackPayment until a final state. A failed payment with a paymentIndex up to
   * `foreignUpToIndex` is an earlier withdrawal's and means "none of ours".
   */
  private async track(node: PayoutNode, paymentHash: string, foreignUpToIndex: number): Promise<Followed> {
    let failures = 0;
    for (;;) {
      if (this.signal.aborted) return { kind: 'stopped' };
      this.options.metrics.paymentsTracked.inc();
      const outcome = await this.followStream(node.trackPayment(paymentHash), foreignUpToIndex);
      if (outcome.kind !== 'error' && outcome.kind !== 'interrupted') return outcome;
      if (outcome.kind === 'error') {
        if (outcome.error instanceof UnknownPaymentError) return { kind: 'not_found', priorPaymentIndex: 0 };
        if (!(outcome.error instanceof NodeUnreachableError)) throw outcome.error;
        if (outcome.delivered) failures = 0;
      }
      // A dropped stream, a node restart, or a stream closed before a final state: follow it
      // again, with backoff while that goes on.
      const error = outcome.kind === 'error' ? outcome.error : new Error('payment stream closed before a final state');
      if (failures >= 6) throw error;
      this.log.warn('payment stream interrupted; tracking again', { paymentHash, ...errorFields(error) });
      await sleep(backoffDelayMs(failures++, { baseMs: this.options.publishRetryBaseMs, maxMs: this.options.publishRetryMaxMs }), this.signal);
    }
  }

  private async followStream(stream: NodeStream<PaymentUpdate>, foreignUpToIndex: number): Promise<StreamOutcome> {
    const { metrics } = this.options;
    let timedOut = false;
    let delivered = false;
    const cancel = () => stream.cancel();
    this.signal.addEventListener('abort', cancel, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      stream.cancel();
    }, Math.max(0, this.deadlineMs - Date.now()));
    metrics.paymentsInFlight.inc();
    try {
      for await (const payment of stream) {
        delivered = true;
        if (payment.status === NodePaymentStatus.succeeded) return { kind: 'final', payment };
        if (payment.status === NodePaymentStatus.failed) {
          return payment.paymentIndex <= foreignUpToIndex ? { kind: 'not_found', priorPaymentIndex: payment.paymentIndex } : { kind: 'final', payment };
        }
      }
      if (this.signal.aborted) return { kind: 'stopped' };
      if (timedOut) return { kind: 'still_in_flight' };
      return { kind: 'interrupted' };
    } catch (error) {
      if (this.signal.aborted) return { kind: 'stopped' };
      if (timedOut) return { kind: 'still_in_flight' };
      return { kind: 'error', error, delivered };
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', cancel);
      metrics.paymentsInFlight.dec();
    }
  }

  /** Publishes the final state; the message is deleted only after the bus accepted it. */
  private async report(payout: PayoutMessage, followed: Extract<Followed, { kind: 'final' | 'refused' }>): Promise<HandleOutcome> {
    const entry = resultEntry(payout, followed);
    try {
      await publishAll(this.options.bus, [entry], {
        baseMs: this.options.publishRetryBaseMs,
        maxMs: this.options.publishRetryMaxMs,
        signal: this.signal,
        log: this.log,
        onRefused: (count) => this.options.metrics.putEventsRefused.inc(count),
      });
    } catch (error) {
      if (error instanceof PublishAbortedError) return { keep: true, visibleAfterSec: 0 };
      throw error;
    }
    const status = entry.detailType === NodeDetailType.paymentSucceeded ? 'succeeded' : 'failed';
    this.options.metrics.paymentResults.inc({ status });
    this.log.info('payment result published', { withdrawalId: payout.withdrawal_id, paymentHash: payout.payment_hash, status });
    return undefined;
  }
}

/**
 * Which failed payments of the hash are not this withdrawal's: while pending nothing was
 * sent, so all; once in flight, those up to the index recorded before sending. (A
 * withdrawal marked in flight before the index was recorded counts every failed one as ours.)
 */
function foreignUpTo(withdrawal: WithdrawalItem): number {
  if (withdrawal.status === WithdrawalStatus.pending) return Number.POSITIVE_INFINITY;
  return withdrawal.prior_payment_index ?? 0;
}

/** The payee of the invoice; '' when it cannot be decoded (the node refuses such an invoice anyway). */
function payeeOf(bolt11: string): string {
  try {
    return decodePaymentRequest(bolt11).payee;
  } catch {
    return '';
  }
}

/**
 * Nodes refuse both an amountless invoice without an amount and an amount for an invoice that
 * has one: the withdrawal's amount goes with amountless invoices only. Decoded here (the
 * invoice is the one truth, and payout messages already queued need no new field); one we
 * cannot decode is sent without an amount and the node refuses it as the invalid invoice it is.
 */
function isAmountless(bolt11: string): boolean {
  try {
    return decodePaymentRequest(bolt11).amountMsat === null;
  } catch {
    return false;
  }
}

function resultEntry(payout: PayoutMessage, followed: Extract<Followed, { kind: 'final' | 'refused' }>): BusEntry {
  const now = new Date().toISOString();
  if (followed.kind === 'final' && followed.payment.status === NodePaymentStatus.succeeded) {
    const detail = paymentSucceededSchema.parse({
      withdrawal_id: payout.withdrawal_id,
      payment_hash: payout.payment_hash,
      fee_msat: followed.payment.feeMsat,
      preimage: followed.payment.preimage,
      settled_at: now,
    });
    return { source: BusSource.node, detailType: NodeDetailType.paymentSucceeded, detail };
  }
  const reason = followed.kind === 'refused' ? followed.reason : (followed.payment.failureReason ?? FailureReason.error);
  const detail = paymentFailedSchema.parse({ withdrawal_id: payout.withdrawal_id, payment_hash: payout.payment_hash, failure_reason: reason, failed_at: now });
  return { source: BusSource.node, detailType: NodeDetailType.paymentFailed, detail };
}
