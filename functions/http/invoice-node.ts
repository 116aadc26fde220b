import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ApiConfig } from '../lib/config';
import { ApiNode } from '../lib/node/api-node';
import { secretsManagerClient } from '../lib/node/credentials';
import { InvoiceNodeSet } from '../lib/node/invoice-node-set';
import { LazyInvoiceNode } from '../lib/node/lazy-invoice-node';
import { connectInvoiceNode } from '../lib/node/light/connect-invoice-node';
import type { InvoiceNode } from '../lib/node/lightning-node';
import type { NodeConnectionConfig } from '../lib/node/node-config';
import { NodeUnreachableError } from '../lib/node/node-errors';
import { readNodeStatuses } from '../lib/node/node-status';
import { powertoolsLog } from '../lib/runtime/log';
import { createTable, type Table } from '../lib/table/client';

/**
 * The configured node (LND through the invoice macaroon, or Core Lightning), connected on
 * first use (secrets fetched then) through the light clients of node/light/, which keep
 * grpc-js and protobufjs out of the bundle. Several nodes (LIGHTNING_NODES) become an
 * InvoiceNodeSet that places invoices by the bridge's node status items. Only the routes that
 * talk to the node import this file.
 */
export function invoiceNodeFromConfig(config: ApiConfig): InvoiceNode {
  let secrets: SecretsManagerClient | undefined;
  const secretsClient = () => (secrets ??= secretsManagerClient(config.region));
  const apiNode = (connection: NodeConnectionConfig) =>
    new ApiNode(
      new LazyInvoiceNode(async () => {
        try {
          return await connectInvoiceNode(connection, { secrets: secretsClient });
        } catch (error) {
          // Secrets that cannot be read (permissions, a deleted secret) leave the node out of reach.
          throw new NodeUnreachableError('the node credentials could not be read', { operation: 'connect', cause: error });
        }
      }),
      { expectedNetwork: config.expectedNetwork },
    );
  // One node: exactly as before, no status reads.
  if (config.nodes.length === 1) return apiNode(config.nodes[0].connection);
  let table: Table | undefined;
  const statusTable = () =>
    (table ??= createTable(config.tableName, {
      ...(config.region ? { region: config.region } : {}),
      ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint, ...localCredentials() } : {}),
    }));
  return new InvoiceNodeSet({
    members: config.nodes.map(({ id, connection }) => ({ id, node: apiNode(connection) })),
    readStatuses: () => readNodeStatuses(statusTable()),
    log: powertoolsLog('lightning-payments-api'),
  });
}

/** DynamoDB Local takes any credentials, but the SDK insists on some. */
function localCredentials() {
  return process.env.AWS_ACCESS_KEY_ID ? {} : { region: process.env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
