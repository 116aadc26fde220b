import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { connectClnNode } from './cln/cln-node';
import { type Credential, resolveCredential, secretsManagerClient } from './credentials';
import type { LightningNode } from './lightning-node';
import { connectLndNode } from './lnd/lnd-node';
import type { NodeConnectionConfig } from './node-config';

// Apart from node-config.ts (parsing, which every API function does) because this pulls in the
// gRPC clients: only the functions that talk to the node, and the bridge, bundle it.

export interface ConnectNodeOptions {
  /** Secrets Manager, for credentials given as secret ids; made only when one is. @default the SDK's default region */
  secrets?: () => SecretsManagerClient;
  /** Deadline of every call that answers at once. @default the adapter's */
  unaryTimeoutMs?: number;
}

/** The node the configuration names, through its adapter; credentials held as secrets are fetched first. */
export async function connectNode(config: NodeConnectionConfig, options: ConnectNodeOptions = {}): Promise<LightningNode> {
  let client: SecretsManagerClient | undefined;
  const secrets = options.secrets ?? (() => (client ??= secretsManagerClient(undefined)));
  const resolve = (credential: Credential) => resolveCredential(credential, secrets);
  const timeout = options.unaryTimeoutMs !== undefined ? { unaryTimeoutMs: options.unaryTimeoutMs } : {};
  switch (config.backend) {
    case 'lnd': {
      const [tlsCert, macaroon] = await Promise.all([resolve(config.tlsCert), resolve(config.macaroon)]);
      return connectLndNode({ host: config.host, tlsCert, macaroon, ...timeout });
    }
    case 'cln': {
      const [caCert, clientCert, clientKey] = await Promise.all([resolve(config.caCert), resolve(config.clientCert), resolve(config.clientKey)]);
      return connectClnNode({ host: config.host, caCert, clientCert, clientKey, ...timeout });
    }
  }
}
