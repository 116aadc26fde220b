import { z } from 'zod';
import { PaymentOutcome } from '../state/records';

export const PAYMENT_HASH_PATTERN = /^[0-9a-fA-F]{64}$/;

const msat = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');
const outcome = z.enum(Object.values(PaymentOutcome) as [PaymentOutcome, ...PaymentOutcome[]]);

export const payBodySchema = z.object({
  bolt11: z.string().min(1),
  amount_msat: msat.min(1).optional(),
});

export const outsideInvoiceBodySchema = z.object({
  amount_msat: msat.min(1).optional(),
  memo: z.string().max(639).optional(),
  outcome: outcome.optional(),
  fee_msat: msat.min(0).optional(),
  expiry_seconds: z.number().int().min(1).optional(),
});

export const resolveBodySchema = z.object({ outcome });

export const faultsBodySchema = z.object({ drop_streams: z.boolean().optional(), hold_sends: z.boolean().optional() });

const hex64 = z.string().regex(PAYMENT_HASH_PATTERN, 'must be 64 hex characters').transform((value) => value.toLowerCase());

/** An outside invoice a sibling simulator created, passed on so this one can pay it too. */
export const adoptedInvoiceBodySchema = z.object({
  bolt11: z.string().min(1),
  payment_hash: hex64,
  preimage: hex64,
  amount_msat: msat.min(1).nullable(),
  outcome,
  fee_msat: msat.min(0),
});
