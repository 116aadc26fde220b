import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { BusSource, LedgerDetailType, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { DurableQueue } from './durable-queue';
import { ServiceFunction } from './service-function';

export interface PaymentPipelineProps {
  readonly table: dynamodb.TableV2;
  /** How long the bus archive keeps events for replay. @default 30 days */
  readonly archiveRetention?: Duration;
}

/**
 * Where money actually moves. The table's stream (the outbox) feeds new withdrawals to the
 * payout queue, node-cancel requests to the cancel queue and domain events to the bus; the
 * bridge's reports (settlements, payment results) come back over the bus to the consumers
 * that apply them to the ledger.
 */
export class PaymentPipeline extends Construct {
  public readonly bus: events.EventBus;
  public readonly payoutQueue: DurableQueue;
  public readonly cancelQueue: DurableQueue;
  public readonly outbox: ServiceFunction;
  public readonly outboxFailures: DurableQueue;
  public readonly settleInvoice: ServiceFunction;
  public readonly payoutResult: ServiceFunction;
  /** Bus events that a consumer could not handle after its retries. */
  public readonly consumerDeadLetters: DurableQueue;

  constructor(scope: Construct, id: string, props: PaymentPipelineProps) {
    super(scope, id);
    const { table } = props;

    this.bus = new events.EventBus(this, 'Bus');
    this.bus.archive('Archive', {
      eventPattern: { source: [BusSource.node, BusSource.ledger] },
      retention: props.archiveRetention ?? Duration.days(30),
    });

    // The bridge keeps a payout message invisible while the payment is in flight and
    // extends it; the DLQ only catches messages the bridge could not even start.
    this.payoutQueue = new DurableQueue(this, 'PayoutQueue', { visibilityTimeout: Duration.minutes(5), maxReceiveCount: 10 });
    this.cancelQueue = new DurableQueue(this, 'CancelQueue', { maxReceiveCount: 10 });
    this.outboxFailures = new DurableQueue(this, 'OutboxFailures');
    this.consumerDeadLetters = new DurableQueue(this, 'ConsumerDeadLetters');

    this.outbox = new ServiceFunction(this, 'Outbox', {
      entry: 'functions/outbox/handler.ts',
      environment: {
        PAYOUT_QUEUE_URL: this.payoutQueue.queue.queueUrl,
        INVOICE_CANCEL_QUEUE_URL: this.cancelQueue.queue.queueUrl,
        EVENT_BUS_NAME: this.bus.eventBusName,
      },
    });
    this.outbox.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 1000,
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.outboxFailures.queue),
        // Only inserts of what the outbox carries: everything else never wakes the function.
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { entity: { S: lambda.FilterRule.or('withdrawal', 'event', 'node_invoice_cancel') } } },
          }),
        ],
      }),
    );
    this.payoutQueue.queue.grantSendMessages(this.outbox.function);
    this.cancelQueue.queue.grantSendMessages(this.outbox.function);
    this.bus.grantPutEventsTo(this.outbox.function);

    const tableEnv = { TABLE_NAME: table.tableName };
    this.settleInvoice = new ServiceFunction(this, 'SettleInvoice', { entry: 'functions/settle-invoice/handler.ts', environment: tableEnv });
    this.payoutResult = new ServiceFunction(this, 'PayoutResult', { entry: 'functions/payout-result/handler.ts', environment: tableEnv });
    table.grantReadWriteData(this.settleInvoice.function);
    table.grantReadWriteData(this.payoutResult.function);

    const consumerTarget = (fn: ServiceFunction) =>
      new targets.LambdaFunction(fn.function, {
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.consumerDeadLetters.queue,
      });
    new events.Rule(this, 'InvoiceSettledRule', {
      eventBus: this.bus,
      eventPattern: { source: [BusSource.node], detailType: [NodeDetailType.invoiceSettled] },
      targets: [consumerTarget(this.settleInvoice)],
    });
    new events.Rule(this, 'PaymentResultRule', {
      eventBus: this.bus,
      eventPattern: { source: [BusSource.node], detailType: [NodeDetailType.paymentSucceeded, NodeDetailType.paymentFailed] },
      targets: [consumerTarget(this.payoutResult)],
    });
  }

  /** Sends every domain event from the outbox to a function (the webhook fan-out). */
  routeDomainEventsTo(fn: lambda.IFunction, id = 'DomainEventRule'): events.Rule {
    return new events.Rule(this, id, {
      eventBus: this.bus,
      eventPattern: { source: [BusSource.ledger], detailType: [LedgerDetailType.domainEvent] },
      targets: [
        new targets.LambdaFunction(fn, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: this.consumerDeadLetters.queue }),
      ],
    });
  }
}
