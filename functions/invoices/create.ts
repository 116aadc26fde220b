import * as z from 'zod';
import { getAccount } from '../lib/accounts/repository';
import { AmountOutOfRangeError } from '../lib/errors';
import { IdPrefix } from '../lib/ids';
import { toInvoice } from '../lib/invoices/invoice';
import { findInvoice, insertInvoice } from '../lib/invoices/repository';
import { MIN_INVOICE_MSAT } from '../lib/money';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { created } from '../http/responses';
import { idOf, isWellFormed, msat, text, utf8Bytes } from '../http/schemas/common';
import { invoiceSchema } from '../http/schemas/resources';
import { invoiceNodeFromConfig } from '../http/invoice-node';
import { invoiceNodesOf } from '../lib/node/invoice-nodes';

/** The longest description a BOLT11 can carry. */
export const MAX_MEMO_BYTES = 639;
export const DEFAULT_EXPIRY_SEC = 3_600;

export const createInvoiceBody = z
  .strictObject({
    amount_msat: msat({ min: MIN_INVOICE_MSAT, description: `millisatoshis, ${MIN_INVOICE_MSAT} up to the configured maximum (default 100,000,000,000)` }),
    account_id: idOf(IdPrefix.account, 'account').optional().meta({ description: 'Defaults to the default account' }),
    memo: z
      .string()
      .refine(isWellFormed, { message: 'must be valid Unicode text' })
      .refine((memo) => utf8Bytes(memo) <= MAX_MEMO_BYTES, { message: `must be at most ${MAX_MEMO_BYTES} bytes of UTF-8` })
      .optional()
      .meta({ description: `At most ${MAX_MEMO_BYTES} UTF-8 bytes; exclusive with description_hash` }),
    description_hash: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hex characters (a SHA-256)' })
      .transform((hash) => hash.toLowerCase())
      .optional()
      .meta({ description: 'SHA-256 of the description (hex); exclusive with memo. A Core Lightning node cannot commit to a bare hash: 400 unsupported_by_backend' }),
    expiry_seconds: z.number().int().min(60).max(604_800).optional().meta({ description: '60–604,800, default 3,600' }),
    reference: text(128).optional(),
    metadata: z
      .record(text(40, 1), text(500))
      .refine((metadata) => Object.keys(metadata).length <= 20, { message: 'must have at most 20 keys' })
      .optional()
      .meta({ description: 'At most 20 keys of at most 40 characters; string values of at most 500' }),
  })
  .superRefine((body, context) => {
    if (body.memo !== undefined && body.description_hash !== undefined) {
      context.addIssue({ code: 'custom', path: ['description_hash'], message: 'memo and description_hash are mutually exclusive' });
    }
  })
  .meta({ id: 'CreateInvoiceRequest' });

export const createInvoiceRoute = route({
  method: 'POST',
  path: '/v1/invoices',
  operationId: 'createInvoice',
  summary: 'Create a Lightning invoice that credits an account when paid',
  tag: 'Invoices',
  auth: AuthMode.invoice,
  body: createInvoiceBody,
  response: { status: 201, description: 'The new invoice, pending', schema: invoiceSchema },
  errors: [404, 503],
  async handler({ auth, body, newId, now, resumed }, { table, node, config }) {
    const id = newId(IdPrefix.invoice);
    if (resumed) {
      // An earlier attempt with this Idempotency-Key may have stored the invoice already.
      const existing = await findInvoice(table, id);
      if (existing?.merchant_id === auth.merchantId) return created(toInvoice(existing));
    }
    if (body.amount_msat > config.maxInvoiceMsat) {
      throw new AmountOutOfRangeError(`amount_msat must be at most ${config.maxInvoiceMsat}`, { param: 'amount_msat' });
    }
    const accountId = body.account_id ?? (await auth.merchant()).default_account_id;
    // Before the node: no invoice on the node for an account that is not the merchant's.
    await getAccount(table, auth.merchantId, accountId, 'account_id');

    const expirySec = body.expiry_seconds ?? DEFAULT_EXPIRY_SEC;
    // With several nodes, the one with the most inbound liquidity (invoice-placement.ts); its id goes on the invoice.
    const { created: onNode, nodeId } = await invoiceNodesOf(node).placeInvoice({
      label: id,
      amountMsat: body.amount_msat,
      expirySec,
      ...(body.memo !== undefined ? { memo: body.memo } : {}),
      ...(body.description_hash !== undefined ? { descriptionHash: body.description_hash } : {}),
    });
    const invoice = await insertInvoice(table, {
      id,
      merchantId: auth.merchantId,
      accountId,
      amountMsat: body.amount_msat,
      bolt11: onNode.bolt11,
      paymentHash: onNode.paymentHash,
      memo: body.memo ?? null,
      descriptionHash: body.description_hash ?? null,
      reference: body.reference ?? null,
      metadata: body.metadata ?? {},
      expiresAt: new Date(now.getTime() + expirySec * 1000).toISOString(),
      checkoutUrl: `${config.publicBaseUrl}/checkout/${id}`,
      createdAt: now.toISOString(),
      ...(nodeId !== undefined ? { nodeId } : {}),
    });
    return created(toInvoice(invoice));
  },
});

export const handler = createInvoiceRoute.lambda({ node: invoiceNodeFromConfig });
