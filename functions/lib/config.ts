import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_MAX_INVOICE_MSAT, MIN_INVOICE_MSAT } from './money';
import { ConfigError, parseEnv } from './runtime/env';

/**
 * The API functions' configuration, read from the environment once at start-up and
 * validated, so a bad deployment fails when the handler is built with a message naming
 * the variable, not on the first request.
 */
export interface ApiConfig {
  tableName: string;
  /** DynamoDB endpoint override (DynamoDB Local); the SDK's default chain when unset. */
  dynamoDbEndpoint: string | undefined;
  region: string | undefined;
  /** Origin the checkout pages are served from: checkout_url = `${publicBaseUrl}/checkout/${id}`. */
  publicBaseUrl: string;
  maxInvoiceMsat: number;
  /** Requests per second one merchant may make (shared by all its keys and all instances); the admin CLI can set another per merchant. */
  merchantRateLimit: number;
  lnd: LndInvoiceConnection;
}

/** How API functions reach LND: always with the invoice macaroon, never the admin one. */
export interface LndInvoiceConnection {
  /** host:port of LND's gRPC interface. */
  host: string;
  /** The network the deployment is for; the node must be on it. undefined: whatever the node says. */
  expectedNetwork: string | undefined;
  /** PEM of the node's tls.cert. */
  tlsCert: Credential;
  /** The invoice macaroon's bytes. */
  macaroon: Credential;
}

/**
 * A credential given directly (a file read at start-up, or the value in the environment)
 * or by a Secrets Manager secret, fetched when the node is first needed: only the routes
 * that talk to the node may read the secrets, the others never try.
 */
export type Credential =
  | { kind: 'value'; value: Buffer }
  /** SecretString: the PEM for the certificate, hex for the macaroon. */
  | { kind: 'secret'; secretId: string; encoding: 'utf8' | 'hex' };

/** Requests per second per merchant when the deployment does not say (the stage-wide API Gateway limit is 50/s). */
export const DEFAULT_MERCHANT_RATE_LIMIT = 25;

export const LND_NETWORKS = ['mainnet', 'testnet', 'testnet4', 'signet', 'regtest', 'simnet'] as const;

const integerString = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform((value) => Number(value))
    .refine(Number.isSafeInteger, `${name} is too large`);

const envSchema = z
  .object({
    TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the DynamoDB table'),
    DYNAMODB_ENDPOINT: z.url('DYNAMODB_ENDPOINT must be a URL such as http://127.0.0.1:8000').optional(),
    AWS_REGION: z.string().min(1).optional(),
    PUBLIC_BASE_URL: z
      .url('PUBLIC_BASE_URL must be the https:// origin of the checkout pages')
      .refine((url) => /^https?:\/\//.test(url), 'PUBLIC_BASE_URL must start with http:// or https://'),
    MAX_INVOICE_MSAT: integerString('MAX_INVOICE_MSAT')
      .refine((value) => value >= MIN_INVOICE_MSAT, `MAX_INVOICE_MSAT must be at least ${MIN_INVOICE_MSAT}`)
      .optional(),
    MERCHANT_RATE_LIMIT: integerString('MERCHANT_RATE_LIMIT')
      .refine((value) => value >= 1, 'MERCHANT_RATE_LIMIT must be at least 1')
      .optional(),
    LND_GRPC_HOST: z.string().regex(/^[^\s:]+:\d+$/, 'LND_GRPC_HOST must be host:port, e.g. 127.0.0.1:10009'),
    LND_NETWORK: z.enum(LND_NETWORKS, { message: `LND_NETWORK must be one of ${LND_NETWORKS.join(', ')}` }).optional(),
    LND_TLS_CERT_PATH: z.string().min(1).optional(),
    LND_TLS_CERT_BASE64: z.base64('LND_TLS_CERT_BASE64 must be base64 of the PEM').optional(),
    LND_TLS_CERT_SECRET_ARN: z.string().min(1).optional(),
    LND_INVOICE_MACAROON_PATH: z.string().min(1).optional(),
    LND_INVOICE_MACAROON_HEX: z.hex('LND_INVOICE_MACAROON_HEX must be hex').optional(),
    LND_INVOICE_MACAROON_SECRET_ARN: z.string().min(1).optional(),
  })
  .refine((env) => exactlyOne(env.LND_TLS_CERT_PATH, env.LND_TLS_CERT_BASE64, env.LND_TLS_CERT_SECRET_ARN), {
    message: 'set exactly one of LND_TLS_CERT_PATH (file of tls.cert), LND_TLS_CERT_BASE64 or LND_TLS_CERT_SECRET_ARN',
    path: ['LND_TLS_CERT_PATH'],
  })
  .refine((env) => exactlyOne(env.LND_INVOICE_MACAROON_PATH, env.LND_INVOICE_MACAROON_HEX, env.LND_INVOICE_MACAROON_SECRET_ARN), {
    message: 'set exactly one of LND_INVOICE_MACAROON_PATH (file of the invoice macaroon), LND_INVOICE_MACAROON_HEX or LND_INVOICE_MACAROON_SECRET_ARN',
    path: ['LND_INVOICE_MACAROON_PATH'],
  });

const exactlyOne = (...values: Array<string | undefined>) => values.filter((value) => value !== undefined).length === 1;

/** Reads and checks the environment; throws one line naming every bad variable. */
export function readApiConfig(
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => Buffer = defaultReadFile,
): ApiConfig {
  const vars = parseEnv(envSchema, env);
  return {
    tableName: vars.TABLE_NAME,
    dynamoDbEndpoint: vars.DYNAMODB_ENDPOINT,
    region: vars.AWS_REGION,
    publicBaseUrl: vars.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    maxInvoiceMsat: vars.MAX_INVOICE_MSAT ?? DEFAULT_MAX_INVOICE_MSAT,
    merchantRateLimit: vars.MERCHANT_RATE_LIMIT ?? DEFAULT_MERCHANT_RATE_LIMIT,
    lnd: {
      host: vars.LND_GRPC_HOST,
      expectedNetwork: vars.LND_NETWORK,
      tlsCert: vars.LND_TLS_CERT_SECRET_ARN
        ? { kind: 'secret', secretId: vars.LND_TLS_CERT_SECRET_ARN, encoding: 'utf8' }
        : {
            kind: 'value',
            value: vars.LND_TLS_CERT_PATH
              ? readNamedFile(readFile, 'LND_TLS_CERT_PATH', vars.LND_TLS_CERT_PATH)
              : Buffer.from(vars.LND_TLS_CERT_BASE64 ?? '', 'base64'),
          },
      macaroon: vars.LND_INVOICE_MACAROON_SECRET_ARN
        ? { kind: 'secret', secretId: vars.LND_INVOICE_MACAROON_SECRET_ARN, encoding: 'hex' }
        : {
            kind: 'value',
            value: vars.LND_INVOICE_MACAROON_PATH
              ? readNamedFile(readFile, 'LND_INVOICE_MACAROON_PATH', vars.LND_INVOICE_MACAROON_PATH)
              : Buffer.from(vars.LND_INVOICE_MACAROON_HEX ?? '', 'hex'),
          },
    },
  };
}

function readNamedFile(readFile: (path: string) => Buffer, variable: string, path: string): Buffer {
  try {
    return readFile(path);
  } catch {
    throw new ConfigError(`Invalid configuration: ${variable}: cannot read ${path}`);
  }
}

function defaultReadFile(path: string): Buffer {
  return readFileSync(path);
}
