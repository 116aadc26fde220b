import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface LndSecretsProps {
  /** Secret holding LND's tls.cert (PEM). */
  readonly tlsCertSecretName: string;
  /** Secret holding the invoice macaroon (hex): create, look up and cancel invoices. */
  readonly invoiceMacaroonSecretName: string;
  /** Secret holding the payment macaroon (hex): send payments. Only the bridge may read it. */
  readonly paymentMacaroonSecretName: string;
}

/**
 * The node's credentials, created by the operator before deploying (docs/DEPLOY.md) and
 * referenced by name, so their values never pass through CloudFormation.
 */
export class LndSecrets extends Construct {
  public readonly tlsCert: secretsmanager.ISecret;
  public readonly invoiceMacaroon: secretsmanager.ISecret;
  public readonly paymentMacaroon: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: LndSecretsProps) {
    super(scope, id);
    this.tlsCert = secretsmanager.Secret.fromSecretNameV2(this, 'TlsCert', props.tlsCertSecretName);
    this.invoiceMacaroon = secretsmanager.Secret.fromSecretNameV2(this, 'InvoiceMacaroon', props.invoiceMacaroonSecretName);
    this.paymentMacaroon = secretsmanager.Secret.fromSecretNameV2(this, 'PaymentMacaroon', props.paymentMacaroonSecretName);
  }
}
