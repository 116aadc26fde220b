import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createAccount } from '../../functions/lib/accounts/repository';
import { IdPrefix, newId } from '../../functions/lib/ids';
import { insertInvoice } from '../../functions/lib/invoices/repository';
import type { InvoiceItem } from '../../functions/lib/invoices/invoice';
import { creditInvoiceSettlement } from '../../functions/lib/ledger/credit-invoice-settlement';
import { debitWithdrawal } from '../../functions/lib/ledger/debit-withdrawal';
import { failWithdrawal, settleWithdrawal } from '../../functions/lib/ledger/finish-withdrawal';
import { markWithdrawalInFlight } from '../../functions/lib/withdrawals/repository';
import { payInternally } from '../../functions/lib/ledger/pay-internally';
import { transfer } from '../../functions/lib/ledger/transfer';
import { createMerchant } from '../../functions/lib/merchants/create-merchant';
import type { Table } from '../../functions/lib/table/client';
import { Entity, keys } from '../../functions/lib/table/keys';
import { randomHash } from '../support/ledger-fixtures';

/*
 * A small but complete history, made with the real ledger operations on DynamoDB Local, at
 * fixed times over three UTC days so the daily report and the open items are predictable.
 * Every amount below is what the report must find, to the msat.
 */

export const DAY1 = '2026-03-01';
export const DAY2 = '2026-03-02';
export const DAY3 = '2026-03-03';
export const EXPORT_TIME = new Date(`${DAY3}T12:00:00.000Z`);
const at = (day: string, time: string) => new Date(`${day}T${time}:00.000Z`);

export interface Scenario {
  shop: { merchantId: string; defaultAccountId: string; secondAccountId: string };
  other: { merchantId: string; defaultAccountId: string };
  ids: Record<string, string>;
  /** What the report must find. */
  expected: {
    balances: Record<string, number>;
    deposits: number;
    depositCount: number;
    withdrawalsNotFailed: number;
    feesPaid: number;
    reservesHeld: number;
    ledgerEntries: number;
  };
}

async function paidInvoice(table: Table, input: { merchantId: string; accountId: string; amountMsat: number; paidMsat?: number; createdAt: Date; expiresAt?: Date; paidAt: Date }) {
  const invoice = await newInvoice(table, { ...input, expiresAt: input.expiresAt ?? new Date(input.createdAt.getTime() + 3_600_000) });
  await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: input.paidMsat ?? input.amountMsat, settledAt: input.paidAt }, input.paidAt);
  return invoice;
}

async function newInvoice(table: Table, input: { merchantId: string; accountId: string; amountMsat: number; createdAt: Date; expiresAt: Date }): Promise<InvoiceItem> {
  const id = newId(IdPrefix.invoice, input.createdAt.getTime());
  return insertInvoice(table, {
    id,
    merchantId: input.merchantId,
    accountId: input.accountId,
    amountMsat: input.amountMsat,
    bolt11: `lnbcrt-test-${id}`,
    paymentHash: randomHash(),
    expiresAt: input.expiresAt.toISOString(),
    checkoutUrl: `http://localhost/checkout/${id}`,
    createdAt: input.createdAt.toISOString(),
  });
}

function withdrawalOf(merchantId: string, accountId: string, amountMsat: number, feeReserveMsat: number, createdAt: Date) {
  return {
    id: newId(IdPrefix.withdrawal, createdAt.getTime()),
    merchantId,
    accountId,
    amountMsat,
    feeReserveMsat,
    paymentHash: randomHash(),
    bolt11: 'lnbcrt-test',
    createdAt: createdAt.toISOString(),
  };
}

export async function runLedgerScenario(table: Table): Promise<Scenario> {
  // A name with a comma and quotes, an external id with a comma, a label with a line break: CSV quoting.
  const shopCreated = await createMerchant(table, { name: 'Shop, "Best" Ltd', now: at(DAY1, '08:00') });
  const otherCreated = await createMerchant(table, { name: 'Other', now: at(DAY1, '08:00') });
  const second = await createAccount(table, { merchantId: shopCreated.merchant_id, externalId: 'tg:1,2', label: 'tips\nbot', now: at(DAY1, '08:05') });
  const shop = { merchantId: shopCreated.merchant_id, defaultAccountId: shopCreated.default_account_id, secondAccountId: second.id };
  const other = { merchantId: otherCreated.merchant_id, defaultAccountId: otherCreated.default_account_id };

  const inv1 = await paidInvoice(table, { merchantId: shop.merchantId, accountId: shop.defaultAccountId, amountMsat: 1_000_000, createdAt: at(DAY1, '08:55'), paidAt: at(DAY1, '09:00') });
  const inv2 = await paidInvoice(table, { merchantId: shop.merchantId, accountId: shop.secondAccountId, amountMsat: 500_000, createdAt: at(DAY1, '09:55'), paidAt: at(DAY1, '10:00') });
  const inv3 = await paidInvoice(table, { merchantId: other.merchantId, accountId: other.defaultAccountId, amountMsat: 300_000, createdAt: at(DAY1, '10:55'), paidAt: at(DAY1, '11:00') });

  // Succeeded with a fee below the reserve: 7,000 msat of the reserve comes back on day 2.
  const wd1 = await debitWithdrawal(table, withdrawalOf(shop.merchantId, shop.defaultAccountId, 100_000, 10_000, at(DAY1, '12:00')));
  await markWithdrawalInFlight(table, wd1.id);
  await settleWithdrawal(table, { withdrawalId: wd1.id, feeMsat: 3_000, preimage: randomHash(), settledAt: at(DAY2, '01:00') }, at(DAY2, '01:00'));
  // Failed: amount and reserve come back.
  const wd2 = await debitWithdrawal(table, withdrawalOf(shop.merchantId, shop.defaultAccountId, 50_000, 5_000, at(DAY2, '09:00')));
  await failWithdrawal(table, { withdrawalId: wd2.id, failureReason: 'no_route', failedAt: at(DAY2, '09:30') }, at(DAY2, '09:30'));
  // Succeeded with the whole reserve spent on fees: no fee_refund entry.
  const wd5 = await debitWithdrawal(table, withdrawalOf(shop.merchantId, shop.defaultAccountId, 30_000, 2_000, at(DAY2, '14:00')));
  await settleWithdrawal(table, { withdrawalId: wd5.id, feeMsat: 2_000, preimage: randomHash(), settledAt: at(DAY2, '14:05') }, at(DAY2, '14:05'));
  // In flight for three hours at export time: an open item.
  const wd3 = await debitWithdrawal(table, withdrawalOf(shop.merchantId, shop.secondAccountId, 20_000, 1_000, at(DAY3, '09:00')));
  await markWithdrawalInFlight(table, wd3.id);
  // Pending for half an hour: not yet an open item.
  const wd4 = await debitWithdrawal(table, withdrawalOf(shop.merchantId, shop.secondAccountId, 10_000, 0, at(DAY3, '11:30')));

  const tr1 = await transfer(table, {
    id: newId(IdPrefix.transfer, at(DAY2, '15:00').getTime()),
    merchantId: shop.merchantId,
    fromAccountId: shop.defaultAccountId,
    toAccountId: shop.secondAccountId,
    amountMsat: 40_000,
    createdAt: at(DAY2, '15:00').toISOString(),
  });

  // The shop pays the other merchant's invoice internally; the node settles it anyway later: a late deposit.
  const inv4 = await newInvoice(table, { merchantId: other.merchantId, accountId: other.defaultAccountId, amountMsat: 25_000, createdAt: at(DAY2, '16:00'), expiresAt: at(DAY2, '17:00') });
  const internal = await payInternally(table, {
    withdrawalId: newId(IdPrefix.withdrawal, at(DAY2, '16:30').getTime()),
    merchantId: shop.merchantId,
    accountId: shop.defaultAccountId,
    invoiceId: inv4.id,
    amountMsat: 25_000,
    bolt11: inv4.bolt11,
    createdAt: at(DAY2, '16:30').toISOString(),
  });
  await creditInvoiceSettlement(table, { invoiceId: inv4.id, amountPaidMsat: 25_000, settledAt: at(DAY2, '18:00') }, at(DAY2, '18:00'));

  // Paid two days after it expired, and overpaid: an open item, credited with what arrived.
  const inv5 = await paidInvoice(table, {
    merchantId: other.merchantId,
    accountId: other.defaultAccountId,
    amountMsat: 12_345,
    paidMsat: 13_000,
    createdAt: at(DAY1, '00:00'),
    expiresAt: at(DAY1, '01:00'),
    paidAt: at(DAY3, '08:00'),
  });
  // Never paid.
  const inv6 = await newInvoice(table, { merchantId: shop.merchantId, accountId: shop.defaultAccountId, amountMsat: 5_000, createdAt: at(DAY3, '10:00'), expiresAt: at(DAY3, '23:00') });

  const webhooks = await writeWebhookDeliveries(table, shop.merchantId);

  return {
    shop,
    other,
    ids: { inv1: inv1.id, inv2: inv2.id, inv3: inv3.id, inv4: inv4.id, inv5: inv5.id, inv6: inv6.id, wd1: wd1.id, wd2: wd2.id, wd3: wd3.id, wd4: wd4.id, wd5: wd5.id, wd6: internal.withdrawal.id, tr1: tr1.id, ...webhooks },
    expected: {
      balances: {
        // 1,000,000 − 110,000 + 7,000 − 55,000 + 55,000 − 32,000 − 40,000 − 25,000
        [shop.defaultAccountId]: 800_000,
        // 500,000 − 21,000 − 10,000 + 40,000
        [shop.secondAccountId]: 509_000,
        // 300,000 + 25,000 + 25,000 + 13,000
        [other.defaultAccountId]: 363_000,
      },
      deposits: 1_863_000,
      depositCount: 6,
      // wd1 100,000 + wd3 20,000 + wd4 10,000 + wd5 30,000 + internal 25,000
      withdrawalsNotFailed: 185_000,
      feesPaid: 5_000,
      reservesHeld: 1_000,
      // deposits 6; wd1 3; wd2 4; wd5 2; wd3 2; wd4 1; transfer 2; internal withdrawal 1
      ledgerEntries: 21,
    },
  };
}

/**
 * Webhook delivery attempts as SINGLE-TABLE.md stores them (no helper writes them yet):
 * one delivery whose last attempt failed (an open item), one that failed then succeeded,
 * and one that succeeded at once.
 */
async function writeWebhookDeliveries(table: Table, merchantId: string): Promise<Record<string, string>> {
  const endpointId = newId(IdPrefix.webhookEndpoint, at(DAY1, '08:10').getTime());
  await put(table, {
    ...keys.webhookEndpoint(endpointId),
    entity: Entity.webhookEndpoint,
    id: endpointId,
    merchant_id: merchantId,
    url: 'https://shop.example/hooks',
    events: ['invoice.paid'],
    created_at: at(DAY1, '08:10').toISOString(),
    gsi1pk: `MERCHANT#${merchantId}#WEBHOOK_ENDPOINTS`,
    gsi1sk: endpointId,
  });
  const failing = newId(IdPrefix.event, at(DAY1, '09:00').getTime());
  const recovered = newId(IdPrefix.event, at(DAY1, '10:00').getTime());
  const delivered = newId(IdPrefix.event, at(DAY1, '11:00').getTime());
  const attempt = async (eventId: string, number: number, status: 'succeeded' | 'failed', time: Date, responseStatus: number | null, error: string | null) =>
    put(table, {
      ...keys.webhookDelivery(eventId, endpointId, number),
      entity: Entity.webhookDelivery,
      id: newId(IdPrefix.delivery, time.getTime()),
      event_id: eventId,
      endpoint_id: endpointId,
      attempt: number,
      attempted_at: time.toISOString(),
      status,
      response_status: responseStatus,
      duration_ms: 120,
      error,
    });
  await attempt(failing, 1, 'failed', at(DAY1, '09:00'), 500, null);
  await attempt(failing, 2, 'failed', at(DAY1, '09:01'), null, 'connect ECONNREFUSED, "retrying"');
  await attempt(recovered, 1, 'failed', at(DAY1, '10:00'), 503, null);
  await attempt(recovered, 2, 'succeeded', at(DAY1, '10:01'), 200, null);
  await attempt(delivered, 1, 'succeeded', at(DAY1, '11:00'), 200, null);
  return { endpoint: endpointId, failingEvent: failing, recoveredEvent: recovered, deliveredEvent: delivered };
}

async function put(table: Table, item: Record<string, unknown>): Promise<void> {
  await table.doc.send(new PutCommand({ TableName: table.name, Item: item }));
}
