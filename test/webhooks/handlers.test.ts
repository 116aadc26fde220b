import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusSource, LedgerDetailType, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { ConfigError } from '../../functions/lib/runtime/env';
import type { DeliveryMessage } from '../../functions/lib/webhooks/delivery';
import { allDeliveriesOf } from '../../functions/lib/webhooks/delivery-repository';
import { readWebhookSettings } from '../../functions/lib/webhooks/config';
import { webhookQueuesFromEnv } from '../../functions/lib/webhooks/queues';
import { silentLog } from '../../functions/lib/runtime/log';
import { createDeliveryHandler } from '../../functions/webhook-delivery/handler';
import { createFanOutHandler, type DomainBusEvent } from '../../functions/webhook-fanout/handler';
import { useTestTable } from '../support/table';
import { domainEventDetail, newMerchantId, putEndpoint, putEvent, testWorker } from './support/fixtures';
import { ManualClock } from './support/manual-clock';
import { startReceiver, type Receiver } from './support/receiver';

const busEvent = (source: string, detailType: string, detail: unknown): DomainBusEvent => ({
  version: '0',
  id: 'e1',
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'local',
  resources: [],
  detail,
});

const sqsRecord = (messageId: string, body: string): SQSRecord => ({ messageId, body }) as SQSRecord;

describe('Lambda entry points', () => {
  const table = useTestTable();
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('fan-out: takes DomainEvents from the ledger and ignores everything else', async () => {
    const clock = new ManualClock();
    const worker = testWorker(table, clock);
    const merchantId = newMerchantId();
    await putEndpoint(table, { merchantId, url: receiver.url });
    const event = await putEvent(table, { merchantId });
    const fanOut = createFanOutHandler({ table, queue: worker.queue, clock, log: worker.log });

    await fanOut(busEvent(BusSource.node, NodeDetailType.invoiceSettled, domainEventDetail(event)));
    expect(worker.queue.size).toBe(0);
    await fanOut(busEvent(BusSource.ledger, LedgerDetailType.domainEvent, domainEventDetail(event)));
    expect((worker.queue.bodies() as DeliveryMessage[]).map((message) => message.event_id)).toEqual([event.id]);
    await expect(fanOut(busEvent(BusSource.ledger, LedgerDetailType.domainEvent, { merchant_id: 'nope' }))).rejects.toThrow();
  });

  it('delivery: handles a batch side by side and reports only the records that failed', async () => {
    const clock = new ManualClock();
    const worker = testWorker(table, clock);
    const merchantId = newMerchantId();
    const endpoint = await putEndpoint(table, { merchantId, url: receiver.url });
    receiver.secret = endpoint.signingSecret;
    const event = await putEvent(table, { merchantId });
    await createFanOutHandler({ table, queue: worker.queue, clock, log: worker.log })(busEvent(BusSource.ledger, LedgerDetailType.domainEvent, domainEventDetail(event)));
    const [body] = worker.queue.takeVisible();

    const handler = createDeliveryHandler(worker.deps);
    const result = await handler({ Records: [sqsRecord('good', body!), sqsRecord('bad', '{"event_id": 1}')] } as SQSEvent);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(receiver.received.at(-1)!.verifyError).toBeUndefined();
    expect(await allDeliveriesOf(table, event.id)).toHaveLength(1);
  });

  it('configuration: refuses bad settings with a message naming the variable', () => {
    expect(() => readWebhookSettings({ WEBHOOK_ALLOW_HTTP: 'yes' })).toThrow(/WEBHOOK_ALLOW_HTTP/);
    expect(() => readWebhookSettings({ WEBHOOK_TIMEOUT_MS: '60000' })).toThrow(/WEBHOOK_TIMEOUT_MS/);
    expect(readWebhookSettings({})).toEqual({ policy: { allowHttp: false, allowPrivateTargets: false }, timeoutMs: 15_000 });
    expect(() => webhookQueuesFromEnv(silentLog, {})).toThrow(ConfigError);
    expect(() => webhookQueuesFromEnv(silentLog, {})).toThrow(/WEBHOOK_QUEUE_URL/);
  });
});
