import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { IdempotencyItem } from '../../functions/http/idempotency';
import { findEvent } from '../../functions/lib/events/repository';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { CreatedMerchant } from '../../functions/lib/merchants/create-merchant';
import { Entity, keys, ListKind, merchantListKey } from '../../functions/lib/table/keys';
import { endpointSecretContext, openEndpointSecret, type WebhookEndpointItem } from '../../functions/lib/webhooks/endpoint';
import { deliverWebhookMessage } from '../../functions/lib/webhooks/deliver';
import { fanOutDomainEvent } from '../../functions/lib/webhooks/fan-out';
import { localMasterKeyFile } from '../../functions/lib/webhooks/kms-sealer';
import { useWebhookQueues } from '../../functions/lib/webhooks/queues';
import { localSecretSealer, SecretRefusedError } from '../../functions/lib/webhooks/secret-sealer';
import { newWebhookSecret } from '../../functions/lib/webhooks/signing';
import { localDynamoDbClient } from '../../infra/local/dynamodb-local';
import { runAdmin } from '../../scripts/admin';
import { useApiHarness } from '../support/api-harness';
import { writeExportOfTable } from '../support/export-fixture';
import { dynamoDbEndpoint } from '../support/table';
import { domainEventDetail, handleVisible, putEvent, testWorker, type TestWorker } from './support/fixtures';
import { ManualClock } from './support/manual-clock';
import { startReceiver, type Receiver } from './support/receiver';

/**
 * Webhook signing secrets at rest: the endpoint item, the create call's idempotency record
 * and so every table export hold them only sealed, with the key as the local stack keeps it
 * (a 0600 file under DATA_DIR; KMS in AWS). Real HTTP, real idempotency layer, DynamoDB Local.
 */
describe('webhook secrets at rest', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'secrets-at-rest-'));
  const keyFile = path.join(dataDir, 'webhook-secrets.key');
  const masterKey = localMasterKeyFile(keyFile);
  const api = useApiHarness({ secrets: localSecretSealer(masterKey) });
  const adminEnv = () => ({ DYNAMODB_ENDPOINT: dynamoDbEndpoint(), TABLE_NAME: api.table.name, AWS_REGION: 'us-east-1', DATA_DIR: dataDir });
  /** Every plaintext secret this file saw: none may appear in the table, an export or a log. */
  const secrets = new Set<string>();
  const logSpies: MockInstance[] = [];
  let shop: CreatedMerchant;
  let receiver: Receiver;
  let worker: TestWorker;
  let clock: ManualClock;

  beforeAll(async () => {
    // Every line this run logs, wherever it goes.
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) logSpies.push(vi.spyOn(console, method));
    logSpies.push(vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write'));
    process.env.WEBHOOK_ALLOW_HTTP = 'true';
    process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = 'true';
    receiver = await startReceiver();
    shop = await api.newMerchant('Secret keeper');
    clock = new ManualClock(Date.now());
    worker = testWorker(api.table, clock, { secrets: api.deps.secrets });
    useWebhookQueues({ deliveries: worker.queue, deadLetters: worker.deadLetters });
  });
  afterAll(async () => {
    for (const spy of logSpies) spy.mockRestore();
    useWebhookQueues(undefined);
    delete process.env.WEBHOOK_ALLOW_HTTP;
    delete process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const createEndpoint = async (idempotencyKey?: string) => {
    const reply = await api.request('POST', '/v1/webhook-endpoints', { key: shop.secret_key, body: { url: receiver.url }, ...(idempotencyKey ? { idempotencyKey } : {}) });
    expect(reply.status, reply.text).toBe(201);
    secrets.add(reply.body.secret);
    return reply;
  };
  const rawItem = async <T>(key: { pk: string; sk: string }) => (await api.table.doc.send(new GetCommand({ TableName: api.table.name, Key: key, ConsistentRead: true }))).Item as T;

  /** Fans an event of the shop out to its endpoints, as the bus does. */
  async function fanOutNewEvent() {
    const event = await putEvent(api.table, { merchantId: shop.merchant_id });
    await fanOutDomainEvent({ table: api.table, queue: worker.queue, clock: worker.deps.clock, log: worker.log }, domainEventDetail((await findEvent(api.table, event.id))!));
    clock.set(Math.max(clock.nowMs(), Date.now()));
    return event;
  }

  /**
   * Delivers an event to every endpoint of the shop (all on this receiver); the deliveries
   * that standardwebhooks verifies with `secret`, which must be exactly the endpoint's one.
   */
  async function deliverEventVerifiedWith(secret: string) {
    const event = await fanOutNewEvent();
    await handleVisible(worker);
    const verified = receiver.received.filter((delivery) => {
      if (delivery.headers['webhook-id'] !== event.id) return false;
      try {
        new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    });
    expect(verified).toHaveLength(1);
  }

  it('stores only the sealed secret on the endpoint, bound to it, and signs with it', async () => {
    const created = await createEndpoint();
    const item = await rawItem<WebhookEndpointItem>(keys.webhookEndpoint(created.body.id));
    expect(item.secret).toBeUndefined();
    expect(item.sealed_secret).toMatch(/^v1\./);
    expect(JSON.stringify(item)).not.toContain('whsec_');
    expect(await openEndpointSecret(api.deps.secrets, item)).toBe(created.body.secret);
    // Copied onto another merchant's item, it does not open.
    await expect(api.deps.secrets.open(item.sealed_secret, endpointSecretContext({ merchantId: 'mch_other', endpointId: item.id }))).rejects.toBeInstanceOf(SecretRefusedError);

    await deliverEventVerifiedWith(created.body.secret);
  });

  it('refuses to sign with a sealed secret copied from another endpoint', async () => {
    const [first, second] = [await createEndpoint(), await createEndpoint()];
    const firstItem = await rawItem<WebhookEndpointItem>(keys.webhookEndpoint(first.body.id));
    await api.table.doc.send(
      new UpdateCommand({
        TableName: api.table.name,
        Key: keys.webhookEndpoint(second.body.id),
        UpdateExpression: 'SET sealed_secret = :copied',
        ExpressionAttributeValues: { ':copied': firstItem.sealed_secret },
      }),
    );
    const event = await fanOutNewEvent();
    const results = await Promise.allSettled(worker.queue.takeVisible().map((body) => deliverWebhookMessage(worker.deps, body)));
    // The tampered endpoint is refused (its message comes back, then goes to the DLQ); the intact ones deliver.
    expect(results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason)).toEqual([expect.any(SecretRefusedError)]);
    expect(receiver.received.filter((delivery) => delivery.headers['webhook-id'] === event.id)).toHaveLength(results.length - 1);
    await api.request('DELETE', `/v1/webhook-endpoints/${second.body.id}`, { key: shop.secret_key });
  });

  it('replays the idempotent create byte for byte while its record keeps the answer sealed', async () => {
    const first = await createEndpoint('create-sealed-1');
    const replay = await api.request('POST', '/v1/webhook-endpoints', { key: shop.secret_key, body: { url: receiver.url }, idempotencyKey: 'create-sealed-1' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).toBe(first.text);

    const record = await rawItem<IdempotencyItem>(keys.idempotency(shop.merchant_id, 'create-sealed-1'));
    expect(record.status).toBe('completed');
    expect(record.response_body).toBeUndefined();
    expect(record.response_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(record)).not.toContain('whsec_');

    // Even after the endpoint is deleted, the replay answers what the first call answered (the contract).
    await api.request('DELETE', `/v1/webhook-endpoints/${first.body.id}`, { key: shop.secret_key });
    const afterDelete = await api.request('POST', '/v1/webhook-endpoints', { key: shop.secret_key, body: { url: receiver.url }, idempotencyKey: 'create-sealed-1' });
    expect(afterDelete.text).toBe(first.text);
  });

  it('answers a retry whose first answer was lost with the endpoint it created, its secret opened again', async () => {
    const first = await createEndpoint('create-sealed-lost');
    // As if the first attempt wrote the endpoint and died before keeping its answer.
    await api.table.doc.send(
      new UpdateCommand({
        TableName: api.table.name,
        Key: keys.idempotency(shop.merchant_id, 'create-sealed-lost'),
        UpdateExpression: 'SET #status = :released, locked_until_ms = :zero REMOVE response_sealed, response_status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':released': 'released', ':zero': 0 },
      }),
    );
    const retry = await api.request('POST', '/v1/webhook-endpoints', { key: shop.secret_key, body: { url: receiver.url }, idempotencyKey: 'create-sealed-lost' });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect((await rawItem<IdempotencyItem>(keys.idempotency(shop.merchant_id, 'create-sealed-lost'))).response_sealed).toMatch(/^v1\./);
  });

  it('keeps endpoints written before sealing working, and webhooks:seal-secrets seals them in place (same secret, plaintext removed)', async () => {
    const id = newId(IdPrefix.webhookEndpoint);
    const legacySecret = newWebhookSecret();
    secrets.add(legacySecret);
    // The item as the code before this change wrote it: `secret` in plaintext, no sealed_secret.
    await api.table.doc.send(
      new PutCommand({
        TableName: api.table.name,
        Item: {
          ...keys.webhookEndpoint(id),
          entity: Entity.webhookEndpoint,
          id,
          merchant_id: shop.merchant_id,
          url: receiver.url,
          all_events: true,
          events: [],
          secret: legacySecret,
          status: 'enabled',
          disabled_at: null,
          created_at: new Date().toISOString(),
          ...merchantListKey(shop.merchant_id, ListKind.webhookEndpoints, id),
        },
      }),
    );
    await deliverEventVerifiedWith(legacySecret);

    const lines: string[] = [];
    await runAdmin(['webhooks:seal-secrets'], adminEnv(), (line) => lines.push(line));
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ sealed: [id], skipped: [] }]);
    const item = await rawItem<WebhookEndpointItem>(keys.webhookEndpoint(id));
    expect(item.secret).toBeUndefined();
    expect(await api.deps.secrets.open(item.sealed_secret, endpointSecretContext({ merchantId: shop.merchant_id, endpointId: id }))).toBe(legacySecret);

    await deliverEventVerifiedWith(legacySecret);
    // Safe to run again: nothing left to seal.
    lines.length = 0;
    await runAdmin(['webhooks:seal-secrets'], adminEnv(), (line) => lines.push(line));
    expect(JSON.parse(lines[0]!)).toEqual({ sealed: [], skipped: [] });
  });

  it('refuses to migrate with a key nobody else has', async () => {
    await expect(runAdmin(['webhooks:seal-secrets'], { ...adminEnv(), DATA_DIR: path.join(dataDir, 'elsewhere') }, () => undefined)).rejects.toThrow(/WEBHOOK_SECRETS_KMS_KEY_ARN/);
  });

  it('MUST SHOW: a table export (as the export job takes it) and the run\'s logs contain no webhook secret in any encoding', async () => {
    // One more of each kind, so this test stands on its own too: plain, idempotent with a replay, delivered.
    const plain = await createEndpoint();
    const idempotent = await createEndpoint('create-for-export');
    const replay = await api.request('POST', '/v1/webhook-endpoints', { key: shop.secret_key, body: { url: receiver.url }, idempotencyKey: 'create-for-export' });
    expect(replay.text).toBe(idempotent.text);
    await deliverEventVerifiedWith(plain.body.secret);

    const exportDir = path.join(dataDir, 'export');
    const client = localDynamoDbClient(dynamoDbEndpoint());
    const written = await writeExportOfTable({ client, tableName: api.table.name, dir: exportDir }).finally(() => client.destroy());

    const files = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? walk(path.join(dir, name)) : [path.join(dir, name)]));
    })(exportDir);
    expect(files.length).toBeGreaterThanOrEqual(written.dataFiles.length + 4);
    const contents = files.map((file) => (file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file)));
    const exportText = contents.map((bytes) => bytes.toString('utf8')).join('\n');

    const logText = [
      ...logSpies.flatMap((spy) => spy.mock.calls.map((call) => call.map((part) => (typeof part === 'string' ? part : Buffer.isBuffer(part) ? part.toString('utf8') : JSON.stringify(part) ?? String(part))).join(' '))),
      ...worker.log.lines,
      JSON.stringify(api.loggedErrors),
    ].join('\n');

    expect([...secrets]).toEqual(expect.arrayContaining([plain.body.secret, idempotent.body.secret]));
    type Trace = { text: string } | { bytes: Buffer };
    const forbidden: Trace[] = [...secrets].flatMap((secret): Trace[] => {
      const raw = Buffer.from(secret.slice('whsec_'.length), 'base64');
      const base64 = raw.toString('base64');
      return [
        { text: secret },
        { text: base64 },
        { text: base64.replace(/=+$/, '') },
        { text: raw.toString('base64url') },
        { text: base64.replaceAll('/', '\\/') },
        { text: encodeURIComponent(base64) },
        { text: raw.toString('hex') },
        { text: raw.toString('hex').toUpperCase() },
        { text: Buffer.from(secret).toString('base64') },
        { text: Buffer.from(secret).toString('hex') },
        { bytes: raw },
      ];
    });
    // The local master key too: with it, every sealed value would open.
    forbidden.push({ text: masterKey.toString('base64') }, { text: masterKey.toString('base64url') }, { text: masterKey.toString('hex') }, { bytes: masterKey });

    for (const [where, text, bytes] of [
      ['the export', exportText, contents],
      ['the logs', logText, [Buffer.from(logText)]],
    ] as const) {
      expect(text, where).not.toContain('whsec_');
      for (const trace of forbidden) {
        if ('text' in trace) expect(text.includes(trace.text), `${where} contains ${trace.text.slice(0, 8)}…`).toBe(false);
        else expect(bytes.some((content) => content.includes(trace.bytes)), `${where} contains raw secret bytes`).toBe(false);
      }
    }
    // Not vacuous: the export holds the endpoints and the sealed idempotency answers.
    const items = exportText.split('\n').filter((line) => line.startsWith('{"Item"')).map((line) => JSON.parse(line).Item as Record<string, { S?: string }>);
    expect(items).toHaveLength(written.itemCount);
    const endpoints = items.filter((item) => item.entity?.S === Entity.webhookEndpoint);
    expect(endpoints.map((item) => item.id!.S)).toEqual(expect.arrayContaining([plain.body.id, idempotent.body.id]));
    expect(endpoints.every((item) => item.sealed_secret?.S?.startsWith('v1.') && item.secret === undefined)).toBe(true);
    expect(items.filter((item) => item.response_sealed !== undefined).length).toBeGreaterThanOrEqual(3);
  });
});
