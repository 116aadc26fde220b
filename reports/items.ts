import * as z from 'zod';
import type { AccountItem } from '../functions/lib/accounts/account';
import type { InvoiceItem } from '../functions/lib/invoices/invoice';
import type { LedgerEntryItem } from '../functions/lib/ledger/ledger-entry';
import { LedgerEntryType } from '../functions/lib/ledger/ledger-entry';
import type { MerchantItem } from '../functions/lib/merchants/merchant';
import { msatFromDecimalString } from '../functions/lib/money';
import { Entity } from '../functions/lib/table/keys';
import type { TransferItem } from '../functions/lib/transfers/transfer';
import type { WithdrawalItem } from '../functions/lib/withdrawals/withdrawal';
import { DynamoNumber, type NativeItem } from './dynamodb-json';

/*
 * The items the reports read, decoded with the fields they need and nothing else. Every
 * record type is a Pick of the table's own *Item type, so a renamed field breaks the build
 * here rather than the numbers in a report.
 */

export type AccountRecord = Pick<AccountItem, 'id' | 'merchant_id' | 'balance_msat' | 'external_id' | 'label' | 'created_at'>;
export type LedgerEntryRecord = Pick<LedgerEntryItem, 'id' | 'account_id' | 'merchant_id' | 'type' | 'amount_msat' | 'reference_id' | 'created_at'>;
export type InvoiceRecord = Pick<
  InvoiceItem,
  'id' | 'merchant_id' | 'account_id' | 'status' | 'amount_msat' | 'amount_paid_msat' | 'expires_at' | 'paid_at' | 'created_at' | 'paid_internally' | 'late_settlement_msat' | 'late_settled_at'
>;
export type WithdrawalRecord = Pick<
  WithdrawalItem,
  'id' | 'merchant_id' | 'account_id' | 'status' | 'amount_msat' | 'fee_reserve_msat' | 'fee_msat' | 'payment_hash' | 'internal' | 'created_at' | 'completed_at'
>;
export type TransferRecord = Pick<TransferItem, 'id' | 'merchant_id' | 'from_account_id' | 'to_account_id' | 'amount_msat' | 'created_at'>;
export type MerchantRecord = Pick<MerchantItem, 'id' | 'name'>;
/** No item type exists for these yet in functions/lib; the fields follow SINGLE-TABLE.md and API.md. */
export interface WebhookEndpointRecord {
  id: string;
  merchant_id: string | null;
}
export interface WebhookDeliveryRecord {
  event_id: string;
  endpoint_id: string;
  attempt: number;
  status: string;
  attempted_at: string | null;
  response_status: number | null;
  error: string | null;
  merchant_id: string | null;
}

export type ReportItem =
  | { kind: typeof Entity.account; record: AccountRecord }
  | { kind: typeof Entity.ledgerEntry; record: LedgerEntryRecord }
  | { kind: typeof Entity.invoice; record: InvoiceRecord }
  | { kind: typeof Entity.withdrawal; record: WithdrawalRecord }
  | { kind: typeof Entity.transfer; record: TransferRecord }
  | { kind: typeof Entity.merchant; record: MerchantRecord }
  | { kind: typeof Entity.webhookEndpoint; record: WebhookEndpointRecord }
  | { kind: typeof Entity.webhookDelivery; record: WebhookDeliveryRecord }
  /** Any other entity (api keys, locks, events, ...): counted, not read. */
  | { kind: 'other'; entity: string };

const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,3})?Z$/;

const number = (what: string) =>
  z.custom<DynamoNumber>((value) => value instanceof DynamoNumber, { message: `${what} must be a DynamoDB number (N)` });

/** A signed amount: exact, safe, never through a float. */
const signedMsat = number('amount').transform((value, ctx) => {
  try {
    return msatFromDecimalString(value.text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a safe integer amount of msat: ${value.text}` });
    return z.NEVER;
  }
});
const msat = signedMsat.refine((value) => value >= 0, { message: 'amount must not be negative' });
const smallInteger = number('value').transform((value, ctx) => {
  const parsed = Number(value.text);
  if (!Number.isSafeInteger(parsed)) {
    ctx.addIssue({ code: 'custom', message: `not an integer: ${value.text}` });
    return z.NEVER;
  }
  return parsed;
});

/**
 * Times are compared as strings (period bounds, ages), so they are normalised to exactly
 * what toISOString writes: `YYYY-MM-DDTHH:MM:SS.sssZ`.
 */
const isoTime = z.string().transform((value, ctx) => {
  const match = ISO_TIME.exec(value);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `not an ISO-8601 UTC timestamp: ${value}` });
    return z.NEVER;
  }
  return `${match[1]}${(match[2] ?? '.').padEnd(4, '0')}Z`;
});

const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9a-z]+$`), `must be a ${prefix}_ id`);
const nullableString = z.string().nullable().optional().transform((value) => value ?? null);

const accountSchema = z.object({
  id: id('acct'),
  merchant_id: id('mch'),
  balance_msat: signedMsat,
  external_id: nullableString,
  label: nullableString,
  created_at: isoTime,
});

const ledgerEntrySchema = z.object({
  id: id('led'),
  account_id: id('acct'),
  merchant_id: id('mch'),
  type: z.enum(Object.values(LedgerEntryType) as [LedgerEntryType, ...LedgerEntryType[]]),
  amount_msat: signedMsat,
  reference_id: z.string().min(1),
  created_at: isoTime,
});

const invoiceSchema = z.object({
  id: id('inv'),
  merchant_id: id('mch'),
  account_id: id('acct'),
  status: z.enum(['pending', 'paid', 'expired']),
  amount_msat: msat,
  amount_paid_msat: msat.nullable().optional().transform((value) => value ?? null),
  expires_at: isoTime,
  paid_at: isoTime.nullable().optional().transform((value) => value ?? null),
  created_at: isoTime,
  paid_internally: z.boolean().optional().transform((value) => value ?? false),
  late_settlement_msat: msat.optional(),
  late_settled_at: isoTime.optional(),
});

const withdrawalSchema = z.object({
  id: id('wd'),
  merchant_id: id('mch'),
  account_id: id('acct'),
  status: z.enum(['pending', 'in_flight', 'succeeded', 'failed']),
  amount_msat: msat,
  fee_reserve_msat: msat,
  fee_msat: msat.nullable().optional().transform((value) => value ?? null),
  payment_hash: z.string().min(1),
  internal: z.boolean().optional().transform((value) => value ?? false),
  created_at: isoTime,
  completed_at: isoTime.nullable().optional().transform((value) => value ?? null),
});

const transferSchema = z.object({
  id: id('tr'),
  merchant_id: id('mch'),
  from_account_id: id('acct'),
  to_account_id: id('acct'),
  amount_msat: msat,
  created_at: isoTime,
});

const merchantSchema = z.object({ id: id('mch'), name: z.string() });

const webhookEndpointSchema = z.object({
  pk: z.string().regex(/^WEBHOOK_ENDPOINT#/),
  id: z.string().optional(),
  merchant_id: z.string().optional(),
  gsi1pk: z.string().optional(),
});

const webhookDeliverySchema = z.object({
  pk: z.string().regex(/^EVENT#.+/, 'a delivery lives in its event partition (EVENT#<evt>)'),
  sk: z.string().regex(/^DELIVERY#.+#\d+$/, 'a delivery sort key is DELIVERY#<we>#<attempt>'),
  status: z.string(),
  attempted_at: isoTime.nullable().optional().transform((value) => value ?? null),
  response_status: smallInteger.nullable().optional().transform((value) => value ?? null),
  error: nullableString,
  merchant_id: nullableString,
});

/** Thrown for an item that is not what its entity promises: the reader adds file and line. */
export class ItemShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ItemShapeError';
  }
}

function parse<T extends z.ZodType>(schema: T, item: NativeItem, entity: string): z.output<T> {
  const result = schema.safeParse(item);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`).join('; ');
    throw new ItemShapeError(`${entity} item ${describeKey(item)} is malformed: ${issues}`);
  }
  return result.data;
}

function describeKey(item: NativeItem): string {
  return `${String(item.pk)} / ${String(item.sk)}`;
}

/** Decodes one table item into what the reports need. */
export function decodeItem(item: NativeItem): ReportItem {
  const entity = item.entity;
  if (typeof entity !== 'string') throw new ItemShapeError(`item ${describeKey(item)} has no "entity" attribute`);
  switch (entity) {
    case Entity.account:
      return { kind: entity, record: parse(accountSchema, item, entity) };
    case Entity.ledgerEntry:
      return { kind: entity, record: parse(ledgerEntrySchema, item, entity) };
    case Entity.invoice:
      return { kind: entity, record: parse(invoiceSchema, item, entity) };
    case Entity.withdrawal:
      return { kind: entity, record: parse(withdrawalSchema, item, entity) };
    case Entity.transfer:
      return { kind: entity, record: parse(transferSchema, item, entity) };
    case Entity.merchant:
      return { kind: entity, record: parse(merchantSchema, item, entity) };
    case Entity.webhookEndpoint: {
      const endpoint = parse(webhookEndpointSchema, item, entity);
      const fromIndex = /^MERCHANT#([^#]+)#/.exec(endpoint.gsi1pk ?? '')?.[1];
      return {
        kind: entity,
        record: { id: endpoint.id ?? endpoint.pk.slice('WEBHOOK_ENDPOINT#'.length), merchant_id: endpoint.merchant_id ?? fromIndex ?? null },
      };
    }
    case Entity.webhookDelivery: {
      const delivery = parse(webhookDeliverySchema, item, entity);
      const [, endpointId = '', attempt = '0'] = /^DELIVERY#(.+)#(\d+)$/.exec(delivery.sk) ?? [];
      return {
        kind: entity,
        record: {
          event_id: delivery.pk.slice('EVENT#'.length),
          endpoint_id: endpointId,
          attempt: Number(attempt),
          status: delivery.status,
          attempted_at: delivery.attempted_at,
          response_status: delivery.response_status,
          error: delivery.error,
          merchant_id: delivery.merchant_id,
        },
      };
    }
    default:
      return { kind: 'other', entity };
  }
}
