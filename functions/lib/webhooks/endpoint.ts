import { EVENT_TYPES, type EventType } from '../events/event';
import { Entity, keys, ListKind, merchantListKey } from '../table/keys';
import type { EncryptionContext, SecretOpener } from './secret-sealer';

export const EndpointStatus = {
  enabled: 'enabled',
  /** The receiver answered 410 Gone: nothing is delivered to it any more. */
  disabled: 'disabled',
} as const;
export type EndpointStatus = (typeof EndpointStatus)[keyof typeof EndpointStatus];

/** A merchant may register at most this many endpoints (Stripe's limit too): fan-out stays cheap. */
export const MAX_ENDPOINTS_PER_MERCHANT = 16;

export interface WebhookEndpointItem {
  pk: string;
  sk: string;
  entity: typeof Entity.webhookEndpoint;
  id: string;
  merchant_id: string;
  url: string;
  /** Subscribed to every event type, including types added later. */
  all_events: boolean;
  /** The types subscribed to when not all_events. */
  events: EventType[];
  /**
   * The signing secret, sealed with the webhook secrets key (secret-sealer.ts) under
   * endpointSecretContext: shown once at creation, then only ever opened to sign.
   */
  sealed_secret: string;
  /** Items written before secrets were sealed kept the plaintext here; `npm run admin -- webhooks:seal-secrets` seals them. */
  secret?: string;
  status: EndpointStatus;
  disabled_at: string | null;
  created_at: string;
  gsi1pk: string;
  gsi1sk: string;
}

/** The endpoint as the API shows it: never the secret. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: EventType[];
  status: EndpointStatus;
  created_at: string;
}

export function newWebhookEndpointItem(input: {
  id: string;
  merchantId: string;
  url: string;
  events: EventType[] | undefined;
  sealedSecret: string;
  createdAt: string;
}): WebhookEndpointItem {
  const allEvents = input.events === undefined;
  return {
    ...keys.webhookEndpoint(input.id),
    entity: Entity.webhookEndpoint,
    id: input.id,
    merchant_id: input.merchantId,
    url: input.url,
    all_events: allEvents,
    events: allEvents ? [] : [...new Set(input.events)],
    sealed_secret: input.sealedSecret,
    status: EndpointStatus.enabled,
    disabled_at: null,
    created_at: input.createdAt,
    ...merchantListKey(input.merchantId, ListKind.webhookEndpoints, input.id),
  };
}

export function subscribedTypes(item: Pick<WebhookEndpointItem, 'all_events' | 'events'>): EventType[] {
  return item.all_events ? [...EVENT_TYPES] : item.events;
}

export function subscribesTo(item: Pick<WebhookEndpointItem, 'all_events' | 'events'>, type: string): boolean {
  return item.all_events || (item.events as string[]).includes(type);
}

export function toWebhookEndpoint(item: WebhookEndpointItem): WebhookEndpoint {
  return { id: item.id, url: item.url, events: subscribedTypes(item), status: item.status, created_at: item.created_at };
}

/** What an endpoint's sealed secret is bound to: it opens on this endpoint of this merchant only. */
export function endpointSecretContext(endpoint: { merchantId: string; endpointId: string }): EncryptionContext {
  return { purpose: 'webhook-signing-secret', merchant_id: endpoint.merchantId, endpoint_id: endpoint.endpointId };
}

/** The plaintext signing secret, to sign with (or to show in the creation answer). */
export async function openEndpointSecret(opener: SecretOpener, item: Pick<WebhookEndpointItem, 'id' | 'merchant_id' | 'sealed_secret' | 'secret'>): Promise<string> {
  // An item written before sealing: it keeps working until the migration seals it.
  if (item.sealed_secret === undefined && item.secret !== undefined) return item.secret;
  return opener.open(item.sealed_secret, endpointSecretContext({ merchantId: item.merchant_id, endpointId: item.id }));
}
