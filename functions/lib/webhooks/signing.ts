import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const SECRET_PREFIX = 'whsec_';
/** The contract asks for at least 24; we use 32 (256-bit HMAC key). */
export const SECRET_BYTES = 32;

/** A fresh signing secret: `whsec_` + base64 of 32 random bytes, as Standard Webhooks expects. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks headers for one attempt: `v1,` + base64 HMAC-SHA256 over
 * `id.timestamp.body`, keyed with the base64-decoded part of the secret after `whsec_`.
 * Made afresh for every attempt, so the timestamp is always the attempt's own.
 */
export function signWebhook(secret: string, messageId: string, at: Date, body: string): SignedHeaders {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, at, body),
  };
}
