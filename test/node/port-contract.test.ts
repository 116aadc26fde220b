import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  NodeUnreachableError,
  PaymentAlreadySucceededError,
  PaymentInFlightError,
  PaymentRefusal,
  PaymentRefusedError,
  UnknownInvoiceError,
  UnknownPaymentError,
  UnsupportedRequestError,
} from '../../functions/lib/node/node-errors';
import { NodeInvoiceState, NodePaymentStatus, type PaymentUpdate } from '../../functions/lib/node/node-types';
import { FailureReason } from '../../functions/lib/withdrawals/withdrawal';
import { PaymentOutcome } from '../../lnd-simulator/state/records';
import { signInvoice } from '../support/bolt11-fixtures';
import { takeNext, waitFor } from '../lnd/support/streams';
import { PORT_BACKENDS, type PortBackend } from './support/port-backends';
import { drain, finalUpdate } from './support/port-streams';

const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
const PAY = { feeLimitMsat: 50, timeoutSec: 5 };

/** The simulated channel (we opened it; 2,810 sat commitment fee) and wallet both simulators report. */
const CHANNEL_LOCAL_MSAT = 10_000_000_000;
const CHANNEL_REMOTE_MSAT = 5_000_000_000;
const COMMIT_FEE_MSAT = 2_810_000;
const WALLET_CONFIRMED_MSAT = 50_000_000_000;

describe.each(PORT_BACKENDS)('node port contract: $name', ({ start }) => {
  let backend: PortBackend;

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  const newInvoice = (amountMsat = 5_000, memo = 'coffee') =>
    backend.node.createInvoice({ label: `inv_${randomUUID()}`, amountMsat, memo, expirySec: 600 });

  describe('node info and balances', () => {
    it('reports the node key, the chain by LND names, and sync', async () => {
      const info = await backend.node.getNodeInfo();
      expect(info).toMatchObject({ pubkey: backend.sim.pubkey, network: 'regtest', synced: true, activeChannels: 1, peers: 1 });
      expect(info.blockHeight).toBeGreaterThan(0);
    });

    it('reports the channel balance both ways and the confirmed on-chain wallet, in msat', async () => {
      const channel = await backend.node.channelBalance();
      // The peer's side is the same on both; Core Lightning's ListFunds does not take our commitment fee off ours.
      expect(channel.inboundMsat).toBe(CHANNEL_REMOTE_MSAT);
      expect(channel.outboundMsat).toBe(CHANNEL_LOCAL_MSAT + (backend.traits.outboundIncludesCommitFee ? COMMIT_FEE_MSAT : 0));
      expect(await backend.node.onchainBalance()).toEqual({ confirmedMsat: WALLET_CONFIRMED_MSAT, unconfirmedMsat: 0 });
    });
  });

  describe('invoices', () => {
    it('creates an open invoice, and looks it up settled with the amount paid once an outside payer paid it', async () => {
      const created = await newInvoice(7_000);
      const open = await backend.node.lookupInvoice(created.paymentHash);
      expect(open).toMatchObject({ paymentHash: created.paymentHash, state: NodeInvoiceState.open, amountPaidMsat: 0, settleIndex: 0, settledAtSec: null });
      expect(open?.addIndex).toBeGreaterThan(0);

      expect(backend.sim.payInvoice(created.bolt11, 9_000).status).toBe('settled');
      const paid = await backend.node.lookupInvoice(created.paymentHash);
      expect(paid).toMatchObject({ state: NodeInvoiceState.settled, amountPaidMsat: 9_000, addIndex: open?.addIndex });
      expect(paid?.settleIndex).toBeGreaterThan(0);
      expect(paid?.settledAtSec).toBeGreaterThan(0);
      expect(sha256(paid?.preimage ?? '')).toBe(created.paymentHash);
    });

    it('looks up an unknown hash as undefined', async () => {
      expect(await backend.node.lookupInvoice('ab'.repeat(32))).toBeUndefined();
    });

    it('decodes its own invoice as the node reads it, and an amountless outside one with a null amount', async () => {
      const created = await newInvoice(12_000, 'a pizza');
      const decoded = await backend.node.decode(created.bolt11);
      expect(decoded).toMatchObject({ paymentHash: created.paymentHash, payee: backend.sim.pubkey, amountMsat: 12_000, description: 'a pizza', descriptionHash: null, expirySec: 600 });
      expect(decoded.createdAtSec).toBeGreaterThan(0);

      const outside = backend.sim.createOutsideInvoice({});
      expect(await backend.node.decode(outside.bolt11)).toMatchObject({ paymentHash: outside.paymentHash, payee: backend.sim.peerPubkey, amountMsat: null });
    });

    it('commits to a bare description hash, or refuses it as unsupported before asking the node: never drops it', async () => {
      const descriptionHash = sha256(Buffer.from('{"metadata":1}').toString('hex'));
      const create = backend.node.createInvoice({ label: `inv_${randomUUID()}`, amountMsat: 1_000, descriptionHash, expirySec: 600 });
      if (backend.traits.takesDescriptionHash) {
        const created = await create;
        expect((await backend.node.decode(created.bolt11)).descriptionHash).toBe(descriptionHash);
      } else {
        await expect(create).rejects.toBeInstanceOf(UnsupportedRequestError);
        await expect(create).rejects.toMatchObject({ field: 'descriptionHash' });
      }
    });

    it('commits to a description hash given with its text, on every backend, and the BOLT11 carries no description', async () => {
      const description = '[["text/plain","tip jar"]]';
      const descriptionHash = sha256(Buffer.from(description, 'utf8').toString('hex'));
      const created = await backend.node.createInvoice({ label: `inv_${randomUUID()}`, amountMsat: 1_000, descriptionHash, description, expirySec: 600 });
      expect(await backend.node.decode(created.bolt11)).toMatchObject({ descriptionHash, description: '' });
    });

    it('a retried label answers with the unpaid invoice made for it when amount and memo agree (labelled nodes)', async () => {
      const label = `inv_${randomUUID()}`;
      const first = await backend.node.createInvoice({ label, amountMsat: 3_000, memo: 'tea', expirySec: 600 });
      const again = backend.node.createInvoice({ label, amountMsat: 3_000, memo: 'tea', expirySec: 600 });
      const different = backend.node.createInvoice({ label, amountMsat: 4_000, memo: 'tea', expirySec: 600 });
      if (backend.traits.keepsLabels) {
        expect(await again).toEqual(first);
        await expect(different).rejects.toBeInstanceOf(DuplicateInvoiceError);
        backend.sim.payInvoice(first.bolt11);
        // Paid: the label is no longer a retry of an open create.
        await expect(backend.node.createInvoice({ label, amountMsat: 3_000, memo: 'tea', expirySec: 600 })).rejects.toBeInstanceOf(DuplicateInvoiceError);
      } else {
        // No labels on the node: our id lives in the table, and each create makes an invoice.
        expect((await again).paymentHash).not.toBe(first.paymentHash);
        expect((await different).paymentHash).not.toBe(first.paymentHash);
      }
    });

    it('cancels an unpaid invoice: it can no longer be paid, and canceling again changes nothing', async () => {
      const created = await newInvoice();
      await backend.node.cancelInvoice(created.paymentHash);
      expect(backend.sim.payInvoice(created.bolt11).status).toBe('failed');
      const after = await backend.node.lookupInvoice(created.paymentHash);
      if (backend.traits.forgetsCanceledInvoices) {
        expect(after).toBeUndefined();
        // Deleted invoices leave no trace: the node cannot tell them from ones it never had.
        await expect(backend.node.cancelInvoice(created.paymentHash)).rejects.toBeInstanceOf(UnknownInvoiceError);
      } else {
        expect(after?.state).toBe(NodeInvoiceState.canceled);
        await backend.node.cancelInvoice(created.paymentHash);
      }
    });

    it('refuses to cancel a paid invoice (InvoiceAlreadySettledError) and one it never had (UnknownInvoiceError)', async () => {
      const created = await newInvoice();
      backend.sim.payInvoice(created.bolt11);
      await expect(backend.node.cancelInvoice(created.paymentHash)).rejects.toBeInstanceOf(InvoiceAlreadySettledError);
      expect((await backend.node.lookupInvoice(created.paymentHash))?.state).toBe(NodeInvoiceState.settled);
      await expect(backend.node.cancelInvoice('cd'.repeat(32))).rejects.toBeInstanceOf(UnknownInvoiceError);
    });

    it('lists invoices after an addIndex in pages, in addIndex order, whatever their state', async () => {
      const before = await newInvoice();
      const afterAddIndex = (await backend.node.lookupInvoice(before.paymentHash))?.addIndex ?? 0;
      const created = [await newInvoice(1_000), await newInvoice(2_000), await newInvoice(3_000)];
      backend.sim.payInvoice(created[1]!.bolt11);

      const first = await backend.node.listInvoices({ afterAddIndex, limit: 2 });
      expect(first.invoices.map((invoice) => invoice.paymentHash)).toEqual([created[0]!.paymentHash, created[1]!.paymentHash]);
      expect(first.invoices.map((invoice) => invoice.state)).toEqual([NodeInvoiceState.open, NodeInvoiceState.settled]);
      expect(first.lastAddIndex).toBe(first.invoices[1]!.addIndex);
      expect(first.invoices[0]!.addIndex).toBeGreaterThan(afterAddIndex);

      const second = await backend.node.listInvoices({ afterAddIndex: first.lastAddIndex, limit: 2 });
      expect(second.invoices.map((invoice) => invoice.paymentHash)).toEqual([created[2]!.paymentHash]);
      const last = await backend.node.listInvoices({ afterAddIndex: second.lastAddIndex, limit: 2 });
      expect(last).toEqual({ invoices: [], lastAddIndex: 0 });
    });
  });

  describe('settlement stream', () => {
    it('resumes from a cursor and never skips: pay 3, resume from the first one\'s index, get the 2nd and 3rd, then the next live', async () => {
      const invoices = [await newInvoice(), await newInvoice(), await newInvoice()];
      for (const invoice of invoices) expect(backend.sim.payInvoice(invoice.bolt11).status).toBe('settled');
      const firstIndex = (await backend.node.lookupInvoice(invoices[0]!.paymentHash))?.settleIndex ?? 0;
      expect(firstIndex).toBeGreaterThan(0);

      const stream = backend.node.subscribeSettlements(firstIndex);
      const iterator = stream[Symbol.asyncIterator]();
      const replayed = await takeNext(iterator, 2);
      expect(replayed.map((invoice) => invoice.paymentHash)).toEqual([invoices[1]!.paymentHash, invoices[2]!.paymentHash]);
      expect(replayed.every((invoice) => invoice.state === NodeInvoiceState.settled)).toBe(true);
      expect(replayed[0]!.settleIndex).toBeGreaterThan(firstIndex);
      expect(replayed[1]!.settleIndex).toBeGreaterThan(replayed[0]!.settleIndex);

      // An invoice created meanwhile is not a settlement; its payment is.
      const live = await newInvoice();
      const next = iterator.next();
      backend.sim.payInvoice(live.bolt11);
      const settled = await next;
      expect(settled.value).toMatchObject({ paymentHash: live.paymentHash, state: NodeInvoiceState.settled });
      expect(settled.value?.settleIndex).toBeGreaterThan(replayed[1]!.settleIndex);

      stream.cancel();
      expect((await iterator.next()).done).toBe(true);
    });

    it('ends the iteration quietly when canceled while waiting', async () => {
      await waitFor(() => backend.openCalls() === 0);
      const stream = backend.node.subscribeSettlements(Number.MAX_SAFE_INTEGER - 1);
      const pending = drain(stream);
      await waitFor(() => backend.openCalls() === 1);
      stream.cancel();
      expect(await pending).toEqual({ items: [], error: undefined });
    });

    it('throws NodeUnreachableError from the iterator when the node drops the stream', async () => {
      await waitFor(() => backend.openCalls() === 0);
      const stream = backend.connect().subscribeSettlements(Number.MAX_SAFE_INTEGER - 1);
      const pending = drain(stream);
      await waitFor(() => backend.openCalls() === 1);
      backend.sim.dropStreams();
      const { error } = await pending;
      expect(error).toBeInstanceOf(NodeUnreachableError);
    });
  });

  describe('payments', () => {
    it('pays: in flight first, then succeeded with the preimage and the fee; trackPayment answers the same at once', async () => {
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 20_000, feeMsat: 7 });
      const { final, updates } = await finalUpdate(backend.node.pay({ bolt11: invoice.bolt11, ...PAY }));
      expect(updates[0]?.status).toBe(NodePaymentStatus.inFlight);
      expect(final).toMatchObject({ paymentHash: invoice.paymentHash, status: NodePaymentStatus.succeeded, feeMsat: 7, failureReason: null });
      expect(sha256(final.preimage ?? '')).toBe(invoice.paymentHash);
      expect(final.paymentIndex).toBeGreaterThan(0);

      const tracked = await finalUpdate(backend.node.trackPayment(invoice.paymentHash));
      expect(tracked.updates).toHaveLength(1);
      expect(tracked.final).toMatchObject({ status: NodePaymentStatus.succeeded, preimage: final.preimage, feeMsat: 7, paymentIndex: final.paymentIndex });
    });

    it('pays an amountless invoice with the amount given', async () => {
      const invoice = backend.sim.createOutsideInvoice({});
      const { final } = await finalUpdate(backend.node.pay({ bolt11: invoice.bolt11, amountMsat: 4_321, ...PAY }));
      expect(final.status).toBe(NodePaymentStatus.succeeded);
    });

    it.each([
      [PaymentOutcome.NoRoute, FailureReason.noRoute],
      [PaymentOutcome.InsufficientBalance, FailureReason.insufficientBalance],
      [PaymentOutcome.Timeout, FailureReason.timeout],
    ])('a payment ending as %s fails with reason %s', async (outcome, reason) => {
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 1_000, outcome });
      const { final } = await finalUpdate(backend.node.pay({ bolt11: invoice.bolt11, ...PAY, timeoutSec: 1 }));
      expect(final).toMatchObject({ paymentHash: invoice.paymentHash, status: NodePaymentStatus.failed, failureReason: reason, preimage: null, feeMsat: 0 });
    });

    it('fails with a fee above the limit: nothing is paid', async () => {
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 1_000, feeMsat: 500 });
      const { final } = await finalUpdate(backend.node.pay({ bolt11: invoice.bolt11, ...PAY, feeLimitMsat: 10 }));
      expect(final).toMatchObject({ status: NodePaymentStatus.failed, failureReason: FailureReason.noRoute });
    });

    it('trackPayment of a payment that failed after its HTLC went out reports it failed with a reason', async () => {
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 1_000, outcome: PaymentOutcome.Timeout });
      const paid = await finalUpdate(backend.node.pay({ bolt11: invoice.bolt11, ...PAY, timeoutSec: 1 }));
      const tracked = await finalUpdate(backend.node.trackPayment(invoice.paymentHash));
      expect(tracked.final).toMatchObject({ status: NodePaymentStatus.failed, paymentIndex: paid.final.paymentIndex, preimage: null });
      expect(tracked.final.failureReason).not.toBeNull();
    });

    it('trackPayment of a route-finding failure: failed where the node records it, unknown where it does not', async () => {
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 1_000, outcome: PaymentOutcome.NoRoute });
      await finalUpdate(backend.node.pay({ bolt11: invoice.bolt11, ...PAY }));
      const tracked = await drain(backend.node.trackPayment(invoice.paymentHash));
      if (backend.traits.recordsRouteFailures) expect(tracked.items.at(-1)?.status).toBe(NodePaymentStatus.failed);
      else expect(tracked.error).toBeInstanceOf(UnknownPaymentError);
    });

    it('trackPayment of a hash never paid is UnknownPaymentError from the iterator', async () => {
      const { items, error } = await drain(backend.node.trackPayment('ef'.repeat(32)));
      expect(items).toEqual([]);
      expect(error).toBeInstanceOf(UnknownPaymentError);
    });

    it('a hanging payment stays in flight (pay and trackPayment) until the network resolves it, then succeeds', async () => {
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 2_000, outcome: PaymentOutcome.Hang });
      const payStream = backend.node.pay({ bolt11: invoice.bolt11, ...PAY, timeoutSec: 30 });
      const payIterator = payStream[Symbol.asyncIterator]();
      const [first] = await takeNext(payIterator, 1);
      expect(first).toMatchObject({ paymentHash: invoice.paymentHash, status: NodePaymentStatus.inFlight, preimage: null });

      const track = backend.node.trackPayment(invoice.paymentHash);
      const trackIterator = track[Symbol.asyncIterator]();
      const [tracked] = await takeNext(trackIterator, 1);
      expect(tracked).toMatchObject({ status: NodePaymentStatus.inFlight, paymentIndex: first?.paymentIndex });

      // A second pay of the hash is refused while the first is in flight: track it instead.
      const second = await drain(backend.node.pay({ bolt11: invoice.bolt11, ...PAY }));
      expect(second.error).toBeInstanceOf(PaymentInFlightError);
      expect(second.items).toEqual([]);

      backend.sim.resolvePayment(invoice.paymentHash, PaymentOutcome.Succeed);
      const rest = await drain({ [Symbol.asyncIterator]: () => payIterator });
      expect(rest.error).toBeUndefined();
      expect(rest.items.at(-1)).toMatchObject({ status: NodePaymentStatus.succeeded, paymentIndex: first?.paymentIndex });
      const trackedRest = await drain({ [Symbol.asyncIterator]: () => trackIterator });
      expect(trackedRest.items.at(-1)?.status).toBe(NodePaymentStatus.succeeded);
    });

    it('refuses to pay a hash it already paid (PaymentAlreadySucceededError), before any update, with no second attempt', async () => {
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 1_000 });
      await finalUpdate(backend.node.pay({ bolt11: invoice.bolt11, ...PAY }));
      const again = await drain(backend.node.pay({ bolt11: invoice.bolt11, ...PAY }));
      expect(again.items).toEqual([]);
      expect(again.error).toBeInstanceOf(PaymentAlreadySucceededError);
      expect(backend.sim.paymentAttempts(invoice.paymentHash).attempts).toBe(1);
    });

    it.each([
      ['an expired invoice', () => signInvoice({ amountMsat: 1_000, timestampSec: Math.floor(Date.now() / 1000) - 7_200, expirySec: 60 }), {}, PaymentRefusal.invoiceExpired],
      ['an invoice of another network', () => signInvoice({ network: 'mainnet', amountMsat: 1_000 }), {}, PaymentRefusal.wrongNetwork],
      ['an amountless invoice without an amount', () => signInvoice({}), {}, PaymentRefusal.amountRequired],
      ['an amount for an invoice that has one', () => signInvoice({ amountMsat: 1_000 }), { amountMsat: 1_000 }, PaymentRefusal.amountNotAllowed],
      ['a string that is no BOLT11', () => ({ bolt11: 'lnbcrt1notaninvoice', paymentHash: '' }), {}, PaymentRefusal.invalidInvoice],
    ])('refuses %s before any update (PaymentRefusedError) and starts nothing', async (_case, invoice, extra, refusal) => {
      const { bolt11, paymentHash } = invoice();
      const { items, error } = await drain(backend.node.pay({ bolt11, ...PAY, ...extra }));
      expect(items).toEqual([]);
      expect(error).toBeInstanceOf(PaymentRefusedError);
      expect((error as PaymentRefusedError).refusal).toBe(refusal);
      if (paymentHash) expect(backend.sim.paymentAttempts(paymentHash).attempts).toBe(0);
    });

    it('an earlier failed attempt, then a new one for the same hash: the new one has a higher paymentIndex and trackPayment follows it', async () => {
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 1_500, outcome: PaymentOutcome.Hang });
      const firstStream = backend.node.pay({ bolt11: invoice.bolt11, ...PAY, timeoutSec: 30 });
      const firstIterator = firstStream[Symbol.asyncIterator]();
      await takeNext(firstIterator, 1);
      backend.sim.resolvePayment(invoice.paymentHash, PaymentOutcome.NoRoute);
      const failed = (await drain({ [Symbol.asyncIterator]: () => firstIterator })).items.at(-1) as PaymentUpdate;
      expect(failed.status).toBe(NodePaymentStatus.failed);
      const trackedFailed = await finalUpdate(backend.node.trackPayment(invoice.paymentHash));
      expect(trackedFailed.final).toMatchObject({ status: NodePaymentStatus.failed, paymentIndex: failed.paymentIndex });

      const secondStream = backend.node.pay({ bolt11: invoice.bolt11, ...PAY, timeoutSec: 30 });
      const secondIterator = secondStream[Symbol.asyncIterator]();
      const [inFlight] = await takeNext(secondIterator, 1);
      expect(inFlight?.status).toBe(NodePaymentStatus.inFlight);
      expect(inFlight?.paymentIndex).toBeGreaterThan(failed.paymentIndex);
      backend.sim.resolvePayment(invoice.paymentHash, PaymentOutcome.Succeed);
      const succeeded = (await drain({ [Symbol.asyncIterator]: () => secondIterator })).items.at(-1);
      expect(succeeded).toMatchObject({ status: NodePaymentStatus.succeeded, paymentIndex: inFlight?.paymentIndex });
      const tracked = await finalUpdate(backend.node.trackPayment(invoice.paymentHash));
      expect(tracked.final).toMatchObject({ status: NodePaymentStatus.succeeded, paymentIndex: inFlight?.paymentIndex });
      expect(backend.sim.paymentAttempts(invoice.paymentHash).attempts).toBe(2);
    });

    it('a dropped payment stream throws NodeUnreachableError, never failed: the payment is still in flight', async () => {
      const node = backend.connect();
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 1_000, outcome: PaymentOutcome.Hang });
      const stream = node.pay({ bolt11: invoice.bolt11, ...PAY, timeoutSec: 30 });
      const iterator = stream[Symbol.asyncIterator]();
      await takeNext(iterator, 1);
      backend.sim.dropStreams();
      const rest = await drain({ [Symbol.asyncIterator]: () => iterator });
      expect(rest.items.some((update) => update.status === NodePaymentStatus.failed)).toBe(false);
      expect(rest.error).toBeInstanceOf(NodeUnreachableError);

      const track = node.trackPayment(invoice.paymentHash);
      const [tracked] = await takeNext(track[Symbol.asyncIterator](), 1);
      expect(tracked?.status).toBe(NodePaymentStatus.inFlight);
      track.cancel();
      backend.sim.resolvePayment(invoice.paymentHash, PaymentOutcome.Succeed);
    });

    it('a payment held by the node before it starts yields nothing until it starts', async () => {
      const invoice = backend.sim.createOutsideInvoice({ amountMsat: 1_000 });
      backend.sim.holdSends(true);
      try {
        const stream = backend.node.pay({ bolt11: invoice.bolt11, ...PAY });
        const pending = finalUpdate(stream);
        await waitFor(() => backend.sim.paymentAttempts(invoice.paymentHash).attempts === 0 && backend.sim.heldSendCount() > 0);
        await expect(drain(backend.node.trackPayment(invoice.paymentHash))).resolves.toMatchObject({ items: [] });
        backend.sim.holdSends(false);
        expect((await pending).final.status).toBe(NodePaymentStatus.succeeded);
      } finally {
        backend.sim.holdSends(false);
      }
    });
  });
});
