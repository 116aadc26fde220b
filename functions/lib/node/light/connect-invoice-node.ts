import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Credential, resolveCredential, secretsManagerClient } from '../credentials';
import type { InvoiceNode } from '../lightning-node';
import type { NodeConnectionConfig } from '../node-config';
import { LightClnInvoiceNode } from './light-cln-invoice-node';
import { LightLndInvoiceNode } from './light-lnd-invoice-node';

export interface ConnectInvoiceNodeOptions {
  /** Secrets Manager, for credentials given as secret ids; made only when one is. @default the SDK's default region */
  secrets?: () => SecretsManagerClient;
  /** Deadline of every call. @default 10 s */
  unaryTimeoutMs?: number;
}

/** An InvoiceNode that can be closed (tests, the local stack). */
export type ClosableInvoiceNode = InvoiceNode & { close(): void };

/**
 * The node the configuration names, for the API's invoice calls only: like connectNode, but on
 * the light clients (node/light/), which keep grpc-js and protobufjs out of the API functions.
 */
export async function connectInvoiceNode(config: NodeConnectionConfig, options: ConnectInvoiceNodeOptions = {}): Promise<ClosableInvoiceNode> {
  let client: SecretsManagerClient | undefined;
  const secrets = options.secrets ?? (() => (client ??= secretsManagerClient(undefined)));
  const resolve = (credential: Credential) => resolveCredential(credential, secrets);
  const timeout = options.unaryTimeoutMs !== undefined ? { unaryTimeoutMs: options.unaryTimeoutMs } : {};
  switch (config.backend) {
    case 'lnd': {
      const [tlsCert, macaroon] = await Promise.all([resolve(config.tlsCert), resolve(config.macaroon)]);
      return new LightLndInvoiceNode({ host: config.host, tlsCert, macaroon, ...timeout });
    }
    case 'cln': {
      const [caCert, clientCert, clientKey] = await Promise.all([resolve(config.caCert), resolve(config.clientCert), resolve(config.clientKey)]);
      return new LightClnInvoiceNode({ host: config.host, caCert, clientCert, clientKey, ...timeout });
    }
  }
}
