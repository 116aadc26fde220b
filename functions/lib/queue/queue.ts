/**
 * The small interface in front of a queue. SQS implements it in AWS; the local stack has
 * a stand-in with the semantics that matter: visibility timeout and redelivery, a receive
 * count, then the dead-letter queue.
 */
export interface QueueMessage {
  /** Stable across redeliveries of the same message. */
  id: string;
  body: string;
  /** Changes with every receive; needed to delete or extend the message. */
  receiptHandle: string;
  /** 1 on the first delivery. */
  receiveCount: number;
}

export interface SendOptions {
  /** Hide the message for this long first (SQS allows at most 900 s). */
  delaySec?: number;
}

export interface ReceiveOptions {
  maxMessages: number;
  /** Long polling: wait up to this long for a message (SQS allows at most 20 s). */
  waitTimeSec: number;
  /** How long a received message stays hidden from other consumers. */
  visibilityTimeoutSec?: number;
  /** Stops a long poll early (shutdown). */
  signal?: AbortSignal;
}

export interface Queue {
  readonly name: string;
  send(body: string, options?: SendOptions): Promise<void>;
  receive(options: ReceiveOptions): Promise<QueueMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /** Keeps a message hidden while its work is still running (or makes it visible again with 0). */
  changeVisibility(receiptHandle: string, visibilityTimeoutSec: number): Promise<void>;
}
