import { readApiConfig, type ApiConfig } from '../lib/config';
import { LndClient } from '../lib/lnd';
import type { InvoiceNode } from '../lib/node/invoice-node';
import { LndInvoiceNode } from '../lib/node/lnd-invoice-node';
import { createTable, type Table } from '../lib/table/client';
import { IdempotencyStore } from './idempotency';
import { powertoolsLog, type Log } from './log';

/** Everything a route needs from the outside, built once per process and handed in. */
export interface Dependencies {
  table: Table;
  node: InvoiceNode;
  config: RouteConfig;
  idempotency: IdempotencyStore;
  log: Log;
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
  const lnd = new LndClient({ host: config.lnd.host, tlsCert: config.lnd.tlsCert, macaroon: config.lnd.macaroon });
  return {
    table,
    node: new LndInvoiceNode(lnd),
    config: { publicBaseUrl: config.publicBaseUrl, maxInvoiceMsat: config.maxInvoiceMsat },
    idempotency: new IdempotencyStore(table),
    log: powertoolsLog(),
    now: () => new Date(),
  };
}

let fromEnv: Dependencies | undefined;

/** One set per process (a Lambda container), shared by every route it serves. */
export function processDependencies(): Dependencies {
  fromEnv ??= dependenciesFromEnv();
  return fromEnv;
}
