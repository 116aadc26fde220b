import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  InvoiceState,
  type LndClient,
  LndError,
  NotFoundError,
} from '../../functions/lib/lnd';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';

describe('LndClient invoices against the simulator (gRPC over TLS)', () => {
  let fixture: SimulatorFixture;
  let lnd: LndClient;

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
    lnd = fixture.client('invoice');
  });
  afterAll(() => fixture.stop());

  it('gets node info with the invoice macaroon', async () => {
    const info = await lnd.getInfo();

    expect(info.identityPubkey).toBe(fixture.sim.pubkey);
    expect(info.network).toBe('regtest');
    expect(info.chains).toEqual([{ chain: 'bitcoin', network: 'regtest' }]);
    expect(info.syncedToChain).toBe(true);
    expect(info.blockHeight).toBeGreaterThan(0);
    expect(info.alias).not.toBe('');
  });

  it('adds an invoice and looks it up by hash', async () => {
    const added = await lnd.addInvoice({ valueMsat: 150_000, memo: 'Order 42', expirySec: 3600 });
    const invoice = await lnd.lookupInvoice(added.paymentHash);

    expect(added.paymentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(added.paymentAddr).toMatch(/^[0-9a-f]{64}$/);
    expect(added.addIndex).toBeGreaterThan(0);
    expect(invoice).toMatchObject({
      paymentHash: added.paymentHash,
      paymentRequest: added.paymentRequest,
      memo: 'Order 42',
      valueMsat: 150_000,
      amountPaidMsat: 0,
      state: InvoiceState.Open,
      expirySec: 3600,
      addIndex: added.addIndex,
      settleIndex: 0,
      settleDateSec: null,
      paymentAddr: added.paymentAddr,
    });
    expect(createHash('sha256').update(Buffer.from(invoice.preimage ?? '', 'hex')).digest('hex')).toBe(added.paymentHash);
  });

  it('uses LND’s default expiry of 86,400 s and keeps a description hash', async () => {
    const descriptionHash = createHash('sha256').update('terms').digest('hex');
    const added = await lnd.addInvoice({ valueMsat: 1_000, descriptionHash });
    const invoice = await lnd.lookupInvoice(added.paymentHash);

    expect(invoice.expirySec).toBe(86_400);
    expect(invoice.descriptionHash).toBe(descriptionHash);
  });

  it('reports amt_paid_msat of an overpaid invoice once it settles', async () => {
    const added = await lnd.addInvoice({ valueMsat: 10_000 });

    expect(fixture.sim.payInvoice(added.paymentRequest, 12_345).status).toBe('settled');
    const invoice = await lnd.lookupInvoice(added.paymentHash);

    expect(invoice.state).toBe(InvoiceState.Settled);
    expect(invoice.amountPaidMsat).toBe(12_345);
    expect(invoice.settleIndex).toBeGreaterThan(0);
    expect(invoice.settleDateSec).not.toBeNull();
  });

  it('cancels an open invoice, twice without error, and then refuses HTLCs for it', async () => {
    const added = await lnd.addInvoice({ valueMsat: 5_000 });

    await lnd.cancelInvoice(added.paymentHash);
    await lnd.cancelInvoice(added.paymentHash);

    expect((await lnd.lookupInvoice(added.paymentHash)).state).toBe(InvoiceState.Canceled);
    expect(fixture.sim.payInvoice(added.paymentRequest)).toMatchObject({ status: 'failed', error: 'invoice canceled' });
  });

  it('refuses to cancel a settled invoice with InvoiceAlreadySettledError', async () => {
    const added = await lnd.addInvoice({ valueMsat: 5_000 });
    fixture.sim.payInvoice(added.paymentRequest);

    await expect(lnd.cancelInvoice(added.paymentHash)).rejects.toBeInstanceOf(InvoiceAlreadySettledError);
  });

  it('maps an unknown hash to NotFoundError for lookup and cancel', async () => {
    const unknownHash = randomBytes(32).toString('hex');

    await expect(lnd.lookupInvoice(unknownHash)).rejects.toBeInstanceOf(NotFoundError);
    await expect(lnd.cancelInvoice(unknownHash)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('maps a reused preimage to DuplicateInvoiceError', async () => {
    const preimage = randomBytes(32).toString('hex');
    await lnd.addInvoice({ valueMsat: 1_000, preimage });

    const duplicate = lnd.addInvoice({ valueMsat: 2_000, preimage });

    await expect(duplicate).rejects.toBeInstanceOf(DuplicateInvoiceError);
    await expect(duplicate).rejects.toThrow('invoice with payment hash already exists');
  });

  it('cancels an OPEN invoice when its expiry passes and refuses to settle it', async () => {
    const added = await lnd.addInvoice({ valueMsat: 1_000, expirySec: 1 });

    const deadline = Date.now() + 3_000;
    let state = (await lnd.lookupInvoice(added.paymentHash)).state;
    while (state === InvoiceState.Open && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = (await lnd.lookupInvoice(added.paymentHash)).state;
    }

    expect(state).toBe(InvoiceState.Canceled);
    expect(fixture.sim.payInvoice(added.paymentRequest)).toMatchObject({ status: 'failed', error: 'invoice expired' });
  });

  it('settles an amountless invoice with whatever arrives', async () => {
    const added = await lnd.addInvoice({ valueMsat: 0 });

    expect(fixture.sim.payInvoice(added.paymentRequest)).toMatchObject({ status: 'failed' });
    expect(fixture.sim.payInvoice(added.paymentRequest, 1).status).toBe('settled');
    expect((await lnd.lookupInvoice(added.paymentHash)).amountPaidMsat).toBe(1);
  });

  it('refuses a payment below the invoice amount', async () => {
    const added = await lnd.addInvoice({ valueMsat: 10_000 });

    expect(fixture.sim.payInvoice(added.paymentRequest, 9_999)).toMatchObject({ status: 'failed' });
    expect((await lnd.lookupInvoice(added.paymentHash)).state).toBe(InvoiceState.Open);
  });

  it('decodes a payment request through the node', async () => {
    const added = await lnd.addInvoice({ valueMsat: 21_000, memo: 'coffee' });

    const decoded = await fixture.client('admin').decodePaymentRequest(added.paymentRequest);

    expect(decoded).toMatchObject({
      destination: fixture.sim.pubkey,
      paymentHash: added.paymentHash,
      amountMsat: 21_000,
      description: 'coffee',
      paymentAddr: added.paymentAddr,
    });
  });

  it('maps other refusals to a plain LndError carrying LND’s text', async () => {
    const error = await lnd.addInvoice({ valueMsat: 1_000, memo: 'x'.repeat(1_025) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LndError);
    expect((error as LndError).name).toBe('LndError');
    expect((error as LndError).details).toBe('memo too large: 1025 bytes (maxsize=1024)');
  });

  it('refuses out-of-range amounts before calling the node', async () => {
    await expect(lnd.addInvoice({ valueMsat: 2 ** 53 })).rejects.toThrow(RangeError);
    await expect(lnd.addInvoice({ valueMsat: -1 })).rejects.toThrow(RangeError);
  });
});
