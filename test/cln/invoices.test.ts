import { status as GrpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../lnd/support/streams';
import { type ClnFixture, type ClnTestClient, clnErrorCode, hex, rejection, startClnFixture } from './support/cln-fixture';

interface Invoice {
  label: string;
  bolt11: string;
  payment_hash: Buffer;
  status: string;
  description?: string;
  amount_msat?: { msat: string };
  pay_index?: string;
  amount_received_msat?: { msat: string };
  payment_preimage?: Buffer;
  created_index: string;
  updated_index?: string;
}

let fixture: ClnFixture;
let client: ClnTestClient;
let labels = 0;
const nextLabel = () => `inv-${++labels}`;

const createInvoice = (msat: number | 'any', extra: object = {}) =>
  client.call<{ bolt11: string; payment_hash: Buffer; created_index: string; expires_at: string }>('Invoice', {
    label: nextLabel(),
    description: 'coffee',
    amount_msat: msat === 'any' ? { any: true } : { amount: { msat } },
    ...extra,
  });

const payByControl = (bolt11: string, amountMsat?: number) =>
  fixture.control<{ status: string; error?: string }>('POST', '/pay', { bolt11, ...(amountMsat ? { amount_msat: amountMsat } : {}) });

beforeAll(async () => {
  fixture = await startClnFixture();
  client = fixture.client();
});
afterAll(() => fixture.stop());

describe('Invoice', () => {
  it('makes a BOLT11 of our node with the amount, description and expiry asked', async () => {
    const created = await createInvoice(21_000, { expiry: 600 });
    const decoded = await client.call<{ payee: Buffer; amount_msat: { msat: string }; description: string; expiry: string; payment_hash: Buffer }>(
      'Decode',
      { string: created.bolt11 },
    );
    expect(hex(decoded.payee)).toBe(fixture.sim.pubkey);
    expect(decoded.amount_msat.msat).toBe('21000');
    expect(decoded.description).toBe('coffee');
    expect(decoded.expiry).toBe('600');
    expect(hex(decoded.payment_hash)).toBe(hex(created.payment_hash));
  });

  it('with deschashonly puts the description hash in the BOLT11 and keeps the text in listinvoices', async () => {
    const created = await createInvoice(1_000, { deschashonly: true, description: 'a long story' });
    const decoded = await client.call<{ description_hash?: Buffer; description?: string }>('Decode', { string: created.bolt11 });
    expect(decoded.description).toBeUndefined();
    expect(decoded.description_hash?.length).toBe(32);
    const [listed] = (await client.call<{ invoices: Invoice[] }>('ListInvoices', { payment_hash: created.payment_hash })).invoices;
    expect(listed?.description).toBe('a long story');
  });

  it('refuses a label already in use with 900, as cln-grpc reports it', async () => {
    await client.call('Invoice', { label: 'taken', description: '', amount_msat: { any: true } });
    const error = await rejection(client.call('Invoice', { label: 'taken', description: '', amount_msat: { amount: { msat: 5 } } }));
    expect(error.code).toBe(GrpcStatus.UNKNOWN);
    expect(clnErrorCode(error)).toBe(900);
    expect(error.details).toBe(`Error calling method Invoice: RpcError { code: Some(900), message: "Duplicate label 'taken'", data: None }`);
  });

  it('refuses a preimage already used with 901', async () => {
    const preimage = Buffer.alloc(32, 7);
    await createInvoice(1_000, { preimage });
    expect(clnErrorCode(await rejection(createInvoice(1_000, { preimage })))).toBe(901);
  });
});

describe('WaitAnyInvoice', () => {
  it('returns paid invoices one by one by lastpay_index, waits for the next one, and skips none', async () => {
    const { invoices } = await client.call<{ invoices: Invoice[] }>('ListInvoices', {});
    const start = Math.max(0, ...invoices.map((invoice) => Number(invoice.pay_index ?? 0)));
    const [a, b, c] = [await createInvoice(1_000), await createInvoice('any'), await createInvoice(3_000)];
    expect((await payByControl(b!.bolt11, 2_000)).body.status).toBe('settled');
    expect((await payByControl(a!.bolt11)).body.status).toBe('settled');

    const first = await client.call<Invoice>('WaitAnyInvoice', { lastpay_index: start });
    const second = await client.call<Invoice>('WaitAnyInvoice', { lastpay_index: Number(first.pay_index) });
    expect([hex(first.payment_hash), hex(second.payment_hash)]).toEqual([hex(b!.payment_hash), hex(a!.payment_hash)]);
    expect(first.status).toBe('PAID');
    expect(first.amount_received_msat?.msat).toBe('2000');
    expect(first.payment_preimage?.length).toBe(32);
    expect(Number(second.pay_index)).toBe(Number(first.pay_index) + 1);

    const waiting = client.call<Invoice>('WaitAnyInvoice', { lastpay_index: Number(second.pay_index) });
    await waitFor(() => fixture.sim.openCallCount() === 1);
    await payByControl(c!.bolt11);
    const third = await waiting;
    expect(hex(third.payment_hash)).toBe(hex(c!.payment_hash));
    expect(Number(third.pay_index)).toBe(Number(second.pay_index) + 1);
  });

  it('gives up after its timeout with 904, and at once with timeout 0', async () => {
    const { invoices } = await client.call<{ invoices: Invoice[] }>('ListInvoices', {});
    const last = Math.max(0, ...invoices.map((invoice) => Number(invoice.pay_index ?? 0)));
    const error = await rejection(client.call('WaitAnyInvoice', { lastpay_index: last, timeout: 0 }));
    expect(clnErrorCode(error)).toBe(904);
    const began = Date.now();
    expect(clnErrorCode(await rejection(client.call('WaitAnyInvoice', { lastpay_index: last, timeout: 1 })))).toBe(904);
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
  });

  it('is cut with UNAVAILABLE by the drop_streams fault', async () => {
    const waiting = rejection(client.call('WaitAnyInvoice', { lastpay_index: 10_000 }));
    await waitFor(() => fixture.sim.openCallCount() === 1);
    expect((await fixture.control('POST', '/faults', { drop_streams: true })).body).toEqual({ dropped_streams: 1 });
    expect((await waiting).code).toBe(GrpcStatus.UNAVAILABLE);
    expect(fixture.sim.openCallCount()).toBe(0);
  });
});

describe('the outside payer', () => {
  it('pays at least the amount, refuses less, and never pays twice', async () => {
    const created = await createInvoice(10_000);
    expect((await payByControl(created.bolt11, 9_999)).body).toMatchObject({ status: 'failed', error: expect.stringMatching(/too low/) });
    expect((await payByControl(created.bolt11)).body.status).toBe('settled');
    expect((await payByControl(created.bolt11)).body).toMatchObject({ status: 'failed', error: 'invoice already paid' });
  });

  it('cannot pay an expired invoice, which lists as EXPIRED', async () => {
    const created = await createInvoice(1_000, { expiry: 1 });
    await waitFor(async () => {
      const [listed] = (await client.call<{ invoices: Invoice[] }>('ListInvoices', { payment_hash: created.payment_hash })).invoices;
      return listed?.status === 'EXPIRED';
    }, 3_000, 100);
    expect((await payByControl(created.bolt11)).body).toMatchObject({ status: 'failed', error: 'invoice expired' });
  });
});

describe('ListInvoices', () => {
  it('selects by label, by payment_hash, or pages by created index from an inclusive start', async () => {
    const created = [await createInvoice(1), await createInvoice(2), await createInvoice(3)];
    const label = `inv-${labels - 1}`;
    const byLabel = (await client.call<{ invoices: Invoice[] }>('ListInvoices', { label })).invoices;
    expect(byLabel.map((invoice) => hex(invoice.payment_hash))).toEqual([hex(created[1]!.payment_hash)]);
    const byHash = (await client.call<{ invoices: Invoice[] }>('ListInvoices', { payment_hash: created[2]!.payment_hash })).invoices;
    expect(byHash.map((invoice) => invoice.amount_msat?.msat)).toEqual(['3']);
    const page = (
      await client.call<{ invoices: Invoice[] }>('ListInvoices', { index: 'CREATED', start: Number(created[0]!.created_index), limit: 2 })
    ).invoices;
    expect(page.map((invoice) => invoice.created_index)).toEqual([created[0]!.created_index, created[1]!.created_index]);
    expect((await client.call<{ invoices: Invoice[] }>('ListInvoices', { label: 'no-such-label' })).invoices).toEqual([]);
  });

  it('pages paid invoices by updated index', async () => {
    const created = await createInvoice(50);
    await payByControl(created.bolt11);
    const [paid] = (await client.call<{ invoices: Invoice[] }>('ListInvoices', { payment_hash: created.payment_hash })).invoices;
    const updated = (await client.call<{ invoices: Invoice[] }>('ListInvoices', { index: 'UPDATED', start: Number(paid!.updated_index) })).invoices;
    expect(updated.map((invoice) => hex(invoice.payment_hash))).toEqual([hex(created.payment_hash)]);
  });
});

describe('DelInvoice', () => {
  it('answers 905 for an unknown label', async () => {
    expect(clnErrorCode(await rejection(client.call('DelInvoice', { label: 'never-made', status: 'UNPAID' })))).toBe(905);
  });

  it('deletes an unpaid invoice only when told it is unpaid; the label can then be used again', async () => {
    const created = await createInvoice(1_000);
    const label = `inv-${labels}`;
    const wrong = await rejection(client.call('DelInvoice', { label, status: 'PAID' }));
    expect(clnErrorCode(wrong)).toBe(906);
    expect(wrong.details).toContain('Invoice status is unpaid not paid');
    expect(wrong.details).toContain('"current_status": String("unpaid")');
    const deleted = await client.call<Invoice>('DelInvoice', { label, status: 'UNPAID' });
    expect([deleted.status, hex(deleted.payment_hash)]).toEqual(['UNPAID', hex(created.payment_hash)]);
    expect((await client.call<{ invoices: Invoice[] }>('ListInvoices', { label })).invoices).toEqual([]);
    await client.call('Invoice', { label, description: 'again', amount_msat: { any: true } });
  });

  it('refuses to delete a paid invoice as unpaid or expired (906); only status paid removes it', async () => {
    const created = await createInvoice(1_000);
    const label = `inv-${labels}`;
    await payByControl(created.bolt11);
    for (const status of ['UNPAID', 'EXPIRED']) {
      expect(clnErrorCode(await rejection(client.call('DelInvoice', { label, status })))).toBe(906);
    }
    expect((await client.call<{ invoices: Invoice[] }>('ListInvoices', { label })).invoices[0]?.status).toBe('PAID');
    expect((await client.call<Invoice>('DelInvoice', { label, status: 'PAID' })).pay_index).toBeDefined();
  });

  it('with desconly removes only the description, once (908 after)', async () => {
    await createInvoice(1_000);
    const label = `inv-${labels}`;
    await client.call('DelInvoice', { label, status: 'UNPAID', desconly: true });
    const [kept] = (await client.call<{ invoices: Invoice[] }>('ListInvoices', { label })).invoices;
    expect(kept?.description).toBeUndefined();
    expect(clnErrorCode(await rejection(client.call('DelInvoice', { label, status: 'UNPAID', desconly: true })))).toBe(908);
  });
});
