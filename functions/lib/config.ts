import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { DEFAULT_MAX_INVOICE_MSAT, MIN_INVOICE_MSAT } from './money';
import { type NamedNodeConnection, type NodeConnectionConfig, parseNodeList } from './node/node-config';
import { ConfigError, envProblems, presentEnv } from './runtime/env';

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
  /** The deployment's network (LND_NETWORK); the node must be on it. undefined: whatever the node says. */
  expectedNetwork: string | undefined;
  /** How API functions reach the node: with invoice rights only (LND's invoice macaroon), never payment rights. The first of `nodes`. */
  node: NodeConnectionConfig;
  /**
   * Every node (LIGHTNING_NODES, or the single-node variables as one node `default`), with the
   * same ids the bridge's list gives them: invoices record the id of the node that issued them.
   */
  nodes: [NamedNodeConnection, ...NamedNodeConnection[]];
}

export type { Credential } from './node/node-config';

/** Requests per second per merchant when the deployment does not say (the stage-wide API Gateway limit is 50/s). */
export const DEFAULT_MERCHANT_RATE_LIMIT = 25;

export const LND_NETWORKS = ['mainnet', 'testnet', 'testnet4', 'signet', 'regtest', 'simnet'] as const;

const integerString = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform((value) => Number(value))
    .refine(Number.isSafeInteger, `${name} is too large`);

const envSchema = z.object({
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
  LND_NETWORK: z.enum(LND_NETWORKS, { message: `LND_NETWORK must be one of ${LND_NETWORKS.join(', ')}` }).optional(),
});

/** Reads and checks the environment; throws one line naming every bad variable. */
export function readApiConfig(
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => Buffer = defaultReadFile,
): ApiConfig {
  const parsed = envSchema.safeParse(presentEnv(env));
  // The node's problems and the others' in one line.
  const nodes = parseNodeList(env, { role: 'invoices', readFile });
  const problems = [...(parsed.success ? [] : envProblems(parsed.error)), ...nodes.problems];
  if (!parsed.success || !nodes.nodes || nodes.nodes.length === 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  const vars = parsed.data;
  return {
    tableName: vars.TABLE_NAME,
    dynamoDbEndpoint: vars.DYNAMODB_ENDPOINT,
    region: vars.AWS_REGION,
    publicBaseUrl: vars.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    maxInvoiceMsat: vars.MAX_INVOICE_MSAT ?? DEFAULT_MAX_INVOICE_MSAT,
    merchantRateLimit: vars.MERCHANT_RATE_LIMIT ?? DEFAULT_MERCHANT_RATE_LIMIT,
    expectedNetwork: vars.LND_NETWORK,
    node: nodes.nodes[0]!.connection,
    nodes: nodes.nodes as ApiConfig['nodes'],
  };
}

function defaultReadFile(path: string): Buffer {
  return readFileSync(path);
}
