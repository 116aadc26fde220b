import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { LightningNodeContext, StackConfig } from '../config';
import type { NodeCredentials } from './node-access';

export interface NodeListCredentialsProps {
  /** The `lightningNodes` context: each node's id, backend, address and secret names. */
  readonly nodes: readonly LightningNodeContext[];
  readonly network: StackConfig['network'];
}

/**
 * One node's secrets: those the API functions may read (invoice rights) and those only the
 * bridge may (payment rights), each under the names its LIGHTNING_NODES entry uses.
 */
interface NodeSecrets {
  /** Fields of the API's LIGHTNING_NODES entry, each a `*_secret_arn`, by secret. */
  readonly api: Record<string, secretsmanager.ISecret>;
  /** Fields of the bridge's entry, each a value ECS injects into a variable of its own, by secret. */
  readonly bridge: Record<string, secretsmanager.ISecret>;
}

/** `lightning-payments/<id>/<what>` unless the context names the secret. */
const defaultName = (node: LightningNodeContext, what: string, given: string | undefined) => given ?? `lightning-payments/${node.id}/${what}`;

function nodeSecrets(scope: Construct, node: LightningNodeContext): NodeSecrets {
  const secret = (id: string, name: string) => secretsmanager.Secret.fromSecretNameV2(scope, id, name);
  if (node.backend === 'lnd') {
    const tlsCert = secret('TlsCert', defaultName(node, 'lnd-tls-cert', node.tlsCertSecretName));
    const invoiceMacaroon = secret('InvoiceMacaroon', defaultName(node, 'lnd-invoice-macaroon', node.invoiceMacaroonSecretName));
    const paymentMacaroon = secret('PaymentMacaroon', defaultName(node, 'lnd-payment-macaroon', node.paymentMacaroonSecretName));
    return {
      api: { tls_cert_secret_arn: tlsCert, invoice_macaroon_secret_arn: invoiceMacaroon },
      bridge: { tls_cert_pem: tlsCert, macaroon_hex: paymentMacaroon },
    };
  }
  // cln-grpc knows no narrower credential than the client certificate: the API holds the bridge's.
  const caCert = secret('CaCert', defaultName(node, 'cln-ca-cert', node.caCertSecretName));
  const clientCert = secret('ClientCert', defaultName(node, 'cln-client-cert', node.clientCertSecretName));
  const clientKey = secret('ClientKey', defaultName(node, 'cln-client-key', node.clientKeySecretName));
  return {
    api: { ca_cert_secret_arn: caCert, client_cert_secret_arn: clientCert, client_key_secret_arn: clientKey },
    bridge: { ca_cert_pem: caCert, client_cert_pem: clientCert, client_key_pem: clientKey },
  };
}

/** The variable ECS puts a node's credential in: `LIGHTNING_NODE_LND_A_MACAROON_HEX` for node lnd-a's macaroon_hex. */
export function nodeSecretVariable(nodeId: string, field: string): string {
  return `LIGHTNING_NODE_${nodeId.toUpperCase().replaceAll('-', '_')}_${field.toUpperCase()}`;
}

/**
 * Several nodes (the `lightningNodes` context), each with secrets of its own in Secrets
 * Manager. The API functions get LIGHTNING_NODES with each node's invoice-rights secrets by
 * ARN (read at run time); the bridge gets LIGHTNING_NODES whose entries name, with
 * `<field>_env`, the variables ECS fills from each node's payment-rights secrets at start.
 */
export class NodeListCredentials extends Construct implements NodeCredentials {
  readonly apiEnvironment: Record<string, string>;
  readonly bridgeEnvironment: Record<string, string>;
  readonly bridgeSecrets: Record<string, ecs.Secret>;
  /** Every secret an API function that talks to a node may read. */
  readonly apiSecrets: secretsmanager.ISecret[] = [];

  constructor(scope: Construct, id: string, props: NodeListCredentialsProps) {
    super(scope, id);
    const apiEntries: Array<Record<string, string>> = [];
    const bridgeEntries: Array<Record<string, string>> = [];
    this.bridgeSecrets = {};
    for (const node of props.nodes) {
      const secrets = nodeSecrets(new Construct(this, node.id), node);
      const entry = { id: node.id, backend: node.backend, grpc_host: node.grpcHost };
      apiEntries.push({ ...entry, ...Object.fromEntries(Object.entries(secrets.api).map(([field, secret]) => [field, secret.secretArn])) });
      const bridgeEntry: Record<string, string> = { ...entry };
      for (const [field, secret] of Object.entries(secrets.bridge)) {
        const variable = nodeSecretVariable(node.id, field);
        bridgeEntry[`${field}_env`] = variable;
        this.bridgeSecrets[variable] = ecs.Secret.fromSecretsManager(secret);
      }
      bridgeEntries.push(bridgeEntry);
      this.apiSecrets.push(...Object.values(secrets.api));
    }
    // The ARNs are tokens (partition, region, account): toJsonString keeps them resolvable inside the JSON.
    this.apiEnvironment = { LND_NETWORK: props.network, LIGHTNING_NODES: Stack.of(this).toJsonString(apiEntries) };
    this.bridgeEnvironment = { LIGHTNING_NODES: JSON.stringify(bridgeEntries) };
  }

  grantApiRead(grantee: IGrantable): void {
    for (const secret of this.apiSecrets) secret.grantRead(grantee);
  }
}
