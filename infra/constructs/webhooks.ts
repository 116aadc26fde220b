import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { DurableQueue } from './durable-queue';
import { ServiceFunction } from './service-function';

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

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const allowPrivate = props.allowPrivateTargets ? 'true' : 'false';
    this.deliveryQueue = new DurableQueue(this, 'DeliveryQueue', { visibilityTimeout: Duration.seconds(60), maxReceiveCount: 5 });
    const environment = {
      TABLE_NAME: props.table.tableName,
      WEBHOOK_QUEUE_URL: this.deliveryQueue.queue.queueUrl,
      WEBHOOK_DLQ_URL: this.deliveryQueue.deadLetterQueue.queueUrl,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: allowPrivate,
      WEBHOOK_ALLOW_HTTP: allowPrivate,
    };

    this.fanout = new ServiceFunction(this, 'Fanout', { entry: 'functions/webhook-fanout/handler.ts', environment });
    props.table.grantReadWriteData(this.fanout.function);
    this.deliveryQueue.queue.grantSendMessages(this.fanout.function);

    this.delivery = new ServiceFunction(this, 'Delivery', {
      entry: 'functions/webhook-delivery/handler.ts',
      environment,
      timeout: Duration.seconds(30),
    });
    props.table.grantReadWriteData(this.delivery.function);
    this.deliveryQueue.queue.grantSendMessages(this.delivery.function);
    // Deliveries that fail for good are parked in the DLQ by the function itself.
    this.deliveryQueue.deadLetterQueue.grantSendMessages(this.delivery.function);
    this.delivery.function.addEventSource(
      new SqsEventSource(this.deliveryQueue.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 20 }),
    );

    this.invoiceExpiry = new ServiceFunction(this, 'InvoiceExpiry', {
      entry: 'functions/invoice-expiry/handler.ts',
      environment: { TABLE_NAME: props.table.tableName },
      timeout: Duration.seconds(55),
      reservedConcurrency: 1,
    });
    props.table.grantReadWriteData(this.invoiceExpiry.function);
    new events.Rule(this, 'EveryMinute', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.invoiceExpiry.function, { retryAttempts: 2 })],
    });
  }
}
