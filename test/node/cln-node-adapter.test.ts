import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { ClnInvoice, ClnPay, ClnXpayRequest } from '../../functions/lib/cln';
import { ClnNode } from '../../functions/lib/node/cln/cln-node';
import {
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  NodeUnreachableError,
  PaymentRefusal,
  PaymentRefusedError,
  UnknownInvoiceError,
  UnknownPaymentError,
  UnsupportedRequestError,
} from '../../functions/lib/node/node-errors';
import { NodePaymentStatus } from '../../functions/lib/node/node-types';
import { signInvoice } from '../support/bolt11-fixtures';
import { clnInvoice, clnPay, clnRpcFailure, clnUnavailable, fakeCln } from './support/fake-cln';
import { drain } from './support/port-streams';

const node = (calls: Parameters<typeof fakeCln>[0]) => new ClnNode(fakeCln(calls), { pollIntervalMs: 1 });
const request = { label: 'inv_1', amountMsat: 5_000, memo: 'coffee', expirySec: 600 };

describe('ClnNode.createInvoice', () => {
  it('issues the invoice with our id as its label and the memo as its description', async () => {
    const invoice = vi.fn(async () => ({ bolt11: 'lnbcrt1x', paymentHash: 'aa'.repeat(32), paymentSecret: '', expiresAtSec: 0, createdIndex: 1 }));
    expect(await node({ invoice }).createInvoice(request)).toEqual({ paymentHash: 'aa'.repeat(32), bolt11: 'lnbcrt1x' });
    expect(invoice).toHaveBeenCalledWith({ label: 'inv_1', amountMsat: 5_000, description: 'coffee', expirySec: 600 });
  });

  it('refuses a bare description hash, naming the field, instead of issuing an invoice without it', async () => {
    const invoice = vi.fn();
    const created = node({ invoice }).createInvoice({ label: 'inv_1', amountMsat: 5_000, descriptionHash: 'ff'.repeat(32), expirySec: 600 });
    await expect(created).rejects.toBeInstanceOf(UnsupportedRequestError);
    await expect(created).rejects.toMatchObject({ field: 'descriptionHash', backend: 'Core Lightning', operation: 'createInvoice' });
    expect(invoice).not.toHaveBeenCalled();
  });

  const metadata = '[["text/plain","a tip"]]';
  const metadataHash = createHash('sha256').update(metadata, 'utf8').digest('hex');

  it('issues a description hash with its text as deschashonly: the node hashes the text, the BOLT11 carries only the hash', async () => {
    const invoice = vi.fn(async () => ({ bolt11: 'lnbcrt1h', paymentHash: 'aa'.repeat(32), paymentSecret: '', expiresAtSec: 0, createdIndex: 1 }));
    await node({ invoice }).createInvoice({ label: 'inv_1', amountMsat: 5_000, descriptionHash: metadataHash.toUpperCase(), description: metadata, expirySec: 600 });
    expect(invoice).toHaveBeenCalledWith({ label: 'inv_1', amountMsat: 5_000, description: metadata, deschashonly: true, expirySec: 600 });
  });

  it('refuses a description that is not the text of the hash, as the caller bug it is', async () => {
    const invoice = vi.fn();
    const created = node({ invoice }).createInvoice({ label: 'inv_1', amountMsat: 5_000, descriptionHash: metadataHash, description: `${metadata} `, expirySec: 600 });
    await expect(created).rejects.toBeInstanceOf(RangeError);
    expect(invoice).not.toHaveBeenCalled();
  });

  const taken = async () => {
    throw clnRpcFailure('Invoice', 900, "Duplicate label 'inv_1'");
  };

  it('a retried label answers with the unpaid invoice the node has for it when amount and description agree', async () => {
    const listInvoices = vi.fn(async () => [clnInvoice({ bolt11: 'lnbcrt1same' })]);
    expect(await node({ invoice: taken, listInvoices }).createInvoice(request)).toEqual({ paymentHash: 'aa'.repeat(32), bolt11: 'lnbcrt1same' });
    expect(listInvoices).toHaveBeenCalledWith({ label: 'inv_1' });
  });

  it.each<[string, Partial<ClnInvoice>]>([
    ['paid', { status: 'paid', payIndex: 1 }],
    ['expired', { status: 'expired' }],
    ['for another amount', { amountMsat: 6_000 }],
    ['with another description', { description: 'tea' }],
  ])('a taken label whose invoice is %s is DuplicateInvoiceError', async (_case, existing) => {
    const listInvoices = async () => [clnInvoice(existing)];
    await expect(node({ invoice: taken, listInvoices }).createInvoice(request)).rejects.toBeInstanceOf(DuplicateInvoiceError);
  });
});

describe('ClnNode.cancelInvoice', () => {
  it('deletes the unpaid invoice by the label found for its hash, naming the status it expects', async () => {
    const listInvoices = vi.fn(async () => [clnInvoice({ label: 'inv_9' })]);
    const delInvoice = vi.fn(async () => clnInvoice());
    await node({ listInvoices, delInvoice }).cancelInvoice('aa'.repeat(32));
    expect(listInvoices).toHaveBeenCalledWith({ paymentHash: 'aa'.repeat(32) });
    expect(delInvoice).toHaveBeenCalledWith({ label: 'inv_9', status: 'unpaid' });
  });

  it('an expired invoice cannot be paid any more: success, nothing deleted', async () => {
    const delInvoice = vi.fn();
    await node({ listInvoices: async () => [clnInvoice({ status: 'expired' })], delInvoice }).cancelInvoice('aa'.repeat(32));
    expect(delInvoice).not.toHaveBeenCalled();
  });

  it('deleted or expired meanwhile is success', async () => {
    const listInvoices = async () => [clnInvoice()];
    const gone = async () => {
      throw clnRpcFailure('DelInvoice', 905, 'Unknown invoice');
    };
    const expired = async () => {
      throw clnRpcFailure('DelInvoice', 906, 'Invoice status is expired not unpaid', 'Some(Object {"current_status": String("expired")})');
    };
    await node({ listInvoices, delInvoice: gone }).cancelInvoice('aa'.repeat(32));
    await node({ listInvoices, delInvoice: expired }).cancelInvoice('aa'.repeat(32));
  });

  it('paid, before or during the delete, is InvoiceAlreadySettledError', async () => {
    const paidMeanwhile = async () => {
      throw clnRpcFailure('DelInvoice', 906, 'Invoice status is paid not unpaid', 'Some(Object {"current_status": String("paid")})');
    };
    await expect(node({ listInvoices: async () => [clnInvoice()], delInvoice: paidMeanwhile }).cancelInvoice('aa'.repeat(32))).rejects.toBeInstanceOf(
      InvoiceAlreadySettledError,
    );
    await expect(node({ listInvoices: async () => [clnInvoice({ status: 'paid' })] }).cancelInvoice('aa'.repeat(32))).rejects.toBeInstanceOf(InvoiceAlreadySettledError);
  });

  it('an invoice the node does not have is UnknownInvoiceError', async () => {
    await expect(node({ listInvoices: async () => [] }).cancelInvoice('aa'.repeat(32))).rejects.toBeInstanceOf(UnknownInvoiceError);
  });
});

describe('ClnNode.listInvoices', () => {
  it('pages by created_index from the one after the cursor', async () => {
    const listInvoices = vi.fn(async () => [clnInvoice({ createdIndex: 5 }), clnInvoice({ createdIndex: 6 })]);
    const page = await node({ listInvoices }).listInvoices({ afterAddIndex: 4, limit: 2 });
    expect(listInvoices).toHaveBeenCalledWith({ index: 'created', start: 5, limit: 2 });
    expect(page.lastAddIndex).toBe(6);
  });

  it('refuses a limit below 1', () => {
    expect(() => node({}).listInvoices({ afterAddIndex: 0, limit: 0 })).toThrow(RangeError);
  });
});

describe('ClnNode.subscribeSettlements', () => {
  it('calls WaitAnyInvoice again from each pay_index, skips answers that are not settlements, and ends when canceled', async () => {
    const answers = [
      clnInvoice({ status: 'paid', payIndex: 4, amountReceivedMsat: 5_000 }),
      clnInvoice({ status: 'expired', payIndex: null }),
      clnInvoice({ status: 'paid', payIndex: 2, amountReceivedMsat: 5_000 }),
      clnInvoice({ status: 'paid', payIndex: 5, amountReceivedMsat: 5_000 }),
    ];
    const cursors: (number | undefined)[] = [];
    const stream = node({
      waitAnyInvoice: async (request, options) => {
        cursors.push(request?.lastpayIndex);
        const next = answers.shift();
        if (next) return next;
        return new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(new Error('cancelled'))));
      },
    }).subscribeSettlements(3);
    const seen: number[] = [];
    for await (const settlement of stream) {
      seen.push(settlement.settleIndex);
      if (settlement.settleIndex === 5) stream.cancel();
    }
    // An answer below the cursor is never yielded: the caller's cursor never goes back.
    expect(seen).toEqual([4, 5]);
    expect(cursors.slice(0, 4)).toEqual([3, 4, 4, 4]);
  });

  it('a transport failure throws NodeUnreachableError from the iterator', async () => {
    const { error } = await drain(
      node({
        waitAnyInvoice: async () => {
          throw clnUnavailable('WaitAnyInvoice');
        },
      }).subscribeSettlements(0),
    );
    expect(error).toBeInstanceOf(NodeUnreachableError);
  });
});

describe('ClnNode.pay', () => {
  const invoice = signInvoice({ amountMsat: 5_000 });
  const pay = { bolt11: invoice.bolt11, feeLimitMsat: 40, timeoutSec: 9 };
  const pays = (entries: Partial<ClnPay>[]) => entries.map((entry) => clnPay({ paymentHash: invoice.paymentHash, ...entry }));

  it('sends the fee limit as maxfee and the timeout as retry_for, and the amount only when given', async () => {
    const xpay = vi.fn(async (_request: ClnXpayRequest) => ({ paymentPreimage: 'dd'.repeat(32), failedParts: 0, successfulParts: 1, amountMsat: 5_000, amountSentMsat: 5_003 }));
    let listed = 0;
    const listPays = async () => (listed++ === 0 ? [] : pays([{ status: 'complete', createdIndex: 8 }]));
    const { items } = await drain(node({ xpay, listPays }).pay(pay));
    expect(xpay.mock.calls[0]?.[0]).toEqual({ invstring: invoice.bolt11, maxfeeMsat: 40, retryForSec: 9 });
    expect(items.map((update) => update.status)).toEqual([NodePaymentStatus.inFlight, NodePaymentStatus.succeeded]);
    expect(items[1]).toMatchObject({ feeMsat: 3, preimage: 'dd'.repeat(32), paymentIndex: 8 });
  });

  it('a lost Xpay answer throws NodeUnreachableError, never a failed update', async () => {
    const xpay = async () => {
      throw clnUnavailable('Xpay');
    };
    const { items, error } = await drain(node({ xpay, listPays: async () => [] }).pay(pay));
    expect(error).toBeInstanceOf(NodeUnreachableError);
    expect(items.some((update) => update.status === NodePaymentStatus.failed)).toBe(false);
  });

  it('a failure before any HTLC yields only the failed update, numbered above the earlier attempts of the hash', async () => {
    const xpay = async () => {
      throw clnRpcFailure('Xpay', 205, 'Failed: There is no connection between source and destination at all');
    };
    const listPays = async () => pays([{ status: 'failed', createdIndex: 4 }]);
    const { items } = await drain(node({ xpay, listPays }).pay(pay));
    expect(items).toEqual([expect.objectContaining({ status: NodePaymentStatus.failed, failureReason: 'no_route', paymentIndex: 5 })]);
  });

  it('an expired invoice that registered no attempt is a refusal, before any update', async () => {
    const xpay = async () => {
      throw clnRpcFailure('Xpay', 207, 'Invoice expired 10 seconds ago');
    };
    const { items, error } = await drain(node({ xpay, listPays: async () => [] }).pay(pay));
    expect(items).toEqual([]);
    expect((error as PaymentRefusedError).refusal).toBe(PaymentRefusal.invoiceExpired);
  });
});

describe('ClnNode.trackPayment', () => {
  it('polls ListPays until the newest attempt is final, yielding each change once', async () => {
    const answers = [[clnPay()], [clnPay()], [clnPay({ status: 'complete', preimage: 'dd'.repeat(32) })]];
    const listPays = vi.fn(async () => answers.shift() ?? []);
    const { items } = await drain(node({ listPays }).trackPayment('aa'.repeat(32)));
    expect(items.map((update) => update.status)).toEqual([NodePaymentStatus.inFlight, NodePaymentStatus.succeeded]);
    expect(listPays).toHaveBeenCalledTimes(3);
  });

  it('a hash never paid is UnknownPaymentError', async () => {
    const { error } = await drain(node({ listPays: async () => [] }).trackPayment('aa'.repeat(32)));
    expect(error).toBeInstanceOf(UnknownPaymentError);
  });
});
