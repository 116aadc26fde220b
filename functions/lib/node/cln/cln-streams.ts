import { type ClnClient, type ClnXpayResult, PaymentFailedError, PaymentFailureReason } from '../../cln';
import { sleep } from '../../runtime/backoff';
import { decodePaymentRequest } from '../../withdrawals/payment-request';
import type { NodeStream } from '../lightning-node';
import { PaymentRefusal, PaymentRefusedError, UnknownPaymentError } from '../node-errors';
import { type NodeInvoice, NodePaymentStatus, type PaymentUpdate, type PayRequest } from '../node-types';
import { abortableStream } from './abortable-stream';
import { failureReasonFromCln, nodeErrorFromCln } from './cln-node-errors';
import { feeOf, latestPay, paymentFromClnPay, settlementFromCln } from './cln-node-mapping';

export type ClnStreamClient = Pick<ClnClient, 'waitAnyInvoice' | 'xpay' | 'listPays'>;

/**
 * WaitAnyInvoice from the cursor, called again with each answer's pay_index: lightningd
 * answers the next invoice paid after it, at once if there is one, so nothing is skipped and
 * nothing comes out of order. An answer that is not a settlement (an expired invoice) moves
 * nothing; the next call waits a poll interval so such an answer cannot make it spin.
 */
export function clnSettlementStream(cln: ClnStreamClient, afterSettleIndex: number, pollIntervalMs: number): NodeStream<NodeInvoice> {
  return abortableStream(
    async function* (signal) {
      let cursor = afterSettleIndex;
      while (!signal.aborted) {
        const settlement = settlementFromCln(await cln.waitAnyInvoice({ lastpayIndex: cursor }, { signal }));
        if (settlement && settlement.settleIndex > cursor) {
          cursor = settlement.settleIndex;
          yield settlement;
        } else {
          await sleep(pollIntervalMs, signal);
        }
      }
    },
    (error) => nodeErrorFromCln(error, 'subscribeSettlements'),
  );
}

/**
 * ListPays of the hash, polled until its newest attempt is final. `pending` stays in flight
 * for as long as the node says so: only the node ends a payment. Yields on every change.
 */
export function clnTrackStream(cln: ClnStreamClient, paymentHash: string, pollIntervalMs: number): NodeStream<PaymentUpdate> {
  return abortableStream(
    async function* (signal) {
      let last = '';
      while (!signal.aborted) {
        const latest = latestPay(await cln.listPays({ paymentHash }, { signal }));
        if (!latest) throw new UnknownPaymentError('Core Lightning has no payment of this hash', { operation: 'trackPayment' });
        const update = paymentFromClnPay(latest.pay, latest.paymentIndex);
        const seen = `${update.status}:${update.paymentIndex}`;
        if (seen !== last) {
          last = seen;
          yield update;
        }
        if (update.status !== NodePaymentStatus.inFlight) return;
        await sleep(pollIntervalMs, signal);
      }
    },
    (error) => nodeErrorFromCln(error, 'trackPayment'),
  );
}

type XpayAnswer = { paid: ClnXpayResult } | { error: unknown };

/**
 * Xpay answers once, when the payment is final; until then ListPays shows the attempt
 * pending. The stream yields in_flight once ListPays shows an attempt newer than the ones the
 * hash had before (so a refusal, which registers none, comes from the iterator before any
 * update), then the final update from Xpay's answer. A lost answer (transport) throws
 * NodeUnreachableError: the payment may still be pending, so the caller tracks it.
 */
export function clnPayStream(cln: ClnStreamClient, request: PayRequest, pollIntervalMs: number): NodeStream<PaymentUpdate> {
  return abortableStream(
    async function* (signal) {
      const paymentHash = paymentHashOf(request.bolt11);
      const priorIndex = latestPay(await cln.listPays({ paymentHash }, { signal }))?.paymentIndex ?? 0;
      const ourAttempt = async (): Promise<number | undefined> => {
        const latest = latestPay(await cln.listPays({ paymentHash }, { signal }));
        return latest && latest.paymentIndex > priorIndex ? latest.paymentIndex : undefined;
      };
      const answer: Promise<XpayAnswer> = cln
        .xpay(
          {
            invstring: request.bolt11,
            maxfeeMsat: request.feeLimitMsat,
            retryForSec: request.timeoutSec,
            ...(request.amountMsat !== undefined ? { amountMsat: request.amountMsat } : {}),
          },
          { signal },
        )
        .then(
          (paid) => ({ paid }),
          (error: unknown) => ({ error }),
        );

      let announced: number | undefined;
      while (announced === undefined) {
        const answered = await Promise.race([answer, sleep(pollIntervalMs, signal).then(() => undefined)]);
        if (signal.aborted || answered) break;
        // Only to announce the attempt: Xpay's answer decides the outcome, so a failed look is retried.
        announced = await ourAttempt().catch(() => undefined);
        if (announced !== undefined) yield update(paymentHash, NodePaymentStatus.inFlight, announced);
      }
      const final = await answer;
      if (signal.aborted) return;
      if ('error' in final && !(final.error instanceof PaymentFailedError)) throw final.error;

      // A failure before any HTLC registers no attempt: it gets an index above the hash's earlier ones.
      const attempt = announced ?? (await ourAttempt().catch(() => undefined));
      const paymentIndex = attempt ?? priorIndex + 1;
      if ('error' in final) {
        const failed = final.error as PaymentFailedError;
        if (attempt === undefined && failed.reason === PaymentFailureReason.InvoiceExpired) {
          throw new PaymentRefusedError(failed.message, { operation: 'pay', cause: failed, refusal: PaymentRefusal.invoiceExpired });
        }
        if (announced === undefined && attempt !== undefined) yield update(paymentHash, NodePaymentStatus.inFlight, attempt);
        yield { ...update(paymentHash, NodePaymentStatus.failed, paymentIndex), failureReason: failureReasonFromCln(failed) };
        return;
      }
      if (announced === undefined) yield update(paymentHash, NodePaymentStatus.inFlight, paymentIndex);
      yield {
        ...update(paymentHash, NodePaymentStatus.succeeded, paymentIndex),
        feeMsat: feeOf(final.paid.amountMsat, final.paid.amountSentMsat),
        preimage: final.paid.paymentPreimage,
      };
    },
    (error) => nodeErrorFromCln(error, 'pay'),
  );
}

function update(paymentHash: string, status: NodePaymentStatus, paymentIndex: number): PaymentUpdate {
  return { paymentHash, status, failureReason: null, feeMsat: 0, preimage: null, paymentIndex };
}

/** The hash ListPays is asked about. A string that is no BOLT11 at all is refused before the node is. */
function paymentHashOf(bolt11: string): string {
  try {
    return decodePaymentRequest(bolt11).paymentHash;
  } catch (error) {
    throw new PaymentRefusedError('not a BOLT11 invoice', { operation: 'pay', cause: error, refusal: PaymentRefusal.invalidInvoice });
  }
}
