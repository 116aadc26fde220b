import * as z from 'zod';
import { EventType } from '../lib/events/event';
import { isoTimestamp } from '../http/schemas/common';
import { invoiceSchema, transferSchema, withdrawalSchema } from '../http/schemas/resources';
import { webhookHeaderExamples, WEBHOOK_EXAMPLES } from './examples';
import type { SchemaRegistry } from './schema-registry';

interface EventDescription {
  component: string;
  summary: string;
  object: z.ZodType;
}

// What each event type carries in data.object: the resource as the API shows it, at the moment
// of the event (the ledger writes the event with the change, functions/lib/ledger/*).
const EVENTS: Record<EventType, EventDescription> = {
  [EventType.invoicePaid]: {
    component: 'InvoicePaidEvent',
    summary: 'an invoice was paid and its account credited (again, with late_settlement_msat, for a late deposit)',
    object: invoiceSchema,
  },
  [EventType.invoiceExpired]: { component: 'InvoiceExpiredEvent', summary: 'a pending invoice expired unpaid', object: invoiceSchema },
  [EventType.withdrawalSucceeded]: { component: 'WithdrawalSucceededEvent', summary: 'a withdrawal was paid', object: withdrawalSchema },
  [EventType.withdrawalFailed]: {
    component: 'WithdrawalFailedEvent',
    summary: 'a withdrawal failed for good; amount and fee reserve are back in the account',
    object: withdrawalSchema,
  },
  [EventType.transferCompleted]: { component: 'TransferCompletedEvent', summary: 'a transfer between two accounts was made', object: transferSchema },
};

const eventPayload = (type: EventType, description: EventDescription) =>
  z
    .object({
      id: z.string().meta({ description: 'evt_...: also in `webhook-id`, the same for every attempt; dedupe on it' }),
      type: z.literal(type),
      created_at: isoTimestamp.meta({ description: 'When it happened: order events of one object by it' }),
      data: z.object({ object: description.object }),
    })
    .meta({ id: description.component, description: `The \`${type}\` event, as GET /v1/events/{id} shows it` });

const signatureHeaders = (type: EventType) => {
  const example = webhookHeaderExamples(type);
  return [
    {
      name: 'webhook-id',
      in: 'header',
      required: true,
      description: 'The event id: the same for every attempt and endpoint',
      schema: { type: 'string', pattern: '^evt_[0-9a-z]+$' },
      example: example['webhook-id'],
    },
    {
      name: 'webhook-timestamp',
      in: 'header',
      required: true,
      description: 'Unix seconds of this attempt; refuse ones far from your clock',
      schema: { type: 'string', pattern: '^[0-9]+$' },
      example: example['webhook-timestamp'],
    },
    {
      name: 'webhook-signature',
      in: 'header',
      required: true,
      description:
        '`v1,` + base64 HMAC-SHA256 of `webhook-id.webhook-timestamp.body`, keyed with the base64-decoded part of the endpoint secret after `whsec_` ' +
        '(Standard Webhooks; space-separated when there are several)',
      schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$' },
      example: example['webhook-signature'],
    },
  ];
};

/** OpenAPI 3.1 `webhooks`: one POST per event type, as this service sends it to a merchant's endpoint. */
export function buildWebhooks(registry: SchemaRegistry): Record<string, unknown> {
  return Object.fromEntries(
    (Object.entries(EVENTS) as [EventType, EventDescription][]).map(([type, description]) => [
      type,
      {
        post: {
          operationId: `${camel(type)}Webhook`,
          summary: `${type}: ${description.summary}`,
          description:
            'Sent to every enabled endpoint subscribed to this type. Answer 2xx within 15 s; anything else is retried ' +
            '(5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h). Verify the signature before trusting the body.',
          tags: ['Webhooks'],
          security: [],
          parameters: signatureHeaders(type),
          requestBody: {
            required: true,
            content: { 'application/json': { schema: registry.output(eventPayload(type, description)), example: WEBHOOK_EXAMPLES[type] } },
          },
          responses: {
            '2XX': { description: 'Received: delivery succeeded' },
            '410': { description: 'Gone: the endpoint is disabled and receives nothing more' },
            '429': { description: 'Retried, no sooner than `Retry-After` (also honoured on 502, 503 and 504)' },
            default: { description: 'Any other answer, a 3xx included, or none within 15 s: retried on the schedule' },
          },
        },
      },
    ]),
  );
}

/** `invoice.paid` → `invoicePaid` */
function camel(type: string): string {
  return type.replace(/[._]([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}
