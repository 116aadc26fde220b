import { describe, expect, it } from 'vitest';
import { allLedgerEntries } from '../../functions/lib/accounts/repository';
import { creditInvoiceSettlement } from '../../functions/lib/ledger/credit-invoice-settlement';
import { useApiHarness, type ApiHarness } from '../support/api-harness';
import { signInvoice } from '../support/bolt11-fixtures';
import { expectLedgerConsistent, readAccount } from '../support/ledger-fixtures';

async function fundedShop(api: ApiHarness, amountMsat = 1_000_000) {
  const shop = await api.newMerchant();
  await api.fund(shop.secret_key, shop.default_account_id, amountMsat);
  return shop;
}

describe('withdrawals', () => {
  const api = useApiHarness();
  const withdraw = (key: string, body: Record<string, unknown>) => api.request('POST', '/v1/withdrawals', { key, body });

  describe('POST /v1/withdrawals to an outside node', () => {
    it('debits amount + default fee reserve and answers 202 pending', async () => {
      const shop = await fundedShop(api);
      const payee = api.simulator.createOutsideInvoice({ amountMsat: 50_000 });
      const reply = await withdraw(shop.secret_key, { bolt11: payee.bolt11 });
      expect(reply.status, reply.text).toBe(202);
      expect(reply.body).toEqual({
        id: expect.stringMatching(/^wd_/),
        account_id: shop.default_account_id,
        status: 'pending',
        amount_msat: 50_000,
        fee_reserve_msat: 10_000,
        fee_msat: null,
        payment_hash: payee.paymentHash,
        preimage: null,
        failure_reason: null,
        internal: false,
        created_at: expect.any(String),
        completed_at: null,
      });
      expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(940_000);
      const entries = await allLedgerEntries(api.table, shop.default_account_id);
      const debits = entries.filter((entry) => entry.reference_id === reply.body.id).map((entry) => [entry.type, entry.amount_msat]);
      expect(debits).toHaveLength(2);
      expect(debits).toEqual(expect.arrayContaining([['withdrawal', -50_000], ['fee_reserve', -10_000]]));
      expect((await api.request('GET', `/v1/withdrawals/${reply.body.id}`, { key: shop.secret_key })).body).toEqual(reply.body);
      const listed = await api.request('GET', `/v1/withdrawals?status=pending&account_id=${shop.default_account_id}`, { key: shop.secret_key });
      expect(listed.body).toEqual({ data: [reply.body], has_more: false, next_cursor: null });
      expect((await api.request('GET', '/v1/withdrawals?status=succeeded', { key: shop.secret_key })).body.data).toEqual([]);
    });

    it('reserves 1% (rounded up) above 1,000,000 msat, or exactly max_fee_msat when given', async () => {
      const shop = await fundedShop(api, 10_000_000);
      const big = await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 2_000_001 }).bolt11 });
      expect(big.body.fee_reserve_msat).toBe(20_001);
      const capped = await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 100_000 }).bolt11, max_fee_msat: 0 });
      expect(capped.status).toBe(202);
      expect(capped.body.fee_reserve_msat).toBe(0);
      const generous = await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 100_000 }).bolt11, max_fee_msat: 100_000 });
      expect(generous.body.fee_reserve_msat).toBe(100_000);
      for (const maxFee of [100_001, -1]) {
        const refused = await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 100_000 }).bolt11, max_fee_msat: maxFee });
        expect(refused.status).toBe(400);
        expect(refused.body.error).toMatchObject({ code: 'amount_out_of_range', param: 'max_fee_msat' });
      }
      await expectLedgerConsistent(api.table, [shop.default_account_id]);
    });

    it('refuses what the balance cannot cover, fee reserve included (422 insufficient_funds)', async () => {
      const shop = await fundedShop(api, 60_000);
      const reply = await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 50_001 }).bolt11 });
      expect(reply.status).toBe(422);
      expect(reply.body.error).toMatchObject({ type: 'unprocessable', code: 'insufficient_funds' });
      expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(60_000);
      expect((await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 50_000 }).bolt11 })).status).toBe(202);
      expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(0);
    });

    it('pays a payment hash at most once: 409 already_paid while the first is pending', async () => {
      const shop = await fundedShop(api);
      const payee = api.simulator.createOutsideInvoice({ amountMsat: 20_000 });
      expect((await withdraw(shop.secret_key, { bolt11: payee.bolt11 })).status).toBe(202);
      const again = await withdraw(shop.secret_key, { bolt11: payee.bolt11 });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ type: 'conflict', code: 'already_paid', param: 'bolt11' });
      const otherShop = await fundedShop(api);
      expect((await withdraw(otherShop.secret_key, { bolt11: payee.bolt11 })).body.error.code).toBe('already_paid');
      expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(970_000);
    });

    it('uses account_id when given, 404 when it is not the merchant’s, 403 for the invoice key', async () => {
      const shop = await fundedShop(api);
      const other = await api.newMerchant();
      const foreign = await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 1_000 }).bolt11, account_id: other.default_account_id });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error).toMatchObject({ code: 'not_found', param: 'account_id' });
      const invoiceKey = await withdraw(shop.invoice_key, { bolt11: signInvoice({ amountMsat: 1_000 }).bolt11 });
      expect(invoiceKey.status).toBe(403);
      expect(invoiceKey.body.error.code).toBe('permission_denied');
    });
  });

  describe('BOLT11 checks, in the contract’s order', () => {
    const expectRefusal = (reply: { status: number; body: any }, code: string, param: string) => {
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ type: 'invalid_request', code, param });
    };

    it('invalid_bolt11 for garbage, a broken checksum, an unknown network', async () => {
      const shop = await fundedShop(api, 100_000);
      const valid = signInvoice({ amountMsat: 1_000 }).bolt11;
      for (const garbage of ['hello', 'lnbcrt1', 'lnbc1qqqqqqqq', `${valid.slice(0, -1)}${valid.endsWith('q') ? 'p' : 'q'}`, valid.replace(/^lnbcrt/, 'lnxy'), `lightning:${valid}`, ' ']) {
        expectRefusal(await withdraw(shop.secret_key, { bolt11: garbage }), 'invalid_bolt11', 'bolt11');
      }
      expect((await withdraw(shop.secret_key, { bolt11: '' })).body.error).toMatchObject({ code: 'validation_failed', param: 'bolt11' });
      expect((await withdraw(shop.secret_key, { bolt11: 42 })).body.error).toMatchObject({ code: 'validation_failed', param: 'bolt11' });
      expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(100_000);
    });

    it('wrong_network for a mainnet or testnet invoice on a regtest node, before expiry and amount', async () => {
      const shop = await fundedShop(api, 100_000);
      expectRefusal(await withdraw(shop.secret_key, { bolt11: signInvoice({ network: 'mainnet', amountMsat: 5_000 }).bolt11 }), 'wrong_network', 'bolt11');
      expectRefusal(await withdraw(shop.secret_key, { bolt11: signInvoice({ network: 'testnet', amountMsat: 5_000 }).bolt11 }), 'wrong_network', 'bolt11');
      const expiredAmountlessMainnet = signInvoice({ network: 'mainnet', timestampSec: 1_000_000, expirySec: 60 }).bolt11;
      expectRefusal(await withdraw(shop.secret_key, { bolt11: expiredAmountlessMainnet }), 'wrong_network', 'bolt11');
    });

    it('invoice_expired for an invoice past its expiry (or BOLT11’s default of 3,600 s), before the amount checks', async () => {
      const shop = await fundedShop(api, 100_000);
      const nowSec = Math.floor(Date.now() / 1000);
      expectRefusal(await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 5_000, timestampSec: nowSec - 120, expirySec: 60 }).bolt11 }), 'invoice_expired', 'bolt11');
      expectRefusal(await withdraw(shop.secret_key, { bolt11: signInvoice({ timestampSec: nowSec - 120, expirySec: 60 }).bolt11 }), 'invoice_expired', 'bolt11');
      expectRefusal(
        await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 5_000, timestampSec: nowSec - 120, expirySec: 60 }).bolt11, amount_msat: 6_000 }),
        'invoice_expired',
        'bolt11',
      );
      expectRefusal(await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 5_000, timestampSec: nowSec - 3_601, expirySec: null }).bolt11 }), 'invoice_expired', 'bolt11');
      expect((await withdraw(shop.secret_key, { bolt11: signInvoice({ amountMsat: 5_000, timestampSec: nowSec - 3_000, expirySec: null }).bolt11 })).status).toBe(202);
    });

    it('amount_required for an amountless invoice without amount_msat; with it, that amount is paid', async () => {
      const shop = await fundedShop(api, 100_000);
      const amountless = signInvoice();
      expectRefusal(await withdraw(shop.secret_key, { bolt11: amountless.bolt11 }), 'amount_required', 'amount_msat');
      const paid = await withdraw(shop.secret_key, { bolt11: amountless.bolt11, amount_msat: 7_000 });
      expect(paid.status).toBe(202);
      expect(paid.body).toMatchObject({ amount_msat: 7_000, fee_reserve_msat: 10_000, payment_hash: amountless.paymentHash });
    });

    it('amount_mismatch when amount_msat disagrees with the invoice; agreeing is fine', async () => {
      const shop = await fundedShop(api, 100_000);
      const invoice = signInvoice({ amountMsat: 5_000 });
      expectRefusal(await withdraw(shop.secret_key, { bolt11: invoice.bolt11, amount_msat: 5_001 }), 'amount_mismatch', 'amount_msat');
      expect((await withdraw(shop.secret_key, { bolt11: invoice.bolt11, amount_msat: 5_000 })).status).toBe(202);
    });
  });

  describe('an invoice of this service’s own node', () => {
    it('is settled internally at once: succeeded, internal, no fee, both ledgers, invoice paid and cancelled on the node', async () => {
      const payee = await api.newMerchant('Payee');
      const payer = await fundedShop(api, 100_000);
      const invoice = (await api.request('POST', '/v1/invoices', { key: payee.invoice_key, body: { amount_msat: 25_000, memo: 'tip' } })).body;

      const reply = await withdraw(payer.secret_key, { bolt11: invoice.bolt11 });
      expect(reply.status, reply.text).toBe(202);
      expect(reply.body).toMatchObject({
        status: 'succeeded',
        internal: true,
        amount_msat: 25_000,
        fee_reserve_msat: 0,
        fee_msat: 0,
        payment_hash: invoice.payment_hash,
        // LND tells an open invoice's preimage; Core Lightning only a paid one's, and the node
        // never saw this invoice paid.
        preimage: api.simulator.backend === 'cln' ? null : expect.stringMatching(/^[0-9a-f]{64}$/),
        completed_at: expect.any(String),
      });

      expect((await readAccount(api.table, payer.default_account_id)).balance_msat).toBe(75_000);
      expect((await readAccount(api.table, payee.default_account_id)).balance_msat).toBe(25_000);
      const payerLedger = (await api.request('GET', `/v1/accounts/${payer.default_account_id}/ledger`, { key: payer.secret_key })).body.data;
      expect(payerLedger[0]).toMatchObject({ type: 'withdrawal', amount_msat: -25_000, reference_id: reply.body.id });
      const payeeLedger = (await api.request('GET', `/v1/accounts/${payee.default_account_id}/ledger`, { key: payee.secret_key })).body.data;
      expect(payeeLedger).toEqual([expect.objectContaining({ type: 'deposit', amount_msat: 25_000, reference_id: invoice.id })]);
      const paid = (await api.request('GET', `/v1/invoices/${invoice.id}`, { key: payee.secret_key })).body;
      expect(paid).toMatchObject({ status: 'paid', amount_paid_msat: 25_000 });
      // LND keeps a canceled invoice; Core Lightning's DelInvoice removes it.
      const onNode = await api.node.lookupInvoice(invoice.payment_hash);
      if (api.simulator.backend === 'cln') expect(onNode).toBeUndefined();
      else expect(onNode?.state).toBe('canceled');
      // Nobody outside can pay it any more, and we never sent a Lightning payment for it.
      expect(api.simulator.payInvoice(invoice.bolt11).status).toBe('failed');
      expect(api.simulator.paymentAttempts(invoice.payment_hash).attempts).toBe(0);

      const again = await withdraw(payer.secret_key, { bolt11: invoice.bolt11 });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('already_paid');
      await expectLedgerConsistent(api.table, [payer.default_account_id, payee.default_account_id]);
    });

    it('refuses an account paying its own invoice (422 same_account) and too little balance (422 insufficient_funds)', async () => {
      const shop = await fundedShop(api, 30_000);
      const own = (await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 10_000 } })).body;
      const selfPay = await withdraw(shop.secret_key, { bolt11: own.bolt11 });
      expect(selfPay.status).toBe(422);
      expect(selfPay.body.error.code).toBe('same_account');
      const payee = await api.newMerchant();
      const big = (await api.request('POST', '/v1/invoices', { key: payee.secret_key, body: { amount_msat: 30_001 } })).body;
      const poor = await withdraw(shop.secret_key, { bolt11: big.bolt11 });
      expect(poor.status).toBe(422);
      expect(poor.body.error.code).toBe('insufficient_funds');
      expect((await api.request('GET', `/v1/invoices/${big.id}`, { key: payee.secret_key })).body.status).toBe('pending');
      expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(30_000);
    });

    it('refuses an invoice our node issued outside this service (no record to credit)', async () => {
      const shop = await fundedShop(api, 100_000);
      const stray = await api.node.createInvoice({ label: 'stray', amountMsat: 5_000, expirySec: 600 });
      const reply = await withdraw(shop.secret_key, { bolt11: stray.bolt11 });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'invalid_bolt11', param: 'bolt11' });
      expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(100_000);
    });

    it('a settlement on the node after all (the cancel lost the race) is a separate deposit the event list shows', async () => {
      const payee = await api.newMerchant('Payee');
      const payer = await fundedShop(api, 100_000);
      const invoice = (await api.request('POST', '/v1/invoices', { key: payee.secret_key, body: { amount_msat: 7_000 } })).body;
      expect((await withdraw(payer.secret_key, { bolt11: invoice.bolt11 })).status).toBe(202);

      // What the settle consumer does when the node reports the invoice settled anyway.
      await creditInvoiceSettlement(api.table, { invoiceId: invoice.id, amountPaidMsat: 7_000, settledAt: new Date() });

      const events = (await api.request('GET', '/v1/events?type=invoice.paid', { key: payee.secret_key })).body.data;
      expect(events).toHaveLength(2);
      expect(events[0].data.object).toMatchObject({ id: invoice.id, amount_paid_msat: 7_000, late_settlement_msat: 7_000, late_settled_at: expect.any(String) });
      expect((await api.request('GET', `/v1/invoices/${invoice.id}`, { key: payee.secret_key })).body).toMatchObject({ late_settlement_msat: 7_000 });
      expect((await readAccount(api.table, payee.default_account_id)).balance_msat).toBe(14_000);
    });
  });
});
