/**
 * The LND adapter's state mapping: LND's invoice and payment states, indexes, amounts and
 * requests as the node port's neutral shapes.
 */
import { describe, expect, it } from 'vitest';
import { type AddInvoiceRequest, InvoiceState, type ListInvoicesRequest, PaymentFailureReason, PaymentStatus, type SendPaymentRequest, type SubscribeInvoicesRequest } from '../../functions/lib/lnd';
import { LndNode } from '../../functions/lib/node/lnd/lnd-node';
import { FailureReason } from '../../functions/lib/withdrawals/withdrawal';
import { collect, fakeLnd, lndInvoice, lndPayment, lndStream } from './support/fake-lnd';

const HASH = 'ab'.repeat(32);

describe('LndNode: invoices', () => {
  it.each([
    [InvoiceState.Open, 'open'],
    [InvoiceState.Settled, 'settled'],
    [InvoiceState.Canceled, 'canceled'],
    [InvoiceState.Accepted, 'accepted'],
    // A state added by a later LND is never taken for paid.
    ['HELD_SOMEHOW', 'open'],
  ])('lookupInvoice: LND %s is %s', async (lndState, state) => {
    const node = new LndNode(fakeLnd({ lookupInvoice: async () => lndInvoice({ state: lndState as InvoiceState }) }));

    expect((await node.lookupInvoice(HASH))?.state).toBe(state);
  });

  it('lookupInvoice: a settled invoice with its amount, time, preimage and both indexes', async () => {
    const settled = lndInvoice({ state: InvoiceState.Settled, amountPaidMsat: 6_000, settleDateSec: 1_700_000_100, settleIndex: 4, addIndex: 9 });
    const node = new LndNode(fakeLnd({ lookupInvoice: async () => settled }));

    expect(await node.lookupInvoice(HASH)).toEqual({
      paymentHash: settled.paymentHash,
      state: 'settled',
      preimage: settled.preimage,
      amountPaidMsat: 6_000,
      settledAtSec: 1_700_000_100,
      settleIndex: 4,
      addIndex: 9,
    });
  });

  it('createInvoice: amount, expiry and memo or description hash go to AddInvoice; the label stays ours', async () => {
    const requests: AddInvoiceRequest[] = [];
    const node = new LndNode(
      fakeLnd({
        addInvoice: async (request) => (requests.push(request), { paymentHash: HASH, paymentRequest: 'lnbcrt1new', addIndex: 1, paymentAddr: '00' }),
      }),
    );

    expect(await node.createInvoice({ label: 'inv_1', amountMsat: 2_000, expirySec: 600, memo: 'Coffee' })).toEqual({ paymentHash: HASH, bolt11: 'lnbcrt1new' });
    await node.createInvoice({ label: 'inv_2', amountMsat: 3_000, expirySec: 60, descriptionHash: 'cd'.repeat(32) });

    expect(requests).toEqual([
      { valueMsat: 2_000, expirySec: 600, memo: 'Coffee' },
      { valueMsat: 3_000, expirySec: 60, descriptionHash: 'cd'.repeat(32) },
    ]);
  });

  it('subscribeSettlements: subscribes from the settle index and yields settlements only, not new invoices', async () => {
    const requests: SubscribeInvoicesRequest[] = [];
    const settled = lndInvoice({ state: InvoiceState.Settled, settleIndex: 5, amountPaidMsat: 1_000, settleDateSec: 1_700_000_200 });
    const node = new LndNode(
      fakeLnd({
        subscribeInvoices: (request) => (requests.push(request ?? {}), lndStream([lndInvoice({ addIndex: 8 }), settled, lndInvoice({ state: InvoiceState.Canceled })])),
      }),
    );

    const seen = await collect(node.subscribeSettlements(4));

    expect(requests).toEqual([{ settleIndex: 4 }]);
    expect(seen).toEqual([expect.objectContaining({ state: 'settled', settleIndex: 5, amountPaidMsat: 1_000, settledAtSec: 1_700_000_200 })]);
  });

  it('subscribeSettlements: cancel() cancels the LND stream', () => {
    const lnd = lndStream([]);
    const node = new LndNode(fakeLnd({ subscribeInvoices: () => lnd }));

    node.subscribeSettlements(0).cancel();

    expect(lnd.wasCancelled).toBe(true);
  });

  it('listInvoices: pages after the add index; the last add index is where the next page starts', async () => {
    const requests: ListInvoicesRequest[] = [];
    const page = [lndInvoice({ addIndex: 11 }), lndInvoice({ addIndex: 12, state: InvoiceState.Settled, settleIndex: 3 })];
    const node = new LndNode(
      fakeLnd({
        listInvoices: async (request) => {
          requests.push(request ?? {});
          const invoices = request?.indexOffset === 10 ? page : [];
          return { invoices, firstIndexOffset: invoices[0]?.addIndex ?? 0, lastIndexOffset: invoices.at(-1)?.addIndex ?? 0 };
        },
      }),
    );

    const first = await node.listInvoices({ afterAddIndex: 10, limit: 2 });
    const after = await node.listInvoices({ afterAddIndex: 12, limit: 2 });

    expect(requests).toEqual([
      { indexOffset: 10, numMaxInvoices: 2 },
      { indexOffset: 12, numMaxInvoices: 2 },
    ]);
    expect(first.lastAddIndex).toBe(12);
    expect(first.invoices.map((invoice) => [invoice.addIndex, invoice.state, invoice.settleIndex])).toEqual([
      [11, 'open', 0],
      [12, 'settled', 3],
    ]);
    expect(after).toEqual({ invoices: [], lastAddIndex: 0 });
  });

  it('listInvoices: refuses a limit below 1 (LND would read 0 as 100)', () => {
    const node = new LndNode(fakeLnd({}));

    expect(() => node.listInvoices({ afterAddIndex: 0, limit: 0 })).toThrow(RangeError);
  });
});

describe('LndNode: payments', () => {
  it.each([
    [PaymentStatus.Unknown, 'in_flight'],
    [PaymentStatus.Initiated, 'in_flight'],
    [PaymentStatus.InFlight, 'in_flight'],
    [PaymentStatus.Succeeded, 'succeeded'],
    [PaymentStatus.Failed, 'failed'],
  ])('trackPayment: LND %s is %s', async (lndStatus, status) => {
    const node = new LndNode(fakeLnd({ trackPayment: () => lndStream([lndPayment({ status: lndStatus })]) }));

    const [update] = await collect(node.trackPayment(HASH));

    expect(update?.status).toBe(status);
  });

  it.each([
    [PaymentFailureReason.Timeout, FailureReason.timeout],
    [PaymentFailureReason.NoRoute, FailureReason.noRoute],
    [PaymentFailureReason.InsufficientBalance, FailureReason.insufficientBalance],
    [PaymentFailureReason.IncorrectPaymentDetails, FailureReason.incorrectPaymentDetails],
    [PaymentFailureReason.Error, FailureReason.error],
    [PaymentFailureReason.Canceled, FailureReason.error],
    [PaymentFailureReason.None, FailureReason.error],
  ])('a FAILED payment with LND reason %s fails with %s', async (lndReason, reason) => {
    const node = new LndNode(fakeLnd({ trackPayment: () => lndStream([lndPayment({ status: PaymentStatus.Failed, failureReason: lndReason, paymentIndex: 7 })]) }));

    const [update] = await collect(node.trackPayment(HASH));

    expect(update).toMatchObject({ status: 'failed', failureReason: reason, paymentIndex: 7 });
  });

  it('pay: sends the request as SendPaymentV2 fields and follows the updates to success, with fee, preimage and index', async () => {
    const requests: SendPaymentRequest[] = [];
    const succeeded = lndPayment({ status: PaymentStatus.Succeeded, feeMsat: 12, preimage: 'ef'.repeat(32), paymentIndex: 9 });
    const node = new LndNode(fakeLnd({ sendPayment: (request) => (requests.push(request), lndStream([lndPayment(), succeeded])) }));

    const updates = await collect(node.pay({ bolt11: 'lnbcrt1amountless', amountMsat: 4_000, feeLimitMsat: 40, timeoutSec: 3 }));
    await collect(node.pay({ bolt11: 'lnbcrt1withamount', feeLimitMsat: 10, timeoutSec: 1 }));

    expect(requests).toEqual([
      { paymentRequest: 'lnbcrt1amountless', amountMsat: 4_000, feeLimitMsat: 40, timeoutSec: 3 },
      { paymentRequest: 'lnbcrt1withamount', feeLimitMsat: 10, timeoutSec: 1 },
    ]);
    expect(updates).toEqual([
      { paymentHash: succeeded.paymentHash, status: 'in_flight', failureReason: null, feeMsat: 0, preimage: null, paymentIndex: 3 },
      { paymentHash: succeeded.paymentHash, status: 'succeeded', failureReason: null, feeMsat: 12, preimage: 'ef'.repeat(32), paymentIndex: 9 },
    ]);
  });
});

describe('LndNode: node info, decode, balances', () => {
  it('getNodeInfo: identity, chain and sync state', async () => {
    const node = new LndNode(
      fakeLnd({
        getInfo: async () => ({
          identityPubkey: '02'.padEnd(66, '1'),
          alias: 'sim',
          version: '0.18.0-beta',
          commitHash: '',
          color: '#000000',
          network: 'regtest',
          chains: [{ chain: 'bitcoin', network: 'regtest' }],
          blockHeight: 120,
          blockHash: '',
          bestHeaderTimestampSec: 0,
          syncedToChain: false,
          syncedToGraph: true,
          numActiveChannels: 2,
          numInactiveChannels: 0,
          numPendingChannels: 0,
          numPeers: 3,
          uris: [],
        }),
      }),
    );

    expect(await node.getNodeInfo()).toEqual({
      pubkey: '02'.padEnd(66, '1'),
      network: 'regtest',
      synced: false,
      blockHeight: 120,
      alias: 'sim',
      version: '0.18.0-beta',
      activeChannels: 2,
      peers: 3,
    });
  });

  it('decode: an invoice without an amount (LND says 0) has amountMsat null', async () => {
    const decoded = { destination: '03'.padEnd(66, '2'), paymentHash: HASH, timestampSec: 1_700_000_000, expirySec: 600, description: 'tip', descriptionHash: null, paymentAddr: '00', cltvExpiry: 40 };
    const node = new LndNode(fakeLnd({ decodePaymentRequest: async (bolt11) => ({ ...decoded, amountMsat: bolt11 === 'lnbcrt1any' ? 0 : 5_000 }) }));

    expect(await node.decode('lnbcrt1any')).toEqual({ paymentHash: HASH, payee: decoded.destination, amountMsat: null, description: 'tip', descriptionHash: null, createdAtSec: 1_700_000_000, expirySec: 600 });
    expect((await node.decode('lnbcrt1five')).amountMsat).toBe(5_000);
  });

  it('channelBalance: local is outbound, remote inbound; onchainBalance in msat', async () => {
    const node = new LndNode(
      fakeLnd({
        channelBalance: async () => ({ localMsat: 7_000, remoteMsat: 3_000, unsettledLocalMsat: 1, unsettledRemoteMsat: 2, pendingOpenLocalMsat: 3, pendingOpenRemoteMsat: 4 }),
        walletBalance: async () => ({ totalSat: 15, confirmedSat: 10, unconfirmedSat: 5, lockedSat: 0 }),
      }),
    );

    expect(await node.channelBalance()).toEqual({ outboundMsat: 7_000, inboundMsat: 3_000 });
    expect(await node.onchainBalance()).toEqual({ confirmedMsat: 10_000, unconfirmedMsat: 5_000 });
  });
});
