import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ListKind } from '../../functions/lib/table/keys';
import { delivery as deliverySettings } from '../delivery';
import { DurableQueue } from './durable-queue';
import { ServiceFunction } from './service-function';
import { grantTableAccess, IndexKey, LeadingKey } from './table-access';

/** Where the functions that seal or open webhook secrets find the key (kms-sealer.ts reads it). */
export const SECRETS_KEY_ENV = 'WEBHOOK_SECRETS_KMS_KEY_ARN';

export interface WebhooksProps {
  readonly table: dynamodb.TableV2;
  /** Let endpoints point at http:// and private addresses (never link-local or metadata). @default false */
  readonly allowPrivateTargets?: boolean;
}

/**
 * Webhook delivery: one queue message per (event, endpoint), delivered by a function with a
 * 15 s timeout per attempt and retried on the published schedule; and the expiry job that
 * marks pending invoices past their expiry every minute.
 */
export class Webhooks extends Construct {
  public readonly deliveryQueue: DurableQueue;
  public readonly fanout: ServiceFunction;
  public readonly delivery: ServiceFunction;
  public readonly invoiceExpiry: ServiceFunction;
  /** Failed invoice-expiry runs: the schedule target's DLQ and the function's on-failure destination. */
  public readonly expiryFailures: sqs.Queue;
  /**
   * Seals endpoints' signing secrets (envelope encryption, functions/lib/webhooks/secret-sealer.ts):
   * the table, its idempotency records and every export hold them only sealed under this key.
   * Retained: destroying it would leave every endpoint's secret unopenable.
   */
  public readonly secretsKey: kms.Key;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: 'Seals webhook signing secrets (data keys for AES-256-GCM envelopes)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const allowPrivate = props.allowPrivateTargets ? 'true' : 'false';
    this.deliveryQueue = new DurableQueue(this, 'DeliveryQueue', { delivery: deliverySettings.queues.webhookDelivery });
    const environment = {
      TABLE_NAME: props.table.tableName,
      WEBHOOK_QUEUE_URL: this.deliveryQueue.queue.queueUrl,
      WEBHOOK_DLQ_URL: this.deliveryQueue.deadLetterQueue.queueUrl,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: allowPrivate,
      WEBHOOK_ALLOW_HTTP: allowPrivate,
    };

    // Fed by its own queue from the bus (PaymentPipeline.routeDomainEventsTo).
    this.fanout = new ServiceFunction(this, 'Fanout', {
      entry: 'functions/webhook-fanout/handler.ts',
      environment,
      timeout: Duration.seconds(deliverySettings.queues.webhookFanout.functionTimeoutSec),
    });
    grantTableAccess(props.table, this.fanout.function, { items: [{ actions: ['PutItem'], keys: [LeadingKey.event] }], indexQueries: [{ index: 'gsi1', keys: [IndexKey.merchantList(ListKind.webhookEndpoints)] }] });
    this.deliveryQueue.queue.grantSendMessages(this.fanout.function);

    this.delivery = new ServiceFunction(this, 'Delivery', {
      entry: 'functions/webhook-delivery/handler.ts',
      environment,
      timeout: Duration.seconds(deliverySettings.queues.webhookDelivery.functionTimeoutSec),
    });
    grantTableAccess(props.table, this.delivery.function, { items: [{ actions: ['GetItem'], keys: [LeadingKey.webhookEndpoint] }, { actions: ['GetItem', 'PutItem', 'UpdateItem'], keys: [LeadingKey.event] }] });
    // Delivery signs with the secrets: it may open them (Decrypt), never seal new ones.
    this.secretsKey.grantDecrypt(this.delivery.function);
    this.delivery.function.addEnvironment(SECRETS_KEY_ENV, this.secretsKey.keyArn);
    this.deliveryQueue.queue.grantSendMessages(this.delivery.function);
    // Deliveries that fail for good are parked in the DLQ by the function itself.
    this.deliveryQueue.deadLetterQueue.grantSendMessages(this.delivery.function);
    this.delivery.function.addEventSource(
      new SqsEventSource(this.deliveryQueue.queue, {
        batchSize: deliverySettings.queues.webhookDelivery.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: deliverySettings.queues.webhookDelivery.maxConcurrency,
      }),
    );

    this.invoiceExpiry = new ServiceFunction(this, 'InvoiceExpiry', {
      entry: 'functions/invoice-expiry/handler.ts',
      environment: { TABLE_NAME: props.table.tableName },
      timeout: Duration.seconds(55),
      reservedConcurrency: 1,
    });
    grantTableAccess(props.table, this.invoiceExpiry.function, { items: [{ actions: ['GetItem', 'UpdateItem'], keys: [LeadingKey.invoice] }, { actions: ['PutItem'], keys: [LeadingKey.event] }], indexQueries: [{ index: 'gsi2', keys: [IndexKey.openInvoices] }] });
    // The one asynchronous Lambda target left: a sweep, so a run that fails is made good by
    // the next minute's. Lambda's 2 retries, then a record of the failed run in a queue
    // (alarmed) instead of a silent discard (infra/delivery.ts, docs/RUNBOOK.md).
    this.expiryFailures = new sqs.Queue(this, 'ExpiryFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(deliverySettings.asyncInvokeFailures.retentionSec),
    });
    const expiryInvoke = deliverySettings.asyncInvokes.invoiceExpiry;
    this.invoiceExpiry.function.configureAsyncInvoke({
      retryAttempts: expiryInvoke.retryAttempts,
      maxEventAge: Duration.seconds(expiryInvoke.maxEventAgeSec),
      onFailure: new SqsDestination(this.expiryFailures),
    });
    const expiryTarget = deliverySettings.ruleTargets.invoiceExpiry;
    new events.Rule(this, 'EveryMinute', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(this.invoiceExpiry.function, {
          retryAttempts: expiryTarget.retryAttempts,
          maxEventAge: Duration.seconds(expiryTarget.maxEventAgeSec),
          deadLetterQueue: this.expiryFailures,
        }),
      ],
    });
  }

  /** For the function that creates endpoints: a data key per new secret (GenerateDataKey), and Decrypt to answer a retried create. */
  grantSealSecrets(grantee: iam.IGrantable & { addEnvironment(name: string, value: string): unknown }): void {
    this.secretsKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    grantee.addEnvironment(SECRETS_KEY_ENV, this.secretsKey.keyArn);
  }
}
