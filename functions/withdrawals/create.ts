import * as z from 'zod';
import { AmountOutOfRangeError, InvalidBolt11Error } from '../lib/errors';
import { IdPrefix } from '../lib/ids';
import { findInvoiceByPaymentHash } from '../lib/invoices/repository';
import { debitWithdrawal } from '../lib/ledger/debit-withdrawal';
import { payInternally } from '../lib/ledger/pay-internally';
import { defaultFeeReserveMsat } from '../lib/money';
import { invoiceNodesOf } from '../lib/node/invoice-nodes';
import type { InvoiceNode } from '../lib/node/lightning-node';
import { checkPaymentRequest, decodePaymentRequest } from '../lib/withdrawals/payment-request';
import { readWithdrawal } from '../lib/withdrawals/repository';
import { toWithdrawal } from '../lib/withdrawals/withdrawal';
import { AuthMode } from '../http/authenticate';
import type { Log } from '../lib/runtime/log';
import { route } from '../http/pipeline';
import { accepted } from '../http/responses';
import { idOf, msat } from '../http/schemas/common';
import { withdrawalSchema } from '../http/schemas/resources';
import { invoiceNodeFromConfig } from '../http/invoice-node';

export const createWithdrawalBody = z
  .strictObject({
    bolt11: z.string().min(1).max(4096).meta({ description: 'The BOLT11 invoice to pay' }),
    account_id: idOf(IdPrefix.account, 'account').optional().meta({ description: 'Defaults to the default account' }),
    amount_msat: msat({ min: 1, description: 'Required for an invoice without an amount; must agree with one that has it' }).optional(),
    max_fee_msat: msat({ min: 0, description: 'Routing fee limit, 0 up to the amount; default max(⌈1%⌉, 10,000 msat)' }).optional(),
  })
  .meta({ id: 'CreateWithdrawalRequest' });

export const createWithdrawalRoute = route({
  method: 'POST',
  path: '/v1/withdrawals',
  operationId: 'createWithdrawal',
  summary: 'Pay a BOLT11 invoice from an account (a payout)',
  tag: 'Withdrawals',
  auth: AuthMode.secret,
  body: createWithdrawalBody,
  response: {
    status: 202,
    description: 'The withdrawal: pending (the payment follows), or already succeeded when the invoice is one of this service\'s own (internal: true)',
    schema: withdrawalSchema,
  },
  errors: [404, 409, 422, 503],
  async handler({ auth, body, newId, now, resumed }, { table, node, log }) {
    const id = newId(IdPrefix.withdrawal);
    if (resumed) {
      // An earlier attempt with this Idempotency-Key may have debited already: that outcome
      // stands, whatever the checks below would say now (the invoice may have expired since).
      const existing = await readWithdrawal(table, id);
      if (existing?.merchant_id === auth.merchantId) return accepted(toWithdrawal(existing));
    }
    const decoded = decodePaymentRequest(body.bolt11);
    const nodes = invoiceNodesOf(node);
    const identity = await nodes.getNodeInfo();
    const { amountMsat } = checkPaymentRequest(decoded, { nodeNetwork: identity.network, now, amountMsat: body.amount_msat });
    if (body.max_fee_msat !== undefined && body.max_fee_msat > amountMsat) {
      throw new AmountOutOfRangeError(`max_fee_msat must be at most the amount, ${amountMsat}`, { param: 'max_fee_msat' });
    }
    const accountId = body.account_id ?? (await auth.merchant()).default_account_id;
    const createdAt = now.toISOString();

    // Any of our nodes' invoices, the other node's too: settled between two accounts at once,
    // no Lightning (never routed from one of our nodes to another), no fee.
    const payee = await nodes.ownNode(decoded.payee, identity);
    if (payee) {
      const ours = await findInvoiceByPaymentHash(table, decoded.paymentHash);
      // Issued by our node, but not through this service (or under another node's hash): paying
      // it would hand the money to whoever made it on the node, credited to no account. Refused.
      if (!ours || !issuedBy(ours.nodeId, payee.nodeId)) {
        throw new InvalidBolt11Error("bolt11 was issued by this service's node but is not an invoice of this service");
      }
      const { invoiceId } = ours;
      const issuer = nodes.issuer(ours.nodeId);
      const { withdrawal } = await payInternally(table, {
        withdrawalId: id,
        merchantId: auth.merchantId,
        accountId,
        invoiceId,
        amountMsat,
        bolt11: body.bolt11,
        preimage: issuer ? await preimageOf(issuer, decoded.paymentHash, log) : null,
        createdAt,
      });
      if (issuer) await cancelOnNode(issuer, decoded.paymentHash, log);
      return accepted(toWithdrawal(withdrawal));
    }

    const withdrawal = await debitWithdrawal(table, {
      id,
      merchantId: auth.merchantId,
      accountId,
      amountMsat,
      // Exactly the fee limit the bridge hands the node: fees can never exceed it.
      feeReserveMsat: body.max_fee_msat ?? defaultFeeReserveMsat(amountMsat),
      paymentHash: decoded.paymentHash,
      bolt11: body.bolt11,
      createdAt,
    });
    return accepted(toWithdrawal(withdrawal));
  },
});

/**
 * The invoice's recorded node against the node whose key signed the BOLT11. Either side
 * undefined (a single-node deployment, an invoice from before several nodes) is the one node.
 */
function issuedBy(recorded: string | undefined, payee: string | undefined): boolean {
  return recorded === undefined || payee === undefined || recorded === payee;
}

/** The preimage proves payment to the payer; without the node it stays null, the payment stands. */
async function preimageOf(node: InvoiceNode, paymentHash: string, log: Pick<Log, 'warn' | 'error'>): Promise<string | null> {
  try {
    return (await node.lookupInvoice(paymentHash))?.preimage ?? null;
  } catch (error) {
    log.warn('preimage look-up failed for an internal payment', { paymentHash, error: (error as Error).name });
    return null;
  }
}

/**
 * The bridge cancels the paid invoice on the node from the request payInternally wrote;
 * cancelling here as well closes the window sooner. A failure changes nothing: a late
 * settlement on the node is credited as a separate deposit, never dropped.
 */
async function cancelOnNode(node: InvoiceNode, paymentHash: string, log: Pick<Log, 'warn' | 'error'>): Promise<void> {
  try {
    await node.cancelInvoice(paymentHash);
  } catch (error) {
    log.warn('could not cancel an internally paid invoice on the node; the bridge will', { paymentHash, error: (error as Error).name });
  }
}

export const handler = createWithdrawalRoute.lambda({ node: invoiceNodeFromConfig });
