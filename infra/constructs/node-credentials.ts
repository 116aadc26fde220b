import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StackConfig } from '../config';
import type { NodeCredentials } from './node-access';
import { NodeListCredentials } from './node-list-credentials';

export type { NodeCredentials } from './node-access';

export function nodeCredentials(scope: Construct, config: StackConfig): NodeCredentials {
  if (config.lightningNodes) return new NodeListCredentials(scope, 'LightningNodes', { nodes: config.lightningNodes, network: config.network });
  return config.lightningBackend === 'cln' ? new ClnCredentials(scope, 'ClnSecrets', config) : new LndCredentials(scope, 'LndSecrets', config);
}

/**
 * LND: the API holds an invoice macaroon (create, look up, cancel invoices) and the bridge
 * alone the payment macaroon.
 */
export class LndCredentials extends Construct implements NodeCredentials {
  readonly backend = 'lnd';
  readonly tlsCert: secretsmanager.ISecret;
  readonly invoiceMacaroon: secretsmanager.ISecret;
  readonly paymentMacaroon: secretsmanager.ISecret;
  readonly apiEnvironment: Record<string, string>;
  readonly bridgeEnvironment: Record<string, string>;
  readonly bridgeSecrets: Record<string, ecs.Secret>;

  constructor(scope: Construct, id: string, config: Pick<StackConfig, 'lndGrpcHost' | 'network' | 'lndTlsCertSecretName' | 'lndInvoiceMacaroonSecretName' | 'lndPaymentMacaroonSecretName'>) {
    super(scope, id);
    this.tlsCert = secretsmanager.Secret.fromSecretNameV2(this, 'TlsCert', config.lndTlsCertSecretName);
    this.invoiceMacaroon = secretsmanager.Secret.fromSecretNameV2(this, 'InvoiceMacaroon', config.lndInvoiceMacaroonSecretName);
    this.paymentMacaroon = secretsmanager.Secret.fromSecretNameV2(this, 'PaymentMacaroon', config.lndPaymentMacaroonSecretName);
    this.apiEnvironment = {
      LND_GRPC_HOST: config.lndGrpcHost,
      LND_NETWORK: config.network,
      LND_TLS_CERT_SECRET_ARN: this.tlsCert.secretArn,
      LND_INVOICE_MACAROON_SECRET_ARN: this.invoiceMacaroon.secretArn,
    };
    this.bridgeEnvironment = { LND_GRPC_HOST: config.lndGrpcHost };
    this.bridgeSecrets = {
      LND_TLS_CERT_PEM: ecs.Secret.fromSecretsManager(this.tlsCert),
      LND_MACAROON_HEX: ecs.Secret.fromSecretsManager(this.paymentMacaroon),
    };
  }

  grantApiRead(grantee: IGrantable): void {
    this.tlsCert.grantRead(grantee);
    this.invoiceMacaroon.grantRead(grantee);
  }
}

/**
 * Core Lightning over cln-grpc: mutual TLS with the node's ca.pem and a client certificate.
 * cln-grpc has no narrower credential than the client certificate (no macaroon or rune), so
 * the API functions that create invoices hold the same one as the bridge: see docs/DEPLOY.md.
 */
export class ClnCredentials extends Construct implements NodeCredentials {
  readonly backend = 'cln';
  readonly caCert: secretsmanager.ISecret;
  readonly clientCert: secretsmanager.ISecret;
  readonly clientKey: secretsmanager.ISecret;
  readonly apiEnvironment: Record<string, string>;
  readonly bridgeEnvironment: Record<string, string>;
  readonly bridgeSecrets: Record<string, ecs.Secret>;

  constructor(scope: Construct, id: string, config: Pick<StackConfig, 'clnGrpcHost' | 'network' | 'clnCaCertSecretName' | 'clnClientCertSecretName' | 'clnClientKeySecretName'>) {
    super(scope, id);
    this.caCert = secretsmanager.Secret.fromSecretNameV2(this, 'CaCert', config.clnCaCertSecretName);
    this.clientCert = secretsmanager.Secret.fromSecretNameV2(this, 'ClientCert', config.clnClientCertSecretName);
    this.clientKey = secretsmanager.Secret.fromSecretNameV2(this, 'ClientKey', config.clnClientKeySecretName);
    this.apiEnvironment = {
      LIGHTNING_BACKEND: 'cln',
      CLN_GRPC_HOST: config.clnGrpcHost,
      LND_NETWORK: config.network,
      CLN_CA_CERT_SECRET_ARN: this.caCert.secretArn,
      CLN_CLIENT_CERT_SECRET_ARN: this.clientCert.secretArn,
      CLN_CLIENT_KEY_SECRET_ARN: this.clientKey.secretArn,
    };
    this.bridgeEnvironment = { LIGHTNING_BACKEND: 'cln', CLN_GRPC_HOST: config.clnGrpcHost };
    this.bridgeSecrets = {
      CLN_CA_CERT_PEM: ecs.Secret.fromSecretsManager(this.caCert),
      CLN_CLIENT_CERT_PEM: ecs.Secret.fromSecretsManager(this.clientCert),
      CLN_CLIENT_KEY_PEM: ecs.Secret.fromSecretsManager(this.clientKey),
    };
  }

  grantApiRead(grantee: IGrantable): void {
    for (const secret of [this.caCert, this.clientCert, this.clientKey]) secret.grantRead(grantee);
  }
}
