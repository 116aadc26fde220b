import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WEBHOOK_EVENT_TYPES, WebhookVerificationError, type WebhookEvent } from '../../clients/typescript/src/index.js';

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const event = {
  id: 'evt_1',
  type: 'withdrawal.failed',
  created_at: '2026-11-21T10:00:00.000Z',
  data: { object: { id: 'wd_1', status: 'failed', failure_reason: 'no_route', amount_msat: 20_000 } },
};

function signed(body: string, at = new Date(), withSecret = secret) {
  return { 'webhook-id': 'evt_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(withSecret).sign('evt_1', at, body) };
}

/** Compiles only while the union narrows on `type`: the object of a withdrawal event is a Withdrawal. */
function failureReason(verified: WebhookEvent): string | null | undefined {
  switch (verified.type) {
    case 'withdrawal.failed':
    case 'withdrawal.succeeded':
      return verified.data.object.failure_reason;
    default:
      return undefined;
  }
}

describe('typed client: verifyWebhook', () => {
  it('returns the event of a delivery signed with the endpoint secret, typed by its type', () => {
    const body = JSON.stringify(event);
    const verified = verifyWebhook(body, signed(body), secret);
    expect(verified).toEqual(event);
    expect(failureReason(verified)).toBe('no_route');
  });

  it('takes the body as bytes and the headers as fetch Headers or in any case', () => {
    const body = JSON.stringify(event);
    const headers = signed(body);
    expect(verifyWebhook(new TextEncoder().encode(body), new Headers(headers), secret).id).toBe('evt_1');
    const shouted = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), [value]]));
    expect(verifyWebhook(body, shouted, secret).id).toBe('evt_1');
  });

  it.each([
    ['another secret', (body: string) => ({ body, headers: signed(body, new Date(), `whsec_${Buffer.alloc(32, 9).toString('base64')}`) })],
    ['a body changed after signing', (body: string) => ({ body: body.replace('20000', '2000000'), headers: signed(body) })],
    ['a timestamp ten minutes old', (body: string) => ({ body, headers: signed(body, new Date(Date.now() - 600_000)) })],
    ['no signature header', (body: string) => ({ body, headers: { 'webhook-id': 'evt_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) } })],
  ])('refuses %s', (_, make) => {
    const { body, headers } = make(JSON.stringify(event));
    expect(() => verifyWebhook(body, headers, secret)).toThrow(WebhookVerificationError);
  });

  it('refuses a genuine signature over something that is not an event of a known type', () => {
    for (const body of ['not json', JSON.stringify({ ...event, type: 'invoice.refunded' })]) {
      expect(() => verifyWebhook(body, signed(body), secret)).toThrow(WebhookVerificationError);
    }
  });

  it('knows every event type the document declares', () => {
    expect(WEBHOOK_EVENT_TYPES).toEqual(['invoice.paid', 'invoice.expired', 'withdrawal.succeeded', 'withdrawal.failed', 'transfer.completed']);
  });
});
