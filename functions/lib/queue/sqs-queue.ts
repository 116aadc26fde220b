import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Queue, QueueMessage, ReceiveOptions, SendOptions } from './queue';

// SQS's own limits.
const MAX_MESSAGES_PER_RECEIVE = 10;
const MAX_WAIT_TIME_SEC = 20;
const MAX_DELAY_SEC = 900;

/** The Queue interface over SQS: what the node-bridge and the outbox use in AWS. */
export class SqsQueue implements Queue {
  readonly name: string;

  constructor(
    private readonly client: SQSClient,
    readonly url: string,
    name?: string,
  ) {
    this.name = name ?? url.slice(url.lastIndexOf('/') + 1);
  }

  async send(body: string, options: SendOptions = {}): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.url,
        MessageBody: body,
        ...(options.delaySec !== undefined ? { DelaySeconds: clamp(Math.round(options.delaySec), 0, MAX_DELAY_SEC) } : {}),
      }),
    );
  }

  async receive(options: ReceiveOptions): Promise<QueueMessage[]> {
    if (options.signal?.aborted) return [];
    try {
      const result = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url,
          MaxNumberOfMessages: clamp(options.maxMessages, 1, MAX_MESSAGES_PER_RECEIVE),
          WaitTimeSeconds: clamp(Math.round(options.waitTimeSec), 0, MAX_WAIT_TIME_SEC),
          ...(options.visibilityTimeoutSec !== undefined ? { VisibilityTimeout: Math.round(options.visibilityTimeoutSec) } : {}),
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      return (result.Messages ?? []).map((message) => ({
        id: required(message.MessageId, 'MessageId'),
        body: message.Body ?? '',
        receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle'),
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? '1'),
      }));
    } catch (error) {
      // Shutdown cut the long poll short: nothing was received.
      if (options.signal?.aborted) return [];
      throw error;
    }
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: receiptHandle }));
  }

  async changeVisibility(receiptHandle: string, visibilityTimeoutSec: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.url,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: clamp(Math.round(visibilityTimeoutSec), 0, 43_200),
      }),
    );
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function required(value: string | undefined, field: string): string {
  if (!value) throw new Error(`SQS returned a message without ${field}`);
  return value;
}
