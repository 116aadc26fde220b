import { decodeInvoice } from '../bolt11-codec';
import type { OutsidePaymentResult } from '../outside-payer';
import type { PaymentAttempts } from '../payment-engine';
import { RpcFailure } from '../rpc-failure';
import type { SimulatorControls } from './simulator-controls';
import { HttpProblem, SiblingUnreachableError } from './http-problem';
import type { SiblingAnswer, SiblingSimulators } from './sibling-simulators';

/** A sibling's answer other than 200, passed back as it came (its status and its error). */
function problemFrom(url: string, answer: SiblingAnswer<unknown>): HttpProblem {
  const error = (answer.body as { error?: unknown } | null)?.error;
  return new HttpProblem(answer.status, `sibling simulator ${url}: ${typeof error === 'string' ? error : 'unexpected answer'}`);
}

function payeeOf(bolt11: string): string | undefined {
  try {
    return decodeInvoice(bolt11).payee;
  } catch {
    return undefined;
  }
}

/**
 * The control calls of one simulator among the several nodes of a local stack, each reaching
 * the node it is about: `/pay` pays the invoice on whichever simulator issued it (by payee
 * key), an outside invoice created here is adopted by every sibling (any of our nodes may pay
 * it), a payment's attempts are counted on all of them, and a resolve goes to the one where
 * the payment is in flight. Faults stay on this simulator.
 */
export function forwardingToSiblings(local: SimulatorControls, siblings: SiblingSimulators): SimulatorControls {
  return {
    ...local,

    async payInvoice(bolt11, amountMsat) {
      const payee = payeeOf(bolt11);
      const { pubkey, outside_pubkey: outsidePubkey } = local.node();
      // Garbage, ours, or the outside peer's: this simulator answers as it always has.
      if (payee === undefined || payee === pubkey || payee === outsidePubkey) return local.payInvoice(bolt11, amountMsat);
      const issuer = await siblings.issuerOf(payee);
      if (issuer === undefined) return local.payInvoice(bolt11, amountMsat);
      const answer = await siblings.call<OutsidePaymentResult>(issuer, 'POST', '/pay', { bolt11, ...(amountMsat === undefined ? {} : { amount_msat: amountMsat }) });
      if (answer.status !== 200) throw problemFrom(issuer, answer);
      return answer.body;
    },

    async createOutsideInvoice(input) {
      const created = await local.createOutsideInvoice(input);
      const record = local.outsideInvoice(created.payment_hash)!;
      const adoption = {
        bolt11: record.paymentRequest,
        payment_hash: record.paymentHash,
        preimage: record.preimage,
        amount_msat: record.amountMsat,
        outcome: record.outcome,
        fee_msat: record.feeMsat,
      };
      const results = await Promise.allSettled(
        siblings.list().map(async (url) => {
          const answer = await siblings.call(url, 'POST', '/outside-invoices', adoption);
          if (answer.status !== 200) throw problemFrom(url, answer);
        }),
      );
      const refused = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (refused) throw refused.reason;
      return created;
    },

    async paymentAttempts(paymentHash) {
      const counts = await Promise.all([
        local.paymentAttempts(paymentHash),
        ...siblings.list().map(async (url) => {
          const answer = await siblings.call<PaymentAttempts>(url, 'GET', `/payments/${paymentHash}`);
          if (answer.status !== 200) throw problemFrom(url, answer);
          return answer.body;
        }),
      ]);
      return { attempts: counts.reduce((sum, count) => sum + count.attempts, 0), settled: counts.some((count) => count.settled) };
    },

    async resolvePayment(paymentHash, outcome) {
      let notHere: RpcFailure;
      try {
        return await local.resolvePayment(paymentHash, outcome);
      } catch (error) {
        if (!(error instanceof RpcFailure)) throw error;
        notHere = error;
      }
      let unreachable: SiblingUnreachableError | undefined;
      for (const url of siblings.list()) {
        try {
          const answer = await siblings.call<{ payment_hash: string; status: string }>(url, 'POST', `/payments/${paymentHash}/resolve`, { outcome });
          if (answer.status === 200) return answer.body;
          if (answer.status !== 409) throw problemFrom(url, answer);
        } catch (error) {
          if (!(error instanceof SiblingUnreachableError)) throw error;
          unreachable ??= error;
        }
      }
      // In flight nowhere: the documented refusal, unless a sibling that may hold it did not answer.
      throw unreachable ?? notHere;
    },
  };
}
