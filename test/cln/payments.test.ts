import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSignedInvoice } from '../../lnd-simulator/bolt11-codec';
import { loadOrCreateNodeKey } from '../../lnd-simulator/node-key';
import { waitFor } from '../lnd/support/streams';
import { type ClnFixture, type ClnTestClient, clnErrorCode, hex, rejection, startClnFixture } from './support/cln-fixture';

interface Pay {
  payment_hash: Buffer;
  status: string;
  destination?: Buffer;
  label?: string;
  amount_msat?: { msat: string };
  amount_sent_msat?: { msat: string };
  preimage?: Buffer;
  completed_at?: string;
  created_index?: string;
}

interface XpayResult {
  payment_preimage: Buffer;
  amount_msat: { msat: string };
  amount_sent_msat: { msat: string };
}

let fixture: ClnFixture;
let client: ClnTestClient;

const outsideInvoice = async (body: object) =>
  (await fixture.control<{ bolt11: string; payment_hash: string }>('POST', '/invoices', body)).body;
const paysFor = async (paymentHash: string) =>
  (await client.call<{ pays: Pay[] }>('ListPays', { payment_hash: Buffer.from(paymentHash, 'hex') })).pays;
const attempts = async (paymentHash: string) =>
  (await fixture.control<{ attempts: number; settled: boolean }>('GET', `/payments/${paymentHash}`)).body;

beforeAll(async () => {
  fixture = await startClnFixture({ maxPaymentTimeoutMs: 500 });
  client = fixture.client();
});
afterAll(() => fixture.stop());

describe('Xpay to the outside network', () => {
  it('completes with the preimage; ListPays shows it complete with the fee in amount_sent_msat', async () => {
    const invoice = await outsideInvoice({ amount_msat: 20_000, fee_msat: 7 });
    const paid = await client.call<XpayResult>('Xpay', { invstring: invoice.bolt11, maxfee: { msat: 10 }, label: 'payout-1' });
    expect(paid.amount_msat.msat).toBe('20000');
    expect(paid.amount_sent_msat.msat).toBe('20007');
    const [pay] = await paysFor(invoice.payment_hash);
    expect(pay).toMatchObject({ status: 'COMPLETE', label: 'payout-1', amount_sent_msat: { msat: '20007' } });
    expect(hex(pay?.preimage)).toBe(hex(paid.payment_preimage));
    expect(hex(pay?.destination)).toBe(fixture.sim.peerPubkey);
    expect(await attempts(invoice.payment_hash)).toEqual({ attempts: 1, settled: true });
  });

  it('refuses to pay a completed invoice again (219) without a second attempt', async () => {
    const invoice = await outsideInvoice({ amount_msat: 1_000 });
    await client.call('Xpay', { invstring: invoice.bolt11 });
    expect(clnErrorCode(await rejection(client.call('Xpay', { invstring: invoice.bolt11 })))).toBe(219);
    expect(await attempts(invoice.payment_hash)).toEqual({ attempts: 1, settled: true });
  });

  it('needs amount_msat for an amountless invoice, and refuses it for one with an amount', async () => {
    const amountless = await outsideInvoice({});
    expect(clnErrorCode(await rejection(client.call('Xpay', { invstring: amountless.bolt11 })))).toBe(-32602);
    const paid = await client.call<XpayResult>('Xpay', { invstring: amountless.bolt11, amount_msat: { msat: 4_321 } });
    expect(paid.amount_msat.msat).toBe('4321');
    const fixed = await outsideInvoice({ amount_msat: 5 });
    expect(clnErrorCode(await rejection(client.call('Xpay', { invstring: fixed.bolt11, amount_msat: { msat: 5 } })))).toBe(-32602);
  });

  it.each([
    ['no_route', {}, 205],
    ['insufficient_balance', {}, 215],
    ['succeed', { fee_msat: 11 }, 206],
  ] as const)('fails up front when route finding fails (%s → %i): no attempt, nothing in ListPays', async (outcome, extra, code) => {
    const invoice = await outsideInvoice({ amount_msat: 1_000, outcome, ...extra });
    const error = await rejection(client.call('Xpay', { invstring: invoice.bolt11, maxfee: { msat: 10 } }));
    expect([error.code, clnErrorCode(error)]).toEqual([GrpcStatus.UNKNOWN, code]);
    expect(await paysFor(invoice.payment_hash)).toEqual([]);
    expect(await attempts(invoice.payment_hash)).toEqual({ attempts: 0, settled: false });
  });

  it('fails with 203 when the destination does not know the invoice, leaving a failed pay', async () => {
    // Signed by the peer's key but never issued by the outside network: the payee fails the HTLC.
    const peerKey = loadOrCreateNodeKey(path.join(fixture.dataDir, 'cln', 'peer.key'));
    expect(peerKey.pubkey).toBe(fixture.sim.peerPubkey);
    const paymentHash = randomBytes(32).toString('hex');
    const bolt11 = encodeSignedInvoice(
      { paymentHash, paymentSecret: randomBytes(32).toString('hex'), amountMsat: 1_000, description: '', expirySec: 600, cltvExpiry: 40, timestampSec: Math.floor(Date.now() / 1000) },
      peerKey.privateKey,
    );
    const error = await rejection(client.call('Xpay', { invstring: bolt11 }));
    expect(clnErrorCode(error)).toBe(203);
    expect((await paysFor(paymentHash)).map((pay) => pay.status)).toEqual(['FAILED']);
    expect(await attempts(paymentHash)).toEqual({ attempts: 1, settled: false });
  });

  it('a "timeout" payment stays pending, then fails with 209 after retry_for', async () => {
    const invoice = await outsideInvoice({ amount_msat: 1_000, outcome: 'timeout' });
    const paying = rejection(client.call('Xpay', { invstring: invoice.bolt11, retry_for: 1 }));
    await waitFor(async () => (await paysFor(invoice.payment_hash))[0]?.status === 'PENDING');
    expect(clnErrorCode(await paying)).toBe(209);
    const [failed] = await paysFor(invoice.payment_hash);
    expect(failed?.status).toBe('FAILED');
    expect(failed?.preimage).toBeUndefined();
  });
});

describe('a hanging payment', () => {
  it('stays pending past the caller’s deadline, refuses a second payment (200), and completes when resolved', async () => {
    const invoice = await outsideInvoice({ amount_msat: 3_000, outcome: 'hang' });
    const gone = await rejection(client.call('Xpay', { invstring: invoice.bolt11 }, { deadlineMs: 300 }));
    expect(gone.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect((await paysFor(invoice.payment_hash)).map((pay) => pay.status)).toEqual(['PENDING']);
    expect(clnErrorCode(await rejection(client.call('Xpay', { invstring: invoice.bolt11 })))).toBe(200);
    expect(await attempts(invoice.payment_hash)).toEqual({ attempts: 1, settled: false });

    const resolved = await fixture.control('POST', `/payments/${invoice.payment_hash}/resolve`, { outcome: 'succeed' });
    expect(resolved).toEqual({ status: 200, body: { payment_hash: invoice.payment_hash, status: 'complete' } });
    const [pay] = await paysFor(invoice.payment_hash);
    expect(pay?.status).toBe('COMPLETE');
    expect(pay?.preimage?.length).toBe(32);
  });

  it('answers a caller still waiting when resolved to a failure; the hash may then be paid again', async () => {
    const invoice = await outsideInvoice({ amount_msat: 3_000, outcome: 'hang' });
    const waiting = rejection(client.call('Xpay', { invstring: invoice.bolt11 }));
    await waitFor(async () => (await paysFor(invoice.payment_hash)).length > 0);
    await fixture.control('POST', `/payments/${invoice.payment_hash}/resolve`, { outcome: 'no_route' });
    expect(clnErrorCode(await waiting)).toBe(209);
    expect((await paysFor(invoice.payment_hash)).map((pay) => pay.status)).toEqual(['FAILED']);

    const retry = rejection(client.call('Xpay', { invstring: invoice.bolt11 }, { deadlineMs: 300 }));
    expect((await retry).code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect((await paysFor(invoice.payment_hash)).map((pay) => pay.status)).toEqual(['FAILED', 'PENDING']);
    expect(await attempts(invoice.payment_hash)).toEqual({ attempts: 2, settled: false });
  });

  it('resolving a payment that is not pending answers 409', async () => {
    const invoice = await outsideInvoice({ amount_msat: 1 });
    expect((await fixture.control('POST', `/payments/${invoice.payment_hash}/resolve`, { outcome: 'succeed' })).status).toBe(409);
  });
});

describe('ListPays', () => {
  it('filters by status', async () => {
    const { pays } = await client.call<{ pays: Pay[] }>('ListPays', { status: 'PENDING' });
    expect(pays.length).toBeGreaterThan(0);
    expect(pays.every((pay) => pay.status === 'PENDING')).toBe(true);
  });
});
