import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES, EventType } from '../../functions/lib/events/event';
import { findEvent } from '../../functions/lib/events/repository';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { CreatedMerchant } from '../../functions/lib/merchants/create-merchant';
import type { DeliveryMessage } from '../../functions/lib/webhooks/delivery';
import { fanOutDomainEvent } from '../../functions/lib/webhooks/fan-out';
import { useWebhookQueues } from '../../functions/lib/webhooks/queues';
import { useApiHarness, type ApiReply } from '../support/api-harness';
import { domainEventDetail, handleVisible, testWorker, type TestWorker } from './support/fixtures';
import { ManualClock } from './support/manual-clock';
import { startReceiver, type Receiver } from './support/receiver';

const LOCAL_STACK_ENV = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_ALLOW_HTTP: 'true' } as const;

function setEnv(values: Partial<Record<keyof typeof LOCAL_STACK_ENV, string | undefined>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

describe('webhook endpoints and events over HTTP', () => {
  const api = useApiHarness();
  let shop: CreatedMerchant;
  let rival: CreatedMerchant;
  let receiver: Receiver;
  let worker: TestWorker;
  let clock: ManualClock;

  beforeAll(async () => {
    setEnv(LOCAL_STACK_ENV);
    receiver = await startReceiver();
    shop = await api.newMerchant('Shop');
    rival = await api.newMerchant('Rival');
  });
  afterAll(async () => {
    useWebhookQueues(undefined);
    setEnv({ WEBHOOK_ALLOW_PRIVATE_TARGETS: undefined, WEBHOOK_ALLOW_HTTP: undefined });
    await receiver.close();
  });
  beforeEach(() => {
    setEnv(LOCAL_STACK_ENV);
    clock = new ManualClock(Date.now());
    worker = testWorker(api.table, clock, { secrets: api.deps.secrets });
    useWebhookQueues({ deliveries: worker.queue, deadLetters: worker.deadLetters });
    receiver.reply = () => ({ status: 200 });
  });

  const createEndpoint = (merchant: CreatedMerchant, body: Record<string, unknown>, idempotencyKey?: string) =>
    api.request('POST', '/v1/webhook-endpoints', { key: merchant.secret_key, body, ...(idempotencyKey ? { idempotencyKey } : {}) });

  /** Another merchant's id and an id that exists nowhere read the same, but for the id itself. */
  function expectSameAsMissing(theirs: ApiReply, missing: ApiReply, theirsId: string, missingId: string) {
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.text.replaceAll(theirsId, '<id>')).toBe(missing.text.replaceAll(missingId, '<id>'));
  }

  /** An invoice paid into the shop: the ledger writes an invoice.paid event with it. */
  async function paidInvoiceEvent(merchant: CreatedMerchant, amountMsat = 25_000) {
    const invoice = await api.fund(merchant.secret_key, merchant.default_account_id, amountMsat);
    const events = await api.request('GET', '/v1/events?type=invoice.paid&limit=100', { key: merchant.secret_key });
    const event = (events.body.data as Array<{ id: string; data: { object: { id: string } } }>).find((item) => item.data.object.id === invoice.id);
    if (!event) throw new Error('no invoice.paid event');
    return event.id;
  }

  /** The worker, on the same (real) time as the API that enqueued. */
  async function work() {
    clock.set(Math.max(clock.nowMs(), Date.now()));
    return handleVisible(worker);
  }

  /** What the bus does with an event from the outbox: the fan-out. */
  async function fanOut(eventId: string) {
    const event = await findEvent(api.table, eventId);
    await fanOutDomainEvent({ table: api.table, queue: worker.queue, clock: worker.deps.clock, log: worker.log }, domainEventDetail(event!));
  }

  describe('POST /v1/webhook-endpoints', () => {
    it('creates an endpoint for every event type and shows its whsec_ secret (≥ 24 random bytes) this once', async () => {
      const reply = await createEndpoint(shop, { url: receiver.url });
      expect(reply.status, reply.text).toBe(201);
      expect(reply.body).toEqual({
        id: expect.stringMatching(/^we_[0-9a-z]{36}$/),
        url: receiver.url,
        events: [...EVENT_TYPES],
        status: 'enabled',
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect(Buffer.from(reply.body.secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);
      const another = await createEndpoint(shop, { url: receiver.url });
      expect(another.body.secret).not.toBe(reply.body.secret);

      const list = await api.request('GET', '/v1/webhook-endpoints', { key: shop.secret_key });
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(reply.body.secret.slice('whsec_'.length));
      expect(list.body.data.find((item: { id: string }) => item.id === reply.body.id)).toEqual({
        id: reply.body.id,
        url: receiver.url,
        events: [...EVENT_TYPES],
        status: 'enabled',
        created_at: reply.body.created_at,
      });
      expect(JSON.stringify(api.loggedErrors)).not.toContain(reply.body.secret);
    });

    it('subscribes to the listed event types only, once each', async () => {
      const reply = await createEndpoint(shop, { url: receiver.url, events: ['invoice.paid', 'withdrawal.failed', 'invoice.paid'] });
      expect(reply.status, reply.text).toBe(201);
      expect(reply.body.events).toEqual(['invoice.paid', 'withdrawal.failed']);
    });

    it('replays the creation answer, secret included, for the same Idempotency-Key', async () => {
      const first = await createEndpoint(shop, { url: receiver.url }, 'we-create-1');
      const again = await createEndpoint(shop, { url: receiver.url }, 'we-create-1');
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
    });

    it.each<[string, Record<string, unknown>, string, RegExp]>([
      ['a missing url', {}, 'url', /url/],
      ['a url that is not a URL', { url: 'not a url' }, 'url', /absolute/],
      ['a url that is not a string', { url: 42 }, 'url', /./],
      ['a metadata address', { url: 'http://169.254.169.254/latest/meta-data/' }, 'url', /metadata/],
      ['a metadata address spelled in hex', { url: 'http://0xa9fea9fe/' }, 'url', /metadata/],
      ['a metadata host name', { url: 'http://metadata.google.internal/' }, 'url', /metadata/],
      ['a link-local IPv6 address', { url: 'http://[fe80::1]/' }, 'url', /link-local/],
      ['an IPv4-mapped metadata address', { url: 'http://[::ffff:a9fe:a9fe]/' }, 'url', /metadata/],
      ['credentials in the url', { url: 'https://user:pw@93.184.215.14/' }, 'url', /credentials/],
      ['an unknown event type', { url: 'https://93.184.215.14/', events: ['invoice.refunded'] }, 'events.0', /./],
      ['an empty event list', { url: 'https://93.184.215.14/', events: [] }, 'events', /./],
      ['an unknown field', { url: 'https://93.184.215.14/', secret: 'whsec_mine' }, 'secret', /Unknown field/],
    ])('refuses %s with 400 validation_failed', async (_what, body, param, message) => {
      const reply = await createEndpoint(shop, body);
      expect(reply.status, reply.text).toBe(400);
      expect(reply.body.error).toMatchObject({ type: 'invalid_request', code: 'validation_failed', param });
      expect(reply.body.error.message).toMatch(message);
    });

    it('refuses http and loopback/private targets unless the deployment allows them', async () => {
      setEnv({ WEBHOOK_ALLOW_PRIVATE_TARGETS: undefined, WEBHOOK_ALLOW_HTTP: undefined });
      for (const [url, message] of [
        [receiver.url, /https/],
        ['https://127.0.0.1/', /loopback/],
        ['https://2130706433/', /loopback/],
        ['https://[::ffff:7f00:1]/', /loopback/],
        ['https://localhost/', /loopback/],
        ['https://10.1.2.3/', /private/],
        ['https://100.64.0.1/', /private/],
        ['https://[fd12::1]/', /private/],
      ] as const) {
        const reply = await createEndpoint(shop, { url });
        expect(reply.status, url).toBe(400);
        expect(reply.body.error, url).toMatchObject({ code: 'validation_failed', param: 'url', message: expect.stringMatching(message) });
      }
      const ok = await createEndpoint(shop, { url: 'https://93.184.215.14/hooks' });
      expect(ok.status, ok.text).toBe(201);
    });

    it('is for the secret key only', async () => {
      for (const [method, path] of [
        ['POST', '/v1/webhook-endpoints'],
        ['GET', '/v1/webhook-endpoints'],
        ['DELETE', `/v1/webhook-endpoints/${newId(IdPrefix.webhookEndpoint)}`],
        ['GET', '/v1/events'],
        ['GET', `/v1/events/${newId(IdPrefix.event)}`],
        ['GET', `/v1/events/${newId(IdPrefix.event)}/deliveries`],
        ['POST', `/v1/events/${newId(IdPrefix.event)}/redeliver`],
      ] as const) {
        const reply = await api.request(method, path, { key: shop.invoice_key, ...(method === 'POST' ? { body: { url: receiver.url } } : {}) });
        expect(reply.status, `${method} ${path}`).toBe(403);
        expect(reply.body.error.code).toBe('permission_denied');
      }
    });
  });

  describe('GET and DELETE /v1/webhook-endpoints', () => {
    it('lists newest first, pages, and deletes; another merchant cannot see or delete them', async () => {
      const merchant = await api.newMerchant('Lister');
      const created: string[] = [];
      for (let index = 0; index < 3; index++) created.push((await createEndpoint(merchant, { url: `${receiver.url}/${index}` })).body.id);

      const first = await api.request('GET', '/v1/webhook-endpoints?limit=2', { key: merchant.secret_key });
      expect(first.body.data.map((item: { id: string }) => item.id)).toEqual([created[2], created[1]]);
      expect(first.body.has_more).toBe(true);
      const second = await api.request('GET', `/v1/webhook-endpoints?limit=2&cursor=${first.body.next_cursor}`, { key: merchant.secret_key });
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: created[0] })], has_more: false, next_cursor: null });

      const rivalList = await api.request('GET', '/v1/webhook-endpoints', { key: rival.secret_key });
      for (const id of created) expect(rivalList.text).not.toContain(id);

      const missing = newId(IdPrefix.webhookEndpoint);
      expectSameAsMissing(
        await api.request('DELETE', `/v1/webhook-endpoints/${created[1]}`, { key: rival.secret_key }),
        await api.request('DELETE', `/v1/webhook-endpoints/${missing}`, { key: rival.secret_key }),
        created[1]!,
        missing,
      );

      const deleted = await api.request('DELETE', `/v1/webhook-endpoints/${created[1]}`, { key: merchant.secret_key });
      expect(deleted.status, deleted.text).toBe(200);
      expect(deleted.body).toEqual({ id: created[1], deleted: true });
      expect((await api.request('DELETE', `/v1/webhook-endpoints/${created[1]}`, { key: merchant.secret_key })).status).toBe(404);
      const after = await api.request('GET', '/v1/webhook-endpoints', { key: merchant.secret_key });
      expect(after.body.data.map((item: { id: string }) => item.id)).toEqual([created[2], created[0]]);
      expect((await api.request('DELETE', '/v1/webhook-endpoints/we_nonsense', { key: merchant.secret_key })).status).toBe(404);
    });

    it('refuses a 17th endpoint', async () => {
      const merchant = await api.newMerchant('Busy');
      for (let index = 0; index < 16; index++) expect((await createEndpoint(merchant, { url: receiver.url })).status).toBe(201);
      const reply = await createEndpoint(merchant, { url: receiver.url });
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('validation_failed');
    });
  });

  describe('GET /v1/events', () => {
    it('lists the merchant\'s events newest first, filters by type, and shows one event', async () => {
      const merchant = await api.newMerchant('Events');
      const paidEventId = await paidInvoiceEvent(merchant);
      const account = await api.request('POST', '/v1/accounts', { key: merchant.secret_key, body: {} });
      const transfer = await api.request('POST', '/v1/transfers', {
        key: merchant.secret_key,
        body: { from_account_id: merchant.default_account_id, to_account_id: account.body.id, amount_msat: 5_000 },
      });
      expect(transfer.status, transfer.text).toBe(201);

      const all = await api.request('GET', '/v1/events', { key: merchant.secret_key });
      expect(all.status).toBe(200);
      expect(all.body.data.map((event: { type: string }) => event.type)).toEqual(['transfer.completed', 'invoice.paid']);
      expect(all.body).toMatchObject({ has_more: false, next_cursor: null });

      const transfers = await api.request('GET', '/v1/events?type=transfer.completed', { key: merchant.secret_key });
      expect(transfers.body.data).toHaveLength(1);
      expect(transfers.body.data[0].data.object).toMatchObject({ id: transfer.body.id, amount_msat: 5_000 });
      const none = await api.request('GET', '/v1/events?type=withdrawal.failed', { key: merchant.secret_key });
      expect(none.body).toEqual({ data: [], has_more: false, next_cursor: null });

      const bad = await api.request('GET', '/v1/events?type=invoice.refunded', { key: merchant.secret_key });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'validation_failed', param: 'type' });

      const one = await api.request('GET', `/v1/events/${paidEventId}`, { key: merchant.secret_key });
      expect(one.status).toBe(200);
      expect(Object.keys(one.body).sort()).toEqual(['created_at', 'data', 'id', 'type']);
      expect(one.body).toMatchObject({ id: paidEventId, type: 'invoice.paid', data: { object: { status: 'paid', amount_paid_msat: 25_000 } } });
      expect(one.body.data.object).not.toHaveProperty('merchant_id');
      expect(one.body.data.object).not.toHaveProperty('pk');

      const rivalList = await api.request('GET', '/v1/events', { key: rival.secret_key });
      expect(rivalList.text).not.toContain(paidEventId);
      const missing = newId(IdPrefix.event);
      for (const suffix of ['', '/deliveries']) {
        expectSameAsMissing(
          await api.request('GET', `/v1/events/${paidEventId}${suffix}`, { key: rival.secret_key }),
          await api.request('GET', `/v1/events/${missing}${suffix}`, { key: rival.secret_key }),
          paidEventId,
          missing,
        );
      }
      expectSameAsMissing(
        await api.request('POST', `/v1/events/${paidEventId}/redeliver`, { key: rival.secret_key }),
        await api.request('POST', `/v1/events/${missing}/redeliver`, { key: rival.secret_key }),
        paidEventId,
        missing,
      );
    });
  });

  describe('deliveries and redelivery', () => {
    it('shows every attempt of an event, and redelivers it with 202', async () => {
      const merchant = await api.newMerchant('Deliveries');
      const endpoint = await createEndpoint(merchant, { url: receiver.url, events: [EventType.invoicePaid] });
      receiver.secret = endpoint.body.secret;
      const eventId = await paidInvoiceEvent(merchant);

      receiver.reply = () => ({ status: 503 });
      await fanOut(eventId);
      await work();
      expect(receiver.received.at(-1)!.verifyError).toBeUndefined();

      const deliveries = await api.request('GET', `/v1/events/${eventId}/deliveries`, { key: merchant.secret_key });
      expect(deliveries.status, deliveries.text).toBe(200);
      expect(deliveries.body).toEqual({
        data: [
          {
            id: expect.stringMatching(/^dlv_/),
            endpoint_id: endpoint.body.id,
            attempt: 1,
            attempted_at: expect.any(String),
            status: 'failed',
            response_status: 503,
            duration_ms: expect.any(Number),
            error: 'HTTP 503',
          },
        ],
        has_more: false,
        next_cursor: null,
      });

      receiver.reply = () => ({ status: 200 });
      worker.queue.clear(); // the scheduled retry is still minutes away; the merchant asks for it now
      const redeliver = await api.request('POST', `/v1/events/${eventId}/redeliver`, { key: merchant.secret_key });
      expect(redeliver.status, redeliver.text).toBe(202);
      expect(redeliver.body).toEqual({ event_id: eventId, endpoint_ids: [endpoint.body.id] });
      expect(worker.queue.bodies()).toEqual([expect.objectContaining<Partial<DeliveryMessage>>({ event_id: eventId, endpoint_id: endpoint.body.id, attempt: 2, series: 2 })]);
      await work();
      expect(receiver.received.at(-1)!.verifyError).toBeUndefined();

      const page1 = await api.request('GET', `/v1/events/${eventId}/deliveries?limit=1`, { key: merchant.secret_key });
      expect(page1.body.data).toEqual([expect.objectContaining({ attempt: 2, status: 'succeeded', response_status: 200, error: null })]);
      expect(page1.body.has_more).toBe(true);
      const page2 = await api.request('GET', `/v1/events/${eventId}/deliveries?limit=1&cursor=${page1.body.next_cursor}`, { key: merchant.secret_key });
      expect(page2.body).toEqual({ data: [expect.objectContaining({ attempt: 1, status: 'failed' })], has_more: false, next_cursor: null });
      const badCursor = await api.request('GET', `/v1/events/${eventId}/deliveries?cursor=bogus`, { key: merchant.secret_key });
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.error).toMatchObject({ code: 'validation_failed', param: 'cursor' });
      expect(deliveries.text + page1.text + page2.text).not.toContain(endpoint.body.secret.slice('whsec_'.length));
    });

    it('redelivers to one endpoint of the merchant on request, and 404s another merchant\'s endpoint', async () => {
      const merchant = await api.newMerchant('One endpoint');
      const first = await createEndpoint(merchant, { url: receiver.url });
      await createEndpoint(merchant, { url: receiver.url });
      const eventId = await paidInvoiceEvent(merchant);

      const reply = await api.request('POST', `/v1/events/${eventId}/redeliver`, { key: merchant.secret_key, body: { endpoint_id: first.body.id } });
      expect(reply.status, reply.text).toBe(202);
      expect(reply.body.endpoint_ids).toEqual([first.body.id]);

      const theirs = (await createEndpoint(rival, { url: receiver.url })).body.id;
      const missing = newId(IdPrefix.webhookEndpoint);
      const theirsReply = await api.request('POST', `/v1/events/${eventId}/redeliver`, { key: merchant.secret_key, body: { endpoint_id: theirs } });
      const missingReply = await api.request('POST', `/v1/events/${eventId}/redeliver`, { key: merchant.secret_key, body: { endpoint_id: missing } });
      expectSameAsMissing(theirsReply, missingReply, theirs, missing);
      expect(theirsReply.body.error.param).toBe('endpoint_id');
    });
  });
});
