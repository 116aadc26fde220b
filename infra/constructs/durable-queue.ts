import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueDelivery } from '../delivery';

export interface DurableQueueProps {
  /** Its entry in infra/delivery.ts: visibility, maxReceiveCount, retention (the local stack reads the same). */
  readonly delivery: QueueDelivery;
}

/**
 * An SQS queue with its dead-letter queue: encrypted with SQS-managed keys, TLS only, the
 * settings of its entry in infra/delivery.ts.
 */
export class DurableQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly delivery: QueueDelivery;

  constructor(scope: Construct, id: string, props: DurableQueueProps) {
    super(scope, id);
    this.delivery = props.delivery;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(props.delivery.deadLetterRetentionSec),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.delivery.visibilityTimeoutSec),
      retentionPeriod: Duration.seconds(props.delivery.retentionSec),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.delivery.maxReceiveCount },
    });
  }
}
