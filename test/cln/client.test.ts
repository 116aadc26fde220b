import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClnClient,
  ClnInvalidParamsError,
  ClnInvoiceStatus,
  ClnUnavailableError,
  DuplicateLabelError,
  DuplicatePreimageError,
  InvoiceNotFoundError,
  InvoiceStatusMismatchError,
  InvoiceWaitTimeoutError,
} from '../../functions/lib/cln';
import { waitFor } from '../lnd/support/streams';
import { clnClientFor } from './support/cln-client';
import { type ClnFixture, startClnFixture } from './support/cln-fixture';

let fixture: ClnFixture;
let cln: ClnClient;
let labels = 0;
const nextLabel = () => `client-${++labels}`;

const payByControl = (bolt11: string, amountMsat?: number) =>
  fixture.control<{ status: string }>('POST', '/pay', { bolt11, ...(amountMsat ? { amount_msat: amountMsat } : {}) });

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  fixture = await startClnFixture();
  cln = clnClientFor(fixture);
});
afterAll(async () => {
  cln.close();
  await fixture.stop();
});

describe('getinfo and listFunds', () => {
  it('getinfo gives our node id as hex, the network and block height', async () => {
    const info = await cln.getinfo();
    expect(info).toMatchObject({ id: fixture.sim.pubkey, network: 'regtest', blockheight: 1000, numActiveChannels: 1, feesCollectedMsat: 0 });
    expect(info.warningBitcoindSync).toBeNull();
    expect(info.version).toMatch(/^v\d+/);
  });

  it('listFunds gives the confirmed output and the channel with its amounts in msat', async () => {
    const funds = await cln.listFunds();
    expect(funds.outputs.map((output) => [output.status, output.amountMsat, output.reserved])).toEqual([['confirmed', 50_000_000_000, false]]);
    const [channel] = funds.channels;
    expect(channel).toMatchObject({ peerId: fixture.sim.peerPubkey, state: 'ChanneldNormal', connected: true });
    expect(channel?.ourAmountMsat).toBeGreaterThan(0);
    expect(channel?.ourAmountMsat).toBeLessThan(channel?.amountMsat ?? 0);
    expect(channel?.fundingTxid).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('invoice', () => {
  it('creates a BOLT11 of our node for the amount, description and expiry asked', async () => {
    const created = await cln.invoice({ label: nextLabel(), amountMsat: 21_000, description: 'coffee', expirySec: 600 });
    expect(created.paymentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(created.createdIndex).toBeGreaterThan(0);
    expect(created.expiresAtSec - Math.floor(Date.now() / 1000)).toBeGreaterThan(590);
    const decoded = await cln.decode(created.bolt11);
    expect(decoded).toMatchObject({ payee: fixture.sim.pubkey, paymentHash: created.paymentHash, amountMsat: 21_000, description: 'coffee', expirySec: 600, descriptionHash: null });
  });

  it('creates an amountless invoice with "any"', async () => {
    const created = await cln.invoice({ label: nextLabel(), amountMsat: 'any', description: 'tip jar' });
    expect((await cln.decode(created.bolt11)).amountMsat).toBeNull();
    const [listed] = await cln.listInvoices({ paymentHash: created.paymentHash });
    expect(listed?.amountMsat).toBeNull();
  });

  it('with deschashonly puts sha256(description) in the BOLT11', async () => {
    const description = '{"tag":"payRequest"}';
    const created = await cln.invoice({ label: nextLabel(), amountMsat: 1_000, description, deschashonly: true });
    const decoded = await cln.decode(created.bolt11);
    expect(decoded.description).toBeNull();
    expect(decoded.descriptionHash).toBe(createHash('sha256').update(description).digest('hex'));
  });

  it('uses the preimage given, and refuses it a second time (DuplicatePreimageError)', async () => {
    const preimage = randomBytes(32).toString('hex');
    const created = await cln.invoice({ label: nextLabel(), amountMsat: 1_000, description: '', preimage });
    expect(created.paymentHash).toBe(createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex'));
    const error = await rejectionOf(cln.invoice({ label: nextLabel(), amountMsat: 1_000, description: '', preimage }));
    expect(error).toBeInstanceOf(DuplicatePreimageError);
  });

  it('refuses a second invoice with the same label (DuplicateLabelError, code 900) and keeps the first', async () => {
    const label = nextLabel();
    const first = await cln.invoice({ label, amountMsat: 5_000, description: 'first' });
    const error = await rejectionOf(cln.invoice({ label, amountMsat: 7_000, description: 'second' }));
    expect(error).toBeInstanceOf(DuplicateLabelError);
    expect(error).toMatchObject({ method: 'Invoice', rpcCode: 900 });
    expect((await cln.listInvoices({ label })).map((invoice) => [invoice.paymentHash, invoice.amountMsat])).toEqual([[first.paymentHash, 5_000]]);
  });

  it('keeps Core Lightning’s wording out of the message (it stays in the cause)', async () => {
    const label = nextLabel();
    await cln.invoice({ label, amountMsat: 1_000, description: '' });
    const error = await rejectionOf(cln.invoice({ label, amountMsat: 1_000, description: '' }));
    expect(error.message).not.toContain('Duplicate label');
    expect(error.message).not.toContain(label);
    expect(String((error.cause as { details: string }).details)).toContain('Duplicate label');
  });

  it('refuses a bad preimage or an empty label before calling the node', async () => {
    await expect(cln.invoice({ label: nextLabel(), amountMsat: 1, description: '', preimage: 'abcd' })).rejects.toThrow(TypeError);
    await expect(cln.invoice({ label: '', amountMsat: 1, description: '' })).rejects.toThrow(TypeError);
  });
});

describe('listInvoices', () => {
  it('finds one invoice by label, by payment hash and by BOLT11, with camelCase fields', async () => {
    const label = nextLabel();
    const created = await cln.invoice({ label, amountMsat: 3_000, description: 'find me' });
    const expected = { label, paymentHash: created.paymentHash, status: ClnInvoiceStatus.Unpaid, amountMsat: 3_000, bolt11: created.bolt11, description: 'find me', payIndex: null, createdIndex: created.createdIndex };
    expect(await cln.listInvoices({ label })).toEqual([expect.objectContaining(expected)]);
    expect(await cln.listInvoices({ paymentHash: created.paymentHash })).toEqual([expect.objectContaining(expected)]);
    expect(await cln.listInvoices({ invstring: created.bolt11 })).toEqual([expect.objectContaining(expected)]);
    expect(await cln.listInvoices({ label: 'no-such-label' })).toEqual([]);
  });

  it('pages by created index: start is inclusive, limit caps the page, oldest first', async () => {
    const made = [];
    for (let i = 0; i < 4; i += 1) made.push(await cln.invoice({ label: nextLabel(), amountMsat: 1_000 + i, description: '' }));
    const start = made[1]?.createdIndex ?? 0;
    const page = await cln.listInvoices({ index: 'created', start, limit: 2 });
    expect(page.map((invoice) => invoice.createdIndex)).toEqual([start, start + 1]);
    expect(page.map((invoice) => invoice.paymentHash)).toEqual([made[1]?.paymentHash, made[2]?.paymentHash]);
    const all = await cln.listInvoices();
    expect(all.length).toBeGreaterThanOrEqual(4);
  });

  it('shows a paid invoice with its pay index, amount received and preimage', async () => {
    const label = nextLabel();
    const created = await cln.invoice({ label, amountMsat: 'any', description: '' });
    expect((await payByControl(created.bolt11, 4_321)).body.status).toBe('settled');
    const [paid] = await cln.listInvoices({ label });
    expect(paid).toMatchObject({ status: 'paid', amountReceivedMsat: 4_321 });
    expect(paid?.payIndex).toBeGreaterThan(0);
    expect(createHash('sha256').update(Buffer.from(paid?.paymentPreimage ?? '', 'hex')).digest('hex')).toBe(created.paymentHash);
    expect(paid?.updatedIndex).toBeGreaterThan(0);
  });
});

describe('delInvoice', () => {
  it('deletes an unpaid invoice named with its status, freeing the label', async () => {
    const label = nextLabel();
    const created = await cln.invoice({ label, amountMsat: 1_000, description: '' });
    const deleted = await cln.delInvoice({ label, status: 'unpaid' });
    expect([deleted.label, deleted.paymentHash, deleted.status]).toEqual([label, created.paymentHash, 'unpaid']);
    expect(await cln.listInvoices({ label })).toEqual([]);
    await cln.invoice({ label, amountMsat: 1_000, description: 'again' });
  });

  it('refuses when the invoice was paid meanwhile (InvoiceStatusMismatchError with the current status)', async () => {
    const label = nextLabel();
    const created = await cln.invoice({ label, amountMsat: 1_000, description: '' });
    await payByControl(created.bolt11);
    const error = await rejectionOf(cln.delInvoice({ label, status: 'unpaid' }));
    expect(error).toBeInstanceOf(InvoiceStatusMismatchError);
    expect((error as InvoiceStatusMismatchError).currentStatus).toBe('paid');
    expect((await cln.listInvoices({ label }))[0]?.status).toBe('paid');
  });

  it('with desconly removes only the description', async () => {
    const label = nextLabel();
    await cln.invoice({ label, amountMsat: 1_000, description: 'secret note' });
    expect((await cln.delInvoice({ label, status: 'unpaid', desconly: true })).label).toBe(label);
    const [kept] = await cln.listInvoices({ label });
    expect([kept?.label, kept?.description]).toEqual([label, null]);
  });

  it('InvoiceNotFoundError for an unknown label (905)', async () => {
    const error = await rejectionOf(cln.delInvoice({ label: 'never-made', status: 'unpaid' }));
    expect(error).toBeInstanceOf(InvoiceNotFoundError);
    expect(error).toMatchObject({ rpcCode: 905 });
  });
});

describe('decode', () => {
  it('ClnInvalidParamsError for a string that is no invoice', async () => {
    const error = await rejectionOf(cln.decode('lnbcrt1garbage'));
    expect(error).toBeInstanceOf(ClnInvalidParamsError);
  });
});

describe('waitAnyInvoice', () => {
  it('resumes by lastpay_index and never skips: pay three, resume from the first, get the second then the third', async () => {
    const before = (await cln.listInvoices()).reduce((max, invoice) => Math.max(max, invoice.payIndex ?? 0), 0);
    const created = [];
    for (let i = 0; i < 3; i += 1) created.push(await cln.invoice({ label: nextLabel(), amountMsat: 1_000, description: `wait ${i}` }));
    for (const invoice of created) await payByControl(invoice.bolt11);

    const first = await cln.waitAnyInvoice({ lastpayIndex: before });
    expect([first.paymentHash, first.payIndex]).toEqual([created[0]?.paymentHash, before + 1]);
    const second = await cln.waitAnyInvoice({ lastpayIndex: first.payIndex ?? 0 });
    const third = await cln.waitAnyInvoice({ lastpayIndex: second.payIndex ?? 0 });
    expect([second, third].map((invoice) => [invoice.paymentHash, invoice.payIndex, invoice.status])).toEqual([
      [created[1]?.paymentHash, before + 2, 'paid'],
      [created[2]?.paymentHash, before + 3, 'paid'],
    ]);
  });

  it('waits for the next payment when none is newer than the cursor', async () => {
    const newest = (await cln.listInvoices()).reduce((max, invoice) => Math.max(max, invoice.payIndex ?? 0), 0);
    const created = await cln.invoice({ label: nextLabel(), amountMsat: 2_000, description: '' });
    const waiting = cln.waitAnyInvoice({ lastpayIndex: newest });
    await waitFor(() => fixture.sim.openCallCount() > 0);
    await payByControl(created.bolt11);
    const paid = await waiting;
    expect([paid.paymentHash, paid.payIndex, paid.amountReceivedMsat]).toEqual([created.paymentHash, newest + 1, 2_000]);
  });

  it('InvoiceWaitTimeoutError after timeoutSec with nothing paid (904)', async () => {
    const error = await rejectionOf(cln.waitAnyInvoice({ lastpayIndex: 1_000_000, timeoutSec: 0 }));
    expect(error).toBeInstanceOf(InvoiceWaitTimeoutError);
    expect(error).toMatchObject({ rpcCode: 904 });
  });

  it('a wait cut by the node is ClnUnavailableError, and waiting again from the same cursor gets the payment', async () => {
    const newest = (await cln.listInvoices()).reduce((max, invoice) => Math.max(max, invoice.payIndex ?? 0), 0);
    const waiting = rejectionOf(cln.waitAnyInvoice({ lastpayIndex: newest }));
    await waitFor(() => fixture.sim.openCallCount() > 0);
    await fixture.control('POST', '/faults', { drop_streams: true });
    expect(await waiting).toBeInstanceOf(ClnUnavailableError);
    const created = await cln.invoice({ label: nextLabel(), amountMsat: 1_500, description: '' });
    await payByControl(created.bolt11);
    expect((await cln.waitAnyInvoice({ lastpayIndex: newest })).paymentHash).toBe(created.paymentHash);
  });

  it('is cancelled by its signal, and the node lets the call go', async () => {
    const controller = new AbortController();
    const waiting = rejectionOf(cln.waitAnyInvoice({ lastpayIndex: 1_000_000 }, { signal: controller.signal }));
    await waitFor(() => fixture.sim.openCallCount() > 0);
    controller.abort();
    expect((await waiting).name).toBe('ClnError');
    await waitFor(() => fixture.sim.openCallCount() === 0);
  });
});
