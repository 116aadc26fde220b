import { describe, expect, it } from 'vitest';
import { DURATION_DEFAULTS, readBridgeConfig } from '../../node-bridge/src/config';
import { invoiceCursorName } from '../../node-bridge/src/cursor-store';
import { streamCheckName } from '../../node-bridge/src/bridge';

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
    expect(config.nodes).toEqual([{ id: 'default', connection: expect.objectContaining({ backend: 'lnd', host: 'lnd.internal:10009', macaroon: { kind: 'value', value: Buffer.from([1, 2, 3]) } }) }]);
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

  describe('LOCAL_TIME_SCALE', () => {
    const local = { TABLE_NAME: 't', LND_GRPC_HOST: '127.0.0.1:10009', LND_TLS_CERT_PATH: '/lnd/tls.cert', LND_MACAROON_PATH: '/lnd/admin.macaroon', QUEUE_BACKEND: 'local', BUS_BACKEND: 'local', LOCAL_QUEUE_TABLE: 't-local-queues' };
    /** Every duration of the config, by the variable it comes from. */
    const durations = (config: ReturnType<typeof readBridgeConfig>): Record<keyof typeof DURATION_DEFAULTS, number> => ({
      QUEUE_WAIT_TIME_SEC: config.payouts.waitTimeSec,
      PAYOUT_TIMEOUT_SEC: config.payouts.paymentTimeoutSec,
      PAYOUT_VISIBILITY_TIMEOUT_SEC: config.payouts.visibilityTimeoutSec,
      PAYOUT_RETRY_DELAY_SEC: config.payouts.retryDelaySec,
      PAYOUT_MAX_TRACK_SEC: config.payouts.maxTrackSec,
      PAYOUT_RECHECK_DELAY_SEC: config.payouts.recheckDelaySec,
      CANCEL_VISIBILITY_TIMEOUT_SEC: config.cancels.visibilityTimeoutSec,
      CANCEL_RETRY_DELAY_SEC: config.cancels.retryDelaySec,
      INVOICE_RECONNECT_BASE_MS: config.invoices.reconnectBaseMs,
      INVOICE_RECONNECT_MAX_MS: config.invoices.reconnectMaxMs,
      INVOICE_CATCH_UP_INTERVAL_MS: config.invoices.catchUpIntervalMs,
      PUBLISH_RETRY_BASE_MS: config.publish.retryBaseMs,
      PUBLISH_RETRY_MAX_MS: config.publish.retryMaxMs,
      LIQUIDITY_INTERVAL_MS: config.liquidity.intervalMs,
      LIQUIDITY_ALERT_REPEAT_MS: config.liquidity.alertRepeatMs,
      SHUTDOWN_GRACE_MS: config.shutdownGraceMs,
    });
    /** What must never scale. */
    const exact = (config: ReturnType<typeof readBridgeConfig>) => ({
      payoutConcurrency: config.payouts.concurrency,
      cancelConcurrency: config.cancels.concurrency,
      maxReceiveCount: config.queues.backend === 'local' ? config.queues.payoutMaxReceiveCount : undefined,
      pollIntervalMs: config.queues.backend === 'local' ? config.queues.pollIntervalMs : undefined,
      listPageSize: config.invoices.listPageSize,
      minOutboundMsat: config.liquidity.minOutboundMsat,
      http: config.http,
    });

    it('is 1 by default: the production defaults, whole numbers', () => {
      const config = readBridgeConfig(local, readFile);
      expect(config.timeScale).toBe(1);
      expect(durations(config)).toEqual(DURATION_DEFAULTS);
      expect(durations(readBridgeConfig(aws, readFile))).toEqual(DURATION_DEFAULTS);
      expect(config.payouts).toMatchObject({ visibilityTimeoutSec: 60, maxTrackSec: 15, recheckDelaySec: 30, paymentTimeoutSec: 60 });
    });

    it('multiplies the default of every duration, fractions kept, and leaves counts exact', () => {
      const unscaled = readBridgeConfig(local, readFile);
      const config = readBridgeConfig({ ...local, LOCAL_TIME_SCALE: '0.01' }, readFile);
      expect(config.timeScale).toBe(0.01);
      for (const [name, value] of Object.entries(durations(config))) {
        expect(value, name).toBeCloseTo(DURATION_DEFAULTS[name as keyof typeof DURATION_DEFAULTS] * 0.01, 9);
      }
      expect(config.payouts).toMatchObject({ visibilityTimeoutSec: 0.6, maxTrackSec: 0.15, recheckDelaySec: 0.3, paymentTimeoutSec: 0.6, waitTimeSec: 0.2 });
      expect(exact(config)).toEqual(exact(unscaled));
      expect(exact(config)).toMatchObject({ payoutConcurrency: 8, cancelConcurrency: 4, maxReceiveCount: 10, pollIntervalMs: 100 });
      expect(readBridgeConfig({ ...local, LOCAL_TIME_SCALE: '2.5' }, readFile).payouts.visibilityTimeoutSec).toBe(150);
    });

    it('takes a duration given explicitly as-is, unscaled', () => {
      const config = readBridgeConfig({ ...local, LOCAL_TIME_SCALE: '0.01', PAYOUT_VISIBILITY_TIMEOUT_SEC: '3', INVOICE_RECONNECT_BASE_MS: '50', SHUTDOWN_GRACE_MS: '0' }, readFile);
      expect(config.payouts.visibilityTimeoutSec).toBe(3);
      expect(config.invoices.reconnectBaseMs).toBe(50);
      expect(config.shutdownGraceMs).toBe(0);
      expect(config.payouts.maxTrackSec).toBeCloseTo(0.15, 9);
      // Explicit values keep their whole-number parsing.
      expect(() => readBridgeConfig({ ...local, LOCAL_TIME_SCALE: '0.01', PAYOUT_MAX_TRACK_SEC: '0.5' }, readFile)).toThrow(/PAYOUT_MAX_TRACK_SEC must be a whole number/);
      // An empty variable is unset, so it is scaled.
      expect(readBridgeConfig({ ...local, LOCAL_TIME_SCALE: '0.5', PAYOUT_RECHECK_DELAY_SEC: '' }, readFile).payouts.recheckDelaySec).toBe(15);
    });

    it('must be a positive number', () => {
      for (const bad of ['0', '0.0', '-1', 'fast', '1e-2', '.']) {
        expect(() => readBridgeConfig({ ...local, LOCAL_TIME_SCALE: bad }, readFile), bad).toThrow(/LOCAL_TIME_SCALE must be a positive number/);
      }
      expect(readBridgeConfig({ ...local, LOCAL_TIME_SCALE: '.5' }, readFile).timeScale).toBe(0.5);
    });

    it('is refused with SQS or EventBridge: production never scales time', () => {
      const refused = /LOCAL_TIME_SCALE is for the local stack only: it needs QUEUE_BACKEND=local and BUS_BACKEND=local/;
      expect(() => readBridgeConfig({ ...aws, LOCAL_TIME_SCALE: '0.01' }, readFile)).toThrow(refused);
      // Even a scale of 1, and even with only one of the two backends on AWS.
      expect(() => readBridgeConfig({ ...aws, LOCAL_TIME_SCALE: '1' }, readFile)).toThrow(refused);
      expect(() => readBridgeConfig({ ...aws, BUS_BACKEND: 'local', LOCAL_QUEUE_TABLE: 'q', LOCAL_TIME_SCALE: '0.5' }, readFile)).toThrow(refused);
      expect(() => readBridgeConfig({ ...local, BUS_BACKEND: 'eventbridge', EVENT_BUS_NAME: 'b', LOCAL_TIME_SCALE: '0.5' }, readFile)).toThrow(refused);
    });
  });

  describe('LIGHTNING_NODES: several nodes', () => {
    const { LND_GRPC_HOST: _host, LND_TLS_CERT_PATH: _cert, LND_MACAROON_PATH: _macaroon, ...withoutNode } = aws;
    const caPem = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
    const keyPem = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1saW5l\n-----END PRIVATE KEY-----\n';
    const lndA = { id: 'lnd-a', backend: 'lnd', grpc_host: 'lnd-a.internal:10009', tls_cert_path: '/lnd/tls.cert', macaroon_path: '/lnd/admin.macaroon' };
    const clnB = { id: 'cln-b', backend: 'cln', grpc_host: 'cln-b.internal:9736', ca_cert_pem: caPem, client_cert_pem: caPem, client_key_pem: keyPem };
    const withNodes = (nodes: unknown, extra: Record<string, string> = {}) => readBridgeConfig({ ...withoutNode, LIGHTNING_NODES: JSON.stringify(nodes), ...extra }, readFile);

    it('reads each entry as the single-node variables of its backend, in order: files or values', () => {
      const config = withNodes([lndA, clnB, { ...lndA, id: 'lnd-c', grpc_host: '10.0.0.7:10009', tls_cert_path: undefined, tls_cert_pem: caPem, macaroon_path: undefined, macaroon_hex: '0a0b' }]);
      expect(config.nodes.map((node) => node.id)).toEqual(['lnd-a', 'cln-b', 'lnd-c']);
      expect(config.nodes[0]!.connection).toEqual({ backend: 'lnd', host: 'lnd-a.internal:10009', tlsCert: { kind: 'value', value: Buffer.from('PEM') }, macaroon: { kind: 'value', value: Buffer.from([1, 2, 3]) } });
      expect(config.nodes[1]!.connection).toEqual({
        backend: 'cln',
        host: 'cln-b.internal:9736',
        caCert: { kind: 'value', value: Buffer.from(caPem) },
        clientCert: { kind: 'value', value: Buffer.from(caPem) },
        clientKey: { kind: 'value', value: Buffer.from(keyPem) },
      });
      expect(config.nodes[2]!.connection).toMatchObject({ host: '10.0.0.7:10009', macaroon: { kind: 'value', value: Buffer.from([10, 11]) } });
    });

    it('takes one node, and a node called default (the single node moved into the list)', () => {
      expect(withNodes([{ ...lndA, id: 'default' }]).nodes.map((node) => node.id)).toEqual(['default']);
    });

    it('names the entry and the field of every problem, and never echoes a value', () => {
      const secretHex = 'cafe'.repeat(16);
      const attempt = () =>
        withNodes([
          { ...lndA, grpc_host: 'no-port' },
          { ...clnB, id: 'cln-b', client_key_pem: undefined, macaroon_hex: secretHex },
          { ...lndA, id: 'Lnd_A' },
          { ...lndA, macaroon_path: undefined, macaroon_hex: secretHex, tls_cert_path: '/missing' },
          { ...clnB, id: 'x'.repeat(33), backend: 'eclair' },
          { ...lndA, id: 'lnd-e', grpc_host: 10009 },
          'lnd-f',
        ]);
      const problems = (() => {
        try {
          attempt();
        } catch (error) {
          return (error as Error).message;
        }
        throw new Error('accepted');
      })();
      expect(problems).toContain('LIGHTNING_NODES[0] (lnd-a): grpc_host must be host:port, e.g. 127.0.0.1:10009');
      expect(problems).toContain('LIGHTNING_NODES[1] (cln-b): unknown field macaroon_hex (a cln node takes grpc_host, ca_cert_path, ca_cert_pem, client_cert_path, client_cert_pem, client_key_path, client_key_pem)');
      expect(problems).toContain("LIGHTNING_NODES[1] (cln-b): set exactly one of client_key_path or client_key_pem (cln-grpc's client-key.pem)");
      expect(problems).toContain('LIGHTNING_NODES[2]: id must be 1 to 32 characters of a-z, 0-9 and -');
      expect(problems).toContain("LIGHTNING_NODES[3]: id lnd-a is already LIGHTNING_NODES[0]'s; ids must be unique");
      expect(problems).toContain('LIGHTNING_NODES[3] (lnd-a): tls_cert_path: cannot read /missing');
      expect(problems).toContain('LIGHTNING_NODES[4]: id must be 1 to 32');
      expect(problems).toContain('LIGHTNING_NODES[4]: backend must be one of lnd, cln');
      expect(problems).toContain('LIGHTNING_NODES[5] (lnd-e): grpc_host must be a non-empty string');
      expect(problems).toContain('LIGHTNING_NODES[6] must be an object with id, backend and the node');
      expect(problems).not.toContain(secretHex);
      expect(problems).not.toContain('c2VjcmV0LWtleS1saW5l');
    });

    it('refuses JSON that is not a list of nodes without quoting it', () => {
      const secretHex = 'beef'.repeat(16);
      const broken = () => readBridgeConfig({ ...withoutNode, LIGHTNING_NODES: `[{"id":"lnd-a","macaroon_hex":"${secretHex}"` }, readFile);
      expect(broken).toThrow(/LIGHTNING_NODES must be a JSON list of nodes, e.g. \[\{"id":"lnd-a"/);
      expect(broken).not.toThrow(new RegExp(secretHex));
      expect(() => withNodes([])).toThrow(/LIGHTNING_NODES must be a non-empty JSON list/);
      expect(() => withNodes(lndA)).toThrow(/LIGHTNING_NODES must be a non-empty JSON list/);
    });

    it('gives the bridge only files and values: a secret id is not a field of its nodes', () => {
      expect(() => withNodes([{ ...lndA, tls_cert_path: undefined, tls_cert_secret_arn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' }])).toThrow(
        /LIGHTNING_NODES\[0\] \(lnd-a\): unknown field tls_cert_secret_arn \(a lnd node takes grpc_host, tls_cert_path, tls_cert_base64, tls_cert_pem, macaroon_path, macaroon_hex\)/,
      );
    });

    it('refuses the single-node variables beside it rather than guess which node they mean', () => {
      expect(() => withNodes([clnB], { LND_GRPC_HOST: 'lnd.internal:10009', LIGHTNING_BACKEND: 'lnd' })).toThrow(
        /LIGHTNING_NODES names the nodes, so LIGHTNING_BACKEND, LND_GRPC_HOST must be unset/,
      );
      // The single-node variables alone still name the one node they always did.
      expect(readBridgeConfig(aws, readFile).nodes.map((node) => node.id)).toEqual(['default']);
    });

    it("gives the default node the cursor and readiness check it always had, every other node its own", () => {
      expect(invoiceCursorName('default')).toBe('invoices');
      expect(invoiceCursorName('lnd-a')).toBe('invoices#lnd-a');
      expect(streamCheckName('default')).toBe('invoiceStream');
      expect(streamCheckName('cln-b')).toBe('invoiceStream:cln-b');
    });
  });
});
