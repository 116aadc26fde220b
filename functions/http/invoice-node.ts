import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ApiConfig } from '../lib/config';
import { ApiNode } from '../lib/node/api-node';
import { secretsManagerClient } from '../lib/node/credentials';
import { LazyInvoiceNode } from '../lib/node/lazy-invoice-node';
import { connectInvoiceNode } from '../lib/node/light/connect-invoice-node';
import type { InvoiceNode } from '../lib/node/lightning-node';
import { NodeUnreachableError } from '../lib/node/node-errors';

/**
 * The configured node (LND through the invoice macaroon, or Core Lightning), connected on
 * first use (secrets fetched then) through the light clients of node/light/, which keep
 * grpc-js and protobufjs out of the bundle. Only the routes that talk to the node import this file.
 */
export function invoiceNodeFromConfig(config: ApiConfig): InvoiceNode {
  let secrets: SecretsManagerClient | undefined;
  const secretsClient = () => (secrets ??= secretsManagerClient(config.region));
  const node = new LazyInvoiceNode(async () => {
    try {
      return await connectInvoiceNode(config.node, { secrets: secretsClient });
    } catch (error) {
      // Secrets that cannot be read (permissions, a deleted secret) leave the node out of reach.
      throw new NodeUnreachableError('the node credentials could not be read', { operation: 'connect', cause: error });
    }
  });
  return new ApiNode(node, { expectedNetwork: config.expectedNetwork });
}
