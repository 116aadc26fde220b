import { MAX_BODY_BYTES } from '../http/middleware/body-limit';

// The parts of the document that no route says: who, where, how to authenticate, the tags.

export const info = {
  title: 'Lightning payments API',
  version: '1.0.0',
  summary: 'Invoices, payouts, transfers and signed webhooks on your own LND node',
  description: [
    'Stripe in your own AWS account, on your own LND node.',
    '',
    '- Amounts are integer millisatoshis in fields ending `_msat`: never floats, never strings.',
    `- Bodies are JSON (\`application/json\`), at most ${MAX_BODY_BYTES} bytes; unknown fields are refused.`,
    '- Authenticate with `Authorization: Bearer <key>`: the secret key `sk_...` may do everything, the invoice key `ik_...` create and read invoices and read accounts.',
    '- Every non-2xx answer is `{"error": {"type", "code", "message", "param"?}}` (the `Error` schema) and changed nothing.',
    '- Every POST takes an optional `Idempotency-Key`: retry with the same key and the first answer comes back.',
    '- Lists take `limit` (1–100, default 20) and `cursor` (a previous `next_cursor`) and come newest first.',
    "- Each merchant may make `RateLimit-Limit` requests per second (all keys together); the `RateLimit-*` headers say where you stand, a 429 says `Retry-After`.",
    '- Events are delivered to your webhook endpoints, signed as Standard Webhooks (see `webhooks`).',
    '- The local stack (`npm start`) serves the same API at `http://localhost:3000` (`PORT`).',
  ].join('\n'),
  contact: { name: 'The operator of this deployment' },
  license: { name: 'MIT', identifier: 'MIT' },
};

// Only the deployed API: the local stack (`npm start`) answers the same at http://localhost:3000,
// and Redocly rightly warns about a localhost server in a published document.
export const servers = [
  {
    url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
    description: "A deployed stack: its API Gateway HTTP API's default stage (or the custom domain in front of it)",
    variables: {
      apiId: { default: 'a1b2c3d4e5', description: 'The HTTP API id (stack resource Api)' },
      region: { default: 'us-east-1', description: 'The AWS region of the stack' },
    },
  },
];

export const securitySchemes = {
  secretKey: { type: 'http', scheme: 'bearer', bearerFormat: 'sk_...', description: 'The secret key: everything.' },
  invoiceKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'ik_...',
    description: 'The invoice key: create and read invoices, read accounts; anything else is 403 `permission_denied`.',
  },
};

const TAG_DESCRIPTIONS: Record<string, string> = {
  Accounts: 'Wallets of a merchant, each with a balance and a ledger (every merchant has a default one)',
  Invoices: 'Lightning invoices that credit an account when paid (deposits)',
  Public: 'What a payer may see, without a key: the checkout page reads it',
  Withdrawals: 'Payments of BOLT11 invoices from an account (payouts)',
  Transfers: 'Money moved between two accounts of one merchant',
  Webhooks: 'Endpoints that receive events, and the events as they are delivered to them',
  Events: 'Every money movement, as an event: list them, inspect and replay their deliveries',
  Meta: 'This document',
};

/** The document's tags, in the order first used by `tagsInUse`; every tag needs a description here. */
export function tags(tagsInUse: string[]): { name: string; description: string }[] {
  return [...new Set(tagsInUse)].map((name) => {
    const description = TAG_DESCRIPTIONS[name];
    if (!description) throw new Error(`tag ${name} has no description in functions/openapi/metadata.ts`);
    return { name, description };
  });
}
