import { describe, expect, it } from 'vitest';
import { readApiConfig } from '../../functions/lib/config';
import { ConfigError } from '../../functions/lib/runtime/env';
import { dependenciesFromEnv } from '../../functions/http/dependencies';

const files: Record<string, Buffer> = { '/lnd/tls.cert': Buffer.from('PEM'), '/lnd/invoice.macaroon': Buffer.from([2, 1, 3]) };
const readFile = (path: string) => {
  const file = files[path];
  if (!file) throw new Error(`ENOENT ${path}`);
  return file;
};
const valid = {
  TABLE_NAME: 'payments',
  PUBLIC_BASE_URL: 'https://pay.example.com/',
  LND_GRPC_HOST: 'lnd.internal:10009',
  LND_TLS_CERT_PATH: '/lnd/tls.cert',
  LND_INVOICE_MACAROON_PATH: '/lnd/invoice.macaroon',
};

describe('API configuration from the environment', () => {
  it('reads a complete environment, with defaults', () => {
    const config = readApiConfig(valid, readFile);
    expect(config).toMatchObject({ tableName: 'payments', publicBaseUrl: 'https://pay.example.com', maxInvoiceMsat: 100_000_000_000, dynamoDbEndpoint: undefined });
    expect(config.expectedNetwork).toBeUndefined();
    expect(config.node).toEqual({
      backend: 'lnd',
      host: 'lnd.internal:10009',
      tlsCert: { kind: 'value', value: Buffer.from('PEM') },
      macaroon: { kind: 'value', value: Buffer.from([2, 1, 3]) },
    });
  });

  it('takes the certificate as base64 and the macaroon as hex instead of files', () => {
    const { LND_TLS_CERT_PATH: _cert, LND_INVOICE_MACAROON_PATH: _macaroon, ...rest } = valid;
    const config = readApiConfig({ ...rest, LND_TLS_CERT_BASE64: Buffer.from('PEM').toString('base64'), LND_INVOICE_MACAROON_HEX: '020103', MAX_INVOICE_MSAT: '5000000' }, readFile);
    expect(config.node).toMatchObject({ tlsCert: { kind: 'value', value: Buffer.from('PEM') }, macaroon: { kind: 'value', value: Buffer.from([2, 1, 3]) } });
    expect(config.maxInvoiceMsat).toBe(5_000_000);
  });

  it('takes both from Secrets Manager, as the stack configures it, and the deployment’s network', () => {
    const { LND_TLS_CERT_PATH: _cert, LND_INVOICE_MACAROON_PATH: _macaroon, ...rest } = valid;
    const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
    const env = { ...rest, LND_NETWORK: 'mainnet', LND_TLS_CERT_SECRET_ARN: arn('tls'), LND_INVOICE_MACAROON_SECRET_ARN: arn('macaroon') };
    const config = readApiConfig(env, readFile);
    expect(config.expectedNetwork).toBe('mainnet');
    expect(config.node).toEqual({
      backend: 'lnd',
      host: 'lnd.internal:10009',
      tlsCert: { kind: 'secret', secretId: arn('tls'), encoding: 'utf8' },
      macaroon: { kind: 'secret', secretId: arn('macaroon'), encoding: 'hex' },
    });
    // Nothing is fetched while building: routes that never talk to the node never read the secrets.
    expect(() => dependenciesFromEnv(env)).not.toThrow();
  });

  it.each([
    [{ TABLE_NAME: undefined }, /TABLE_NAME/],
    [{ TABLE_NAME: '' }, /TABLE_NAME/],
    [{ PUBLIC_BASE_URL: 'pay.example.com' }, /PUBLIC_BASE_URL/],
    [{ MAX_INVOICE_MSAT: '1e9' }, /MAX_INVOICE_MSAT/],
    [{ MAX_INVOICE_MSAT: '999' }, /MAX_INVOICE_MSAT must be at least 1000/],
    [{ MAX_INVOICE_MSAT: '90071992547409930' }, /MAX_INVOICE_MSAT is too large/],
    [{ LND_GRPC_HOST: 'lnd.internal' }, /LND_GRPC_HOST must be host:port/],
    [{ LND_TLS_CERT_PATH: undefined }, /LND_TLS_CERT_PATH/],
    [{ LND_TLS_CERT_BASE64: 'UEVN' }, /exactly one of LND_TLS_CERT_PATH/],
    [{ LND_TLS_CERT_SECRET_ARN: 'arn:x' }, /exactly one of LND_TLS_CERT_PATH/],
    [{ LND_NETWORK: 'bitcoin' }, /LND_NETWORK must be one of mainnet/],
    [{ LND_INVOICE_MACAROON_PATH: '/lnd/admin.macaroon' }, /LND_INVOICE_MACAROON_PATH: cannot read \/lnd\/admin.macaroon/],
    [{ LND_INVOICE_MACAROON_PATH: undefined, LND_INVOICE_MACAROON_HEX: 'zz' }, /LND_INVOICE_MACAROON_HEX must be hex/],
  ])('names the bad variable: %o', (change, message) => {
    const env: Record<string, string | undefined> = { ...valid, ...change };
    expect(() => readApiConfig(env, readFile)).toThrow(ConfigError);
    expect(() => readApiConfig(env, readFile)).toThrow(message);
  });

  it('fails when the dependencies are built, not on the first request', () => {
    expect(() => dependenciesFromEnv({ TABLE_NAME: 'x' })).toThrow(/Invalid configuration: .*PUBLIC_BASE_URL/);
  });
});
