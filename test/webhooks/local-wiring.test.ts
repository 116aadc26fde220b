import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BusSource, LedgerDetailType } from '../../functions/lib/bus/bus-events';
import { LocalBus } from '../../infra/local/aws/local-bus';
import { EventType } from '../../functions/lib/events/event';
import { LocalQueues } from '../../infra/local/aws/local-queue';
import { createTable, type Table } from '../../functions/lib/table/client';
import { AttemptStatus, DeliveryStateStatus } from '../../functions/lib/webhooks/delivery';
import { allDeliveriesOf, findDeliveryState } from '../../functions/lib/webhooks/delivery-repository';
import { startLocalWebhooks, type LocalWebhooks } from '../../infra/local/webhooks';
import { localDynamoDbClient } from '../../infra/local/dynamodb-local';
import { ensureLocalQueueTable, localQueueTableName } from '../../infra/local/aws/local-queue-table';
import { dynamoDbEndpoint, useTestTable } from '../support/table';
import { capturingLog, domainEventDetail, localSettings, newMerchantId, putEndpoint, putEvent, testSecrets } from './support/fixtures';
import { startReceiver, type Receiver } from './support/receiver';

/**
 * The local stack's wiring, in real time: a DomainEvent published on the local bus (as the
 * outbox publishes it) reaches the fan-out rule, its delivery goes through the DynamoDB-backed
 * local queue to the delivery worker, and the receiver gets it signed.
 */
describe('webhooks on the local stack', () => {
  const table = useTestTable();
  let queueTable: Table;
  let bus: LocalBus;
  let webhooks: LocalWebhooks;
  let receiver: Receiver;
  const log = capturingLog();

  beforeAll(async () => {
    const endpoint = dynamoDbEndpoint();
    const admin = localDynamoDbClient(endpoint);
    await ensureLocalQueueTable(admin, localQueueTableName(table.name));
    admin.destroy();
    queueTable = createTable(localQueueTableName(table.name), { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const queues = new LocalQueues(queueTable, { pollIntervalMs: 50 });
    bus = new LocalBus({ queues, ingressPollIntervalMs: 50, timeScale: 0.05, waitTimeSec: 1 });
    webhooks = startLocalWebhooks({ table, queues, addRule: (rule) => bus.addRule(rule), settings: localSettings(2_000), secrets: testSecrets, log, waitTimeSec: 1, expiryIntervalMs: 0 });
    bus.start();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await webhooks?.stop();
    await bus?.stop();
    await receiver?.close();
    await queueTable?.doc.send(new DeleteTableCommand({ TableName: queueTable.name })).catch(() => undefined);
    queueTable?.doc.destroy();
  });

  async function publish(merchantId: string, type: EventType = EventType.invoicePaid) {
    const event = await putEvent(table, { merchantId, type });
    const result = await bus.putEvents([{ source: BusSource.ledger, detailType: LedgerDetailType.domainEvent, detail: domainEventDetail(event) }]);
    expect(result.failed).toEqual([]);
    return event;
  }

  it('delivers a domain event from the bus to the endpoint, signed, and logs it', async () => {
    const merchantId = newMerchantId();
    const endpoint = await putEndpoint(table, { merchantId, url: receiver.url });
    receiver.secret = endpoint.signingSecret;
    receiver.reply = () => ({ status: 200 });

    const event = await publish(merchantId);

    await vi.waitFor(() => expect(receiver.received.some((delivery) => delivery.headers['webhook-id'] === event.id)).toBe(true), { timeout: 15_000, interval: 50 });
    const delivery = receiver.received.find((item) => item.headers['webhook-id'] === event.id)!;
    expect(delivery.verifyError).toBeUndefined();
    expect(delivery.payload).toMatchObject({ id: event.id, type: 'invoice.paid' });
    await vi.waitFor(async () => expect((await findDeliveryState(table, event.id, endpoint.id))?.status).toBe(DeliveryStateStatus.succeeded), { timeout: 5_000, interval: 50 });
    expect(await allDeliveriesOf(table, event.id)).toEqual([expect.objectContaining({ attempt: 1, status: AttemptStatus.succeeded, response_status: 200 })]);
  });

  it('retries after a failure through the local queue, about 5 s later in real time', async () => {
    const merchantId = newMerchantId();
    const endpoint = await putEndpoint(table, { merchantId, url: receiver.url });
    receiver.secret = endpoint.signingSecret;
    let calls = 0;
    receiver.reply = (request) => (request.headers['webhook-id'] && ++calls === 1 ? { status: 500 } : { status: 200 });

    const event = await publish(merchantId, EventType.transferCompleted);

    await vi.waitFor(async () => expect((await findDeliveryState(table, event.id, endpoint.id))?.status).toBe(DeliveryStateStatus.succeeded), { timeout: 20_000, interval: 100 });
    const attempts = (await allDeliveriesOf(table, event.id)).sort((a, b) => a.attempt - b.attempt);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.status, attempt.response_status])).toEqual([
      [1, AttemptStatus.failed, 500],
      [2, AttemptStatus.succeeded, 200],
    ]);
    const gapMs = Date.parse(attempts[1]!.attempted_at) - Date.parse(attempts[0]!.attempted_at);
    expect(gapMs).toBeGreaterThanOrEqual(5_000);
    expect(gapMs).toBeLessThan(10_000);
  });
});
