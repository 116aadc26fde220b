import * as z from 'zod';
import { LedgerEntryType } from '../../lib/ledger/ledger-entry';
import { InvoiceStatus } from '../../lib/invoices/invoice';
import { FailureReason, WithdrawalStatus } from '../../lib/withdrawals/withdrawal';
import { isoTimestamp } from './common';

// The resources as the API shows them (the to*() functions in functions/lib build them);
// here only to describe them in the OpenAPI document.

const msatField = z.number().int().meta({ description: 'millisatoshis' });

export const accountSchema = z
  .object({
    id: z.string(),
    external_id: z.string().nullable(),
    label: z.string().nullable(),
    balance_msat: msatField,
    created_at: isoTimestamp,
  })
  .meta({ id: 'Account' });

export const ledgerEntrySchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    type: z.enum(Object.values(LedgerEntryType) as [string, ...string[]]),
    amount_msat: msatField.meta({ description: 'signed millisatoshis: credits positive, debits negative' }),
    reference_id: z.string(),
    created_at: isoTimestamp,
  })
  .meta({ id: 'LedgerEntry' });

export const invoiceSchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    status: z.enum(Object.values(InvoiceStatus) as [string, ...string[]]),
    amount_msat: msatField,
    amount_paid_msat: msatField.nullable(),
    bolt11: z.string(),
    payment_hash: z.string(),
    memo: z.string().nullable(),
    description_hash: z.string().nullable(),
    reference: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    expires_at: isoTimestamp,
    paid_at: isoTimestamp.nullable(),
    checkout_url: z.string(),
    created_at: isoTimestamp,
    late_settlement_msat: msatField.optional().meta({ description: 'only on an invoice paid internally that the node settled anyway: that separate deposit' }),
    late_settled_at: isoTimestamp.optional(),
  })
  .meta({ id: 'Invoice' });

export const publicInvoiceSchema = z
  .object({
    id: z.string(),
    status: z.enum(Object.values(InvoiceStatus) as [string, ...string[]]),
    amount_msat: msatField,
    bolt11: z.string(),
    memo: z.string().nullable(),
    expires_at: isoTimestamp,
    paid_at: isoTimestamp.nullable(),
  })
  .meta({ id: 'PublicInvoice' });

export const withdrawalSchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    status: z.enum(Object.values(WithdrawalStatus) as [string, ...string[]]),
    amount_msat: msatField,
    fee_reserve_msat: msatField,
    fee_msat: msatField.nullable(),
    payment_hash: z.string(),
    preimage: z.string().nullable(),
    failure_reason: z.enum(Object.values(FailureReason) as [string, ...string[]]).nullable(),
    internal: z.boolean(),
    created_at: isoTimestamp,
    completed_at: isoTimestamp.nullable(),
  })
  .meta({ id: 'Withdrawal' });

export const transferSchema = z
  .object({
    id: z.string(),
    from_account_id: z.string(),
    to_account_id: z.string(),
    amount_msat: msatField,
    memo: z.string().nullable(),
    created_at: isoTimestamp,
  })
  .meta({ id: 'Transfer' });
