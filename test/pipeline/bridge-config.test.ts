import { describe, expect, it } from 'vitest';
import { readBridgeConfig } from '../../node-bridge/src/config';

const files: Record<string, Buffer> = { '/lnd/tls.cert': Buffer.from('PEM'), '/lnd/admin.macaroon': Buffer.from([1, 2, 3]) };
const readFile = (path: string): Buffer => {
  const file = files[path];
  if (!file) throw new Error('ENOENT');
  return file;
};

const aws = {
  TABLE_NAME: 'payments',
  LND_GRPC_HOST: 'lnd.internal:10009',
  LND_TLS_CERT_PATH: '/lnd/tls.cert',
  LND_MACAROON_PATH: '/lnd/admin.macaroon',
  PAYOUT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/payout',
  INVOICE_CANCEL_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/cancel',
  EVENT_BUS_NAME: 'payments',
};

describe('node-bridge configuration from the environment', () => {
  it('defaults to SQS and EventBridge, port 9090 on loopback, and reads the credentials from files', () => {
    const config = readBridgeConfig(aws, readFile);
    expect(config.queues).toEqual({ backend: 'sqs', payoutQueueUrl: aws.PAYOUT_QUEUE_URL, invoiceCancelQueueUrl: aws.INVOICE_CANCEL_QUEUE_URL });
    expect(config.bus).toEqual({ backend: 'eventbridge', eventBusName: 'payments' });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(config.lnd.macaroon).toEqual(Buffer.from([1, 2, 3]));
    expect(config.payouts.paymentTimeoutSec).toBe(60);
  });

  it('names every missing or bad variable in one line, and never echoes a credential', () => {
    const secretHex = 'deadbeef'.repeat(8);
    const attempt = () =>
      readBridgeConfig({ ...aws, TABLE_NAME: '', LND_GRPC_HOST: 'no-port', LND_MACAROON_PATH: undefined, LND_MACAROON_HEX: secretHex, PAYOUT_CONCURRENCY: 'lots', EVENT_BUS_NAME: '' }, readFile);
    expect(attempt).toThrow(/TABLE_NAME/);
    expect(attempt).toThrow(/LND_GRPC_HOST must be host:port/);
    expect(attempt).toThrow(/PAYOUT_CONCURRENCY must be a whole number/);
    expect(attempt).toThrow(/EVENT_BUS_NAME/);
    expect(attempt).not.toThrow(new RegExp(secretHex));
  });

  it('wants exactly one source per credential, and a readable file', () => {
    expect(() => readBridgeConfig({ ...aws, LND_MACAROON_HEX: 'abcd' }, readFile)).toThrow(/exactly one of LND_MACAROON_PATH or LND_MACAROON_HEX/);
    expect(() => readBridgeConfig({ ...aws, LND_TLS_CERT_PATH: '/missing' }, readFile)).toThrow(/LND_TLS_CERT_PATH: cannot read \/missing/);
  });

  it('runs on the local stack with DynamoDB-backed queues and bus', () => {
    const config = readBridgeConfig(
      { TABLE_NAME: 't', LND_GRPC_HOST: '127.0.0.1:10009', LND_TLS_CERT_PATH: '/lnd/tls.cert', LND_MACAROON_PATH: '/lnd/admin.macaroon', QUEUE_BACKEND: 'local', BUS_BACKEND: 'local', LOCAL_QUEUE_TABLE: 't-local-queues', BRIDGE_HTTP_PORT: '0' },
      readFile,
    );
    expect(config.queues).toMatchObject({ backend: 'local', tableName: 't-local-queues', payoutQueueName: 'payout', invoiceCancelQueueName: 'invoice-cancel' });
    expect(config.bus).toMatchObject({ backend: 'local', ingressQueueName: 'bus-ingress' });
    expect(config.http.port).toBe(0);
    expect(() => readBridgeConfig({ ...aws, QUEUE_BACKEND: 'local' }, readFile)).toThrow(/LOCAL_QUEUE_TABLE/);
  });
});
