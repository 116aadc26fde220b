import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DurableQueueProps {
  /** How long a received message stays hidden. Longer than the slowest consumer. @default 5 minutes */
  readonly visibilityTimeout?: Duration;
  /** Receives before a message is parked in the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default 4 days */
  readonly retentionPeriod?: Duration;
}

/**
 * An SQS queue with its dead-letter queue: encrypted with SQS-managed keys, TLS only,
 * messages kept 14 days in the DLQ for inspection and redrive.
 */
export class DurableQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DurableQueueProps = {}) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout ?? Duration.minutes(5),
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }
}
