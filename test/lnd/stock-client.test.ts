import { createHash, randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import {
  type AuthenticatedLnd,
  authenticatedLndGrpc,
  cancelHodlInvoice,
  createHodlInvoice,
  createInvoice,
  decodePaymentRequest,
  getChannelBalance,
  getChannels,
  getFailedPayments,
  getInvoice,
  getInvoices,
  getPayment,
  getPayments,
  getWalletInfo,
  pay,
  settleHodlInvoice,
  subscribeToInvoice,
  subscribeToInvoices,
  subscribeToPastPayment,
} from 'lightning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';

/**
 * The simulator as an independent LND client library sees it: `lightning`
 * (the ln-service family) loads LND's own protos and refuses responses that
 * lack what real LND fills in, so anything missing here fails a call.
 */

/** The library returns the add and settle indexes, though its typings leave them out. */
type Indexed<T> = T & { index: number; confirmed_index?: number };
const indexed = <T>(invoice: T) => invoice as Indexed<T>;

const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

/** The first event of `name` on a subscription that satisfies `matches`; an 'error' event fails it. */
function nextEvent<T>(emitter: EventEmitter, name: string, matches: (event: T) => boolean = () => true): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (event: T) => {
      if (!matches(event)) return;
      cleanup();
      resolve(event);
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(new Error(`subscription failed: ${JSON.stringify(error)}`));
    };
    const cleanup = () => {
      emitter.off(name, onEvent);
      emitter.off('error', onError);
    };
    emitter.on(name, onEvent);
    emitter.on('error', onError);
  });
}

/** lightning rejects with [status, code, details]. */
async function rejection(promise: Promise<unknown>): Promise<[number, string, { err?: { code?: number; details?: string } }?]> {
  try {
    await promise;
  } catch (error) {
    return error as [number, string];
  }
  throw new Error('expected the call to be refused');
}

describe('the simulator through the stock `lightning` client library', () => {
  let fixture: SimulatorFixture;
  let lnd: AuthenticatedLnd;
  const subscriptions: EventEmitter[] = [];
  const track = <T extends EventEmitter>(subscription: T): T => {
    subscriptions.push(subscription);
    return subscription;
  };

  beforeAll(async () => {
    fixture = await startSimulatorFixture({ maxPaymentTimeoutMs: 300 });
    ({ lnd } = authenticatedLndGrpc({
      cert: readFileSync(fixture.sim.tlsCertPath).toString('base64'),
      macaroon: readFileSync(fixture.sim.adminMacaroonPath).toString('hex'),
      socket: fixture.sim.grpcAddress,
    }));
  });
  afterAll(async () => {
    for (const subscription of subscriptions) subscription.removeAllListeners();
    await fixture.stop();
  });

  it('reads wallet info', async () => {
    const info = await getWalletInfo({ lnd });

    expect(info).toMatchObject({
      public_key: fixture.sim.pubkey,
      active_channels_count: 1,
      peers_count: 1,
      current_block_height: 1_000,
      is_synced_to_chain: true,
    });
    expect(info.chains).toHaveLength(1);
  });

  it('creates, looks up and lists invoices, and reads the HTLC that settled one', async () => {
    const created = await createInvoice({ lnd, tokens: 2_500, description: 'stock client' });
    const open = indexed(await getInvoice({ lnd, id: created.id }));
    expect(open).toMatchObject({ id: created.id, tokens: 2_500, is_confirmed: false, description: 'stock client', payments: [] });
    expect(open.features.map((feature) => feature.bit)).toEqual(expect.arrayContaining([9, 14, 17]));

    expect(fixture.sim.payInvoice(created.request, 2_600_000).status).toBe('settled');

    const settled = indexed(await getInvoice({ lnd, id: created.id }));
    expect(open.index).toBeGreaterThan(0);
    expect(settled).toMatchObject({ is_confirmed: true, received_mtokens: '2600000', secret: open.secret, index: open.index });
    expect(settled.confirmed_index).toBeGreaterThan(0);
    expect(settled.payments).toEqual([
      expect.objectContaining({ is_confirmed: true, is_held: false, mtokens: '2600000', created_height: 1_000 }),
    ]);

    const { invoices } = await getInvoices({ lnd, limit: 100 });
    expect(invoices.map((invoice) => invoice.id)).toContain(created.id);
    expect(invoices.find((invoice) => invoice.id === created.id)).toMatchObject({ is_confirmed: true });
  });

  it('streams a settle through subscribeToInvoices and subscribeToInvoice', async () => {
    const all = track(subscribeToInvoices({ lnd }));
    const created = await createInvoice({ lnd, tokens: 700 });
    const single = track(subscribeToInvoice({ lnd, id: created.id }));
    type Updated = { id: string; is_confirmed: boolean };
    const settledOnStream = nextEvent<Updated>(all, 'invoice_updated', (e) => e.id === created.id && e.is_confirmed);
    const settledSingle = nextEvent<Updated>(single, 'invoice_updated', (e) => e.is_confirmed);
    // The single subscription sends the current (open) state first.
    await nextEvent<Updated>(single, 'invoice_updated', (e) => e.id === created.id && !e.is_confirmed);

    fixture.sim.payInvoice(created.request);

    expect(await settledOnStream).toMatchObject({ id: created.id, is_confirmed: true });
    expect(await settledSingle).toMatchObject({ id: created.id, is_confirmed: true, received: 700 });
  });

  describe('paying outside invoices', () => {
    it('pays and reads the succeeded HTLC attempt with its route and preimage', async () => {
      const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 50_000, feeMsat: 1_000 });

      const paid = await pay({ lnd, request: invoice.bolt11, max_fee: 5 });

      expect(sha256(paid.secret)).toBe(invoice.paymentHash);
      expect(paid).toMatchObject({ id: invoice.paymentHash, mtokens: '51000', fee_mtokens: '1000', fee: 1 });
      expect(paid.hops).toEqual([expect.objectContaining({ public_key: fixture.sim.peerPubkey, forward_mtokens: '50000' })]);

      const read = await getPayment({ lnd, id: invoice.paymentHash });
      expect(read).toMatchObject({ is_confirmed: true, is_failed: false });
      expect(read.payment).toMatchObject({ id: invoice.paymentHash, secret: paid.secret, fee_mtokens: '1000', destination: fixture.sim.peerPubkey });
      expect(read.payment?.paths).toHaveLength(1);

      const past = track(subscribeToPastPayment({ lnd, id: invoice.paymentHash }));
      const confirmed = await nextEvent<{ id: string; secret: string; hops: unknown[] }>(past, 'confirmed');
      expect(confirmed).toMatchObject({ id: invoice.paymentHash, secret: paid.secret });

      const { payments } = await getPayments({ lnd });
      const listed = payments.find((payment) => payment.id === invoice.paymentHash);
      expect(listed).toMatchObject({ is_confirmed: true, secret: paid.secret, destination: fixture.sim.peerPubkey, index: expect.any(Number) });
      expect(listed?.attempts).toEqual([
        expect.objectContaining({
          is_confirmed: true,
          route: expect.objectContaining({
            fee_mtokens: '1000',
            mtokens: '51000',
            hops: [expect.objectContaining({ public_key: fixture.sim.peerPubkey, channel: expect.stringMatching(/^\d+x\d+x\d+$/) })],
          }),
        }),
      ]);
    });

    it('reports a failed payment with its reason and the HTLC attempt that failed', async () => {
      const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 20_000, outcome: 'hang' });
      const payment = pay({ lnd, request: invoice.bolt11, max_fee: 5 });
      const past = track(subscribeToPastPayment({ lnd, id: invoice.paymentHash }));
      // In flight, the HTLC attempt shows as pending.
      const paying = await nextEvent<{ id: string }>(past, 'paying');
      expect(paying.id).toBe(invoice.paymentHash);

      fixture.sim.resolvePayment(invoice.paymentHash, 'no_route');

      expect((await rejection(payment)).slice(0, 2)).toEqual([503, 'PaymentPathfindingFailedToFindPossibleRoute']);
      const read = await getPayment({ lnd, id: invoice.paymentHash });
      expect(read).toMatchObject({ is_failed: true, failed: { is_route_not_found: true } });
      const { payments } = await getFailedPayments({ lnd });
      const failed = payments.find((p) => p.id === invoice.paymentHash);
      expect(failed?.attempts).toEqual([expect.objectContaining({ is_failed: true, is_confirmed: false })]);
    });

    it.each([
      ['insufficient_balance', 'InsufficientBalanceToAttemptPayment'],
      ['timeout', 'PaymentAttemptsTimedOut'],
    ] as const)('maps the %s failure reason', async (outcome, code) => {
      const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 10_000, outcome });

      expect((await rejection(pay({ lnd, request: invoice.bolt11, max_fee: 5 }))).slice(0, 2)).toEqual([503, code]);
    });

    it('refuses to pay an invoice that is already paid, as LND does', async () => {
      const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 10_000 });
      await pay({ lnd, request: invoice.bolt11, max_fee: 5 });

      const [status, code, details] = await rejection(pay({ lnd, request: invoice.bolt11, max_fee: 5 }));

      expect([status, code]).toEqual([503, 'UnexpectedPaymentError']);
      expect(details?.err).toMatchObject({ code: 6, details: 'invoice is already paid' });
    });

    it('finds no payment for a hash it never paid', async () => {
      const [status, code] = await rejection(getPayment({ lnd, id: sha256(randomBytes(32).toString('hex')) }));
      expect([status, code]).toEqual([404, 'SentPaymentNotFound']);
    });
  });

  it('lists the channel with its constraints and reads the channel balance', async () => {
    const { channels } = await getChannels({ lnd });

    expect(channels).toHaveLength(1);
    expect(channels[0]).toMatchObject({
      partner_public_key: fixture.sim.peerPubkey,
      is_active: true,
      local_balance: 10_000_000,
      remote_balance: 5_000_000,
      local_reserve: 150_028,
      remote_reserve: 150_028,
      local_csv: 144,
      remote_max_htlcs: 483,
      type: 'anchor',
    });
    const balance = await getChannelBalance({ lnd });
    expect(balance).toMatchObject({ channel_balance: 10_000_000, channel_balance_mtokens: '10000000000' });
  });

  it('decodes a payment request', async () => {
    const invoice = fixture.sim.createOutsideInvoice({ amountMsat: 12_000, memo: 'decode me' });

    const decoded = await decodePaymentRequest({ lnd, request: invoice.bolt11 });

    expect(decoded).toMatchObject({ destination: fixture.sim.peerPubkey, id: invoice.paymentHash, tokens: 12, mtokens: '12000', description: 'decode me' });
  });

  describe('hold invoices', () => {
    const newSecret = () => {
      const secret = randomBytes(32).toString('hex');
      return { secret, id: sha256(secret) };
    };

    it('holds a paid hold invoice until it is settled with the preimage', async () => {
      const { secret, id } = newSecret();
      const created = await createHodlInvoice({ lnd, id, tokens: 3_000 });
      const updates = track(subscribeToInvoice({ lnd, id }));
      type Updated = { is_held?: boolean; is_confirmed: boolean; secret?: string };
      const held = nextEvent<Updated>(updates, 'invoice_updated', (e) => !!e.is_held);
      const confirmed = nextEvent<Updated>(updates, 'invoice_updated', (e) => e.is_confirmed);

      expect(await rejection(settleHodlInvoice({ lnd, secret }))).toEqual([402, 'CannotSettleHtlcBeforeHtlcReceived']);
      expect(fixture.sim.payInvoice(created.request).status).toBe('held');

      expect(await held).toMatchObject({ is_held: true, is_confirmed: false });
      const waiting = await getInvoice({ lnd, id });
      expect(waiting).toMatchObject({ is_held: true, is_confirmed: false, received_mtokens: '3000000' });
      expect(waiting.payments).toEqual([expect.objectContaining({ is_held: true, is_confirmed: false })]);

      await settleHodlInvoice({ lnd, secret });

      expect(await confirmed).toMatchObject({ is_confirmed: true, secret });
      const done = await getInvoice({ lnd, id });
      expect(done).toMatchObject({ is_confirmed: true, secret });
      expect(done.payments).toEqual([expect.objectContaining({ is_confirmed: true, is_held: false })]);
    });

    it('cancels a held hold invoice and refuses to settle it afterwards', async () => {
      const { secret, id } = newSecret();
      const created = await createHodlInvoice({ lnd, id, tokens: 1_000 });
      fixture.sim.payInvoice(created.request);

      await cancelHodlInvoice({ lnd, id });

      const canceled = await getInvoice({ lnd, id });
      expect(canceled).toMatchObject({ is_canceled: true, is_confirmed: false });
      expect(canceled.payments).toEqual([expect.objectContaining({ is_canceled: true })]);
      const [status, code, details] = await rejection(settleHodlInvoice({ lnd, secret }));
      expect([status, code]).toEqual([503, 'UnexpectedErrorWhenSettlingHodlInvoice']);
      expect(details?.err?.details).toBe('invoice already canceled');
    });

    it('refuses a second hold invoice for the same hash', async () => {
      const { id } = newSecret();
      await createHodlInvoice({ lnd, id, tokens: 1 });

      const [, , details] = await rejection(createHodlInvoice({ lnd, id, tokens: 1 }));

      expect(JSON.stringify(details)).toContain('invoice with payment hash already exists');
    });

    it('settles our own hold invoice paid by our node once the preimage is given', async () => {
      const { secret, id } = newSecret();
      const created = await createHodlInvoice({ lnd, id, tokens: 500 });
      const updates = track(subscribeToInvoice({ lnd, id }));
      const held = nextEvent<{ is_held?: boolean }>(updates, 'invoice_updated', (e) => !!e.is_held);

      const paying = pay({ lnd, request: created.request, max_fee: 0 });
      await held;
      await settleHodlInvoice({ lnd, secret });

      expect(await paying).toMatchObject({ id, secret, fee_mtokens: '0' });
    });
  });
});
