import { readApiConfig, type ApiConfig } from '../lib/config';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApiNode } from '../lib/node/api-node';
import { secretsManagerClient } from '../lib/node/credentials';
import { LazyInvoiceNode } from '../lib/node/lazy-invoice-node';
import type { InvoiceNode } from '../lib/node/lightning-node';
import { connectNode } from '../lib/node/node-config';
import { NodeUnreachableError } from '../lib/node/node-errors';
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

/** Builds the dependencies the way a deployed function (or the local stack) runs. */
export function dependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): Dependencies {
  const config = readApiConfig(env);
  const table = createTable(config.tableName, {
    ...(config.region ? { region: config.region } : {}),
    ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
  });
  const secrets = secretSealerFromEnv(env);
  return {
    table,
    node: invoiceNodeFromConfig(config),
    config: { publicBaseUrl: config.publicBaseUrl, maxInvoiceMsat: config.maxInvoiceMsat },
    idempotency: new IdempotencyStore(table, { sealer: secrets }),
    secrets,
    rateLimiter: new MerchantRateLimiter(table, { defaultLimit: config.merchantRateLimit }),
    log: powertoolsLog('lightning-payments-api'),
    now: systemClock.now,
  };
}

/** The configured node (LND through the invoice macaroon, or Core Lightning), connected on first use (secrets fetched then). */
export function invoiceNodeFromConfig(config: ApiConfig): InvoiceNode {
  let secrets: SecretsManagerClient | undefined;
  const secretsClient = () => (secrets ??= secretsManagerClient(config.region));
  const node = new LazyInvoiceNode(async () => {
    try {
      return await connectNode(config.node, { secrets: secretsClient });
    } catch (error) {
      // Secrets that cannot be read (permissions, a deleted secret) leave the node out of reach.
      throw new NodeUnreachableError('the node credentials could not be read', { operation: 'connect', cause: error });
    }
  });
  return new ApiNode(node, { expectedNetwork: config.expectedNetwork });
}

let fromEnv: Dependencies | undefined;

/** One set per process (a Lambda container), shared by every route it serves. */
export function processDependencies(): Dependencies {
  fromEnv ??= dependenciesFromEnv();
  return fromEnv;
}
