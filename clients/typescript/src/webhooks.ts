import { Webhook, WebhookVerificationError as SignatureError } from 'standardwebhooks';
import { LightningPaymentsError } from './errors.js';
import type { WebhookEvent, WebhookEventType } from './types.js';

/** The three Standard Webhooks headers by name. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A fetch `Headers`, Node's `IncomingHttpHeaders`, or any object of headers (names in any case). */
export type WebhookHeaders = Headers | WebhookSignatureHeaders | Record<string, string | string[] | undefined>;

/** The delivery is not a genuine, fresh webhook of this endpoint: answer it 4xx and ignore it. */
export class WebhookVerificationError extends LightningPaymentsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * Every event type the document declares; a type added to or dropped from its `webhooks`
 * fails to compile here.
 */
const EVENT_TYPES: Record<WebhookEventType, true> = {
  'invoice.paid': true,
  'invoice.expired': true,
  'withdrawal.succeeded': true,
  'withdrawal.failed': true,
  'transfer.completed': true,
};
export const WEBHOOK_EVENT_TYPES = Object.keys(EVENT_TYPES) as WebhookEventType[];

const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * Checks a delivery's Standard Webhooks signature (and that its timestamp is within five
 * minutes of this clock) with the endpoint's `whsec_` secret, and returns the event, typed:
 * switch on `event.type` to get `event.data.object` as an Invoice, Withdrawal or Transfer.
 *
 * Pass the body exactly as received (the raw string or bytes, not re-serialized JSON).
 * Throws WebhookVerificationError when the signature, the timestamp or the body is wrong;
 * receivers dedupe on `event.id` (the `webhook-id`), since delivery is at least once.
 */
export function verifyWebhook(payload: string | Uint8Array, headers: WebhookHeaders, secret: string): WebhookEvent {
  const body = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  let event: unknown;
  try {
    event = new Webhook(secret).verify(body, signatureHeaders(headers));
  } catch (error) {
    if (error instanceof SignatureError) throw new WebhookVerificationError(`webhook refused: ${error.message}`, { cause: error });
    throw new WebhookVerificationError('webhook refused: the body is not the JSON that was signed', { cause: error });
  }
  if (!isWebhookEvent(event)) throw new WebhookVerificationError('webhook refused: signed, but not an event of a type this client knows');
  return event;
}

function isWebhookEvent(value: unknown): value is WebhookEvent {
  if (typeof value !== 'object' || value === null) return false;
  const { id, type, data } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof type === 'string' && Object.hasOwn(EVENT_TYPES, type) && typeof data === 'object' && data !== null && 'object' in data;
}

function signatureHeaders(headers: WebhookHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of SIGNATURE_HEADERS) {
    const value = headers instanceof Headers ? headers.get(name) : headerOf(headers, name);
    if (value === null || value === undefined) throw new WebhookVerificationError(`webhook refused: no ${name} header`);
    picked[name] = value;
  }
  return picked;
}

/** A plain object's header, whatever the case of its name (Node lower-cases them; other frameworks may not). */
function headerOf(headers: object, name: string): string | undefined {
  const value: unknown = Object.entries(headers).find(([candidate]) => candidate.toLowerCase() === name)?.[1];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}
