import { readApiConfig, type ApiConfig } from '../lib/config';
import type { InvoiceNode } from '../lib/node/lightning-node';
import { createTable, type Table } from '../lib/table/client';
import { secretSealerFromEnv } from '../lib/webhooks/kms-sealer';
import type { SecretSealer } from '../lib/webhooks/secret-sealer';
import { MerchantRateLimiter } from '../lib/merchants/rate-limit';
import { IdempotencyStore } from './idempotency';
import { systemClock } from '../lib/runtime/clock';
import { type Log, powertoolsLog } from '../lib/runtime/log';

/** Everything a route needs from the outside, built once per process and handed in. */
export interface Dependencies {
  table: Table;
  node: InvoiceNode;
  config: RouteConfig;
  idempotency: IdempotencyStore;
  /** Seals the secrets shown only once (webhook signing secrets); the idempotency store seals such answers with it too. */
  secrets: SecretSealer;
  /** The per-merchant request limit; undefined: none (tools and tests that build their own dependencies). */
  rateLimiter?: MerchantRateLimiter;
  /** The HTTP pipeline warns and reports errors; it has nothing to say at info or debug. */
  log: Pick<Log, 'warn' | 'error'>;
  /** The clock; tests may pin it. */
  now(): Date;
}

export type RouteConfig = Pick<ApiConfig, 'publicBaseUrl' | 'maxInvoiceMsat'>;

/**
 * How a function reaches the node: only the routes that talk to it pass one
 * (`route.lambda({ node: invoiceNodeFromConfig })`, see ./invoice-node.ts), so the others
 * neither bundle the gRPC clients nor hold node credentials.
 */
export type NodeFactory = (config: ApiConfig) => InvoiceNode;

/** The node of a function that has none: reaching it is a bug in the route, answered as a 500. */
const noNode: NodeFactory = () => {
  const refuse = (): never => {
    throw new Error('this function was built without a node: pass one to route.lambda({ node })');
  };
  return { getNodeInfo: refuse, createInvoice: refuse, lookupInvoice: refuse, cancelInvoice: refuse };
};

/** Builds the dependencies the way a deployed function (or the local stack) runs. */
export function dependenciesFromEnv(env: NodeJS.ProcessEnv = process.env, node: NodeFactory = noNode): Dependencies {
  const config = readApiConfig(env);
  const table = createTable(config.tableName, {
    ...(config.region ? { region: config.region } : {}),
    ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
  });
  const secrets = secretSealerFromEnv(env);
  return {
    table,
    node: node(config),
    config: { publicBaseUrl: config.publicBaseUrl, maxInvoiceMsat: config.maxInvoiceMsat },
    idempotency: new IdempotencyStore(table, { sealer: secrets }),
    secrets,
    rateLimiter: new MerchantRateLimiter(table, { defaultLimit: config.merchantRateLimit }),
    log: powertoolsLog('lightning-payments-api'),
    now: systemClock.now,
  };
}

let fromEnv: Dependencies | undefined;

/** One set per process (a Lambda container), shared by every route it serves. */
export function processDependencies(node?: NodeFactory): Dependencies {
  fromEnv ??= dependenciesFromEnv(process.env, node);
  return fromEnv;
}
