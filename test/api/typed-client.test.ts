import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  collect,
  createClient,
  responseInfo,
  verifyWebhook,
  WebhookVerificationError,
  type LightningPaymentsClient,
} from '../../clients/typescript/src/index.js';
import type { CreatedMerchant } from '../../functions/lib/merchants/create-merchant';
import { signWebhook } from '../../functions/lib/webhooks/signing';
import { useApiHarness } from '../support/api-harness';

/**
 * The smoke path through the published client over real HTTP: what a merchant's code does,
 * typed from docs/openapi.json, so a document that drifts from the API fails here.
 */
describe('typed client against the API', () => {
  const api = useApiHarness();
  let shop: CreatedMerchant;
  let client: LightningPaymentsClient;

  beforeAll(async () => {
    // Like the local stack: a receiver on this machine may be registered.
    process.env.WEBHOOK_ALLOW_HTTP = 'true';
    process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = 'true';
    shop = await api.newMerchant('Typed shop');
    client = createClient({ baseUrl: api.url, apiKey: shop.secret_key });
  });
  afterAll(() => {
    delete process.env.WEBHOOK_ALLOW_HTTP;
    delete process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
  });

  it('walks account → invoice → paid → internal withdrawal → transfer → lists → a verified webhook', async () => {
    const wallet = await client.accounts.create({ external_id: 'user-1', label: 'tips' });
    expect(wallet).toMatchObject({ id: expect.stringMatching(/^acct_/), external_id: 'user-1', balance_msat: 0 });

    const deposit = await client.invoices.create({ amount_msat: 50_000, account_id: wallet.id, reference: 'order-1' });
    expect(deposit).toMatchObject({ status: 'pending', account_id: wallet.id, bolt11: expect.stringMatching(/^lnbcrt/) });
    expect(responseInfo(deposit)).toMatchObject({ status: 201, replayed: false, idempotencyKey: expect.any(String) });

    await api.settleInvoice(deposit.id);
    expect(await client.invoices.get(deposit.id)).toMatchObject({ status: 'paid', amount_paid_msat: 50_000 });
    expect(await client.invoices.getPublic(deposit.id)).toMatchObject({ id: deposit.id, status: 'paid' });
    expect((await client.accounts.get(wallet.id)).balance_msat).toBe(50_000);

    // An invoice of this service: settled internally, so the answer is already final.
    const target = await client.invoices.create({ amount_msat: 10_000 });
    const withdrawal = await client.withdrawals.create({ bolt11: target.bolt11, account_id: wallet.id });
    expect(withdrawal).toMatchObject({ status: 'succeeded', internal: true, fee_msat: 0, amount_msat: 10_000 });
    expect(responseInfo(withdrawal)?.status).toBe(202);
    expect((await client.withdrawals.get(withdrawal.id)).status).toBe('succeeded');

    const transfer = await client.transfers.create({ from_account_id: wallet.id, to_account_id: shop.default_account_id, amount_msat: 5_000, memo: 'rent' });
    expect(await client.transfers.get(transfer.id)).toEqual(transfer);
    expect((await client.accounts.get(wallet.id)).balance_msat).toBe(35_000);
    expect((await client.accounts.get(shop.default_account_id)).balance_msat).toBe(15_000);

    // Pages of one item each: every entry, in the API's order, and they add up to the balance.
    const ledger = await collect(client.accounts.listAllLedger(wallet.id, { limit: 1 }));
    expect(ledger.map((entry) => entry.type).sort()).toEqual(['deposit', 'transfer_out', 'withdrawal']);
    expect(ledger.reduce((sum, entry) => sum + entry.amount_msat, 0)).toBe(35_000);
    const invoices = await collect(client.invoices.listAll({ limit: 1 }));
    expect(invoices.map((invoice) => invoice.id)).toEqual((await client.invoices.list({ limit: 100 })).data.map((invoice) => invoice.id));
    expect(invoices.map((invoice) => invoice.id).sort()).toEqual([deposit.id, target.id].sort());
    expect((await client.invoices.list({ limit: 1 })).has_more).toBe(true);

    // A delivery signed as the webhook worker signs it, verified with the endpoint's secret.
    const endpoint = await client.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hooks', events: ['invoice.paid'] });
    const paid = (await collect(client.events.listAll({ type: 'invoice.paid' }))).find((event) => event.data.object.id === deposit.id);
    expect(paid).toBeDefined();
    const body = JSON.stringify(await client.events.get(paid!.id));
    const verified = verifyWebhook(body, signWebhook(endpoint.secret, paid!.id, new Date(), body), endpoint.secret);
    if (verified.type !== 'invoice.paid') throw new Error(`expected invoice.paid, got ${verified.type}`);
    expect(verified.data.object).toMatchObject({ id: deposit.id, amount_paid_msat: 50_000, account_id: wallet.id });

    const other = await client.webhookEndpoints.create({ url: 'http://127.0.0.1:9/other' });
    expect(() => verifyWebhook(body, signWebhook(other.secret, paid!.id, new Date(), body), endpoint.secret)).toThrow(WebhookVerificationError);
    expect(await client.webhookEndpoints.delete(other.id)).toEqual({ id: other.id, deleted: true });
    expect((await client.webhookEndpoints.list()).data.map((listed) => listed.id)).toEqual([endpoint.id]);
  });

  it('throws typed errors: 404 not_found, 422 insufficient_funds and same_account, 400 with its param, 403 for the invoice key', async () => {
    const notFound = await client.invoices.get('inv_doesnotexist').catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(ApiError);
    expect(notFound).toMatchObject({ status: 404, type: 'not_found', code: 'not_found' });

    const wallet = await client.accounts.create();
    const poor = await client.transfers.create({ from_account_id: wallet.id, to_account_id: shop.default_account_id, amount_msat: 1_000 }).catch((error: unknown) => error);
    expect(poor).toMatchObject({ status: 422, type: 'unprocessable', code: 'insufficient_funds' });
    const same = await client.transfers.create({ from_account_id: wallet.id, to_account_id: wallet.id, amount_msat: 1_000 }).catch((error: unknown) => error);
    expect(same).toMatchObject({ status: 422, code: 'same_account' });

    const garbled = await client.withdrawals.create({ bolt11: 'lnbc-not-an-invoice' }).catch((error: unknown) => error);
    expect(garbled).toMatchObject({ status: 400, type: 'invalid_request', code: 'invalid_bolt11', param: 'bolt11' });

    const invoiceKeyClient = createClient({ baseUrl: api.url, apiKey: shop.invoice_key });
    expect((await invoiceKeyClient.invoices.create({ amount_msat: 2_000 })).status).toBe('pending');
    await expect(invoiceKeyClient.transfers.list()).rejects.toMatchObject({ status: 403, type: 'permission', code: 'permission_denied' });

    const anonymous = createClient({ baseUrl: api.url, apiKey: 'sk_wrong' });
    await expect(anonymous.accounts.list()).rejects.toMatchObject({ status: 401, type: 'authentication' });
    expect((await anonymous.openApiDocument()).openapi).toMatch(/^3\.1\./);
  });

  it('replays a POST sent again with its Idempotency-Key, and refuses the key with another body', async () => {
    const first = await client.invoices.create({ amount_msat: 7_000, reference: 'order-7' }, { idempotencyKey: 'order-7-invoice' });
    const again = await client.invoices.create({ amount_msat: 7_000, reference: 'order-7' }, { idempotencyKey: 'order-7-invoice' });
    expect(again).toEqual(first);
    expect(responseInfo(first)).toMatchObject({ replayed: false, idempotencyKey: 'order-7-invoice' });
    expect(responseInfo(again)).toMatchObject({ status: 201, replayed: true, idempotencyKey: 'order-7-invoice' });

    const reused = await client.invoices.create({ amount_msat: 8_000 }, { idempotencyKey: 'order-7-invoice' }).catch((error: unknown) => error);
    expect(reused).toMatchObject({ status: 422, code: 'idempotency_key_reused', idempotencyKey: 'order-7-invoice' });

    // Without a key of the caller's, each call is its own request: two invoices.
    const one = await client.invoices.create({ amount_msat: 7_000 });
    const two = await client.invoices.create({ amount_msat: 7_000 });
    expect(two.id).not.toBe(one.id);
    expect(responseInfo(two)?.idempotencyKey).not.toBe(responseInfo(one)?.idempotencyKey);
  });
});
