import type { DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod';

/**
 * What the outbox failures queue holds. Two kinds of message, both read by
 * `npm run admin -- outbox:redrive`:
 *
 * - `ParkedOutboxRecord`, written by the outbox function itself: a stream record whose item
 *   can never become a message (it fails its schema). It carries its data (keys, new image,
 *   sequence number) and why it was refused, so the operator can fix the item and redrive it.
 *   Our own format, versioned: `{"kind": "outbox_record", "version": 1, ...}`.
 * - `StreamBatchFailure`, written by Lambda (or the local stream poller) when it gives up on
 *   a stream batch after its retry attempts or maximum record age: AWS's documented
 *   on-failure record for a DynamoDB stream. It describes where the batch was (shard,
 *   sequence range, arrival times) and carries no data.
 */

export const OUTBOX_RECORD_KIND = 'outbox_record';
export const PARKED_OUTBOX_RECORD_VERSION = 1;

/**
 * SQS's classic message size limit. An envelope larger than this is parked without its new
 * image (`image_omitted: true`): the redrive reads the current item by its keys anyway.
 */
export const MAX_PARKED_MESSAGE_BYTES = 256 * 1024;

const MAX_REASON_CHARS = 2000;

/** One DynamoDB attribute value in its JSON form (`{"S": "..."}`, `{"N": "1"}`, `{"M": {...}}`). */
const attributeValueSchema = z.record(z.string(), z.unknown());
/** An item or its keys in DynamoDB JSON, as a stream record carries them. */
export const attributeMapSchema = z.record(z.string(), attributeValueSchema);
export type AttributeMap = z.infer<typeof attributeMapSchema>;

/** The part of the DynamoDB stream record (Lambda's shape) a parked record keeps. */
export const parkedStreamRecordSchema = z.object({
  eventID: z.string().optional(),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  eventSourceARN: z.string().optional(),
  dynamodb: z.object({
    /** The item's primary key (pk, sk): what the redrive reads the current item by. */
    Keys: attributeMapSchema,
    /** The image the stream delivered; absent when `image_omitted`. */
    NewImage: attributeMapSchema.optional(),
    SequenceNumber: z.string().min(1),
    ApproximateCreationDateTime: z.number().optional(),
  }),
});

export const parkedOutboxRecordSchema = z.object({
  kind: z.literal(OUTBOX_RECORD_KIND),
  version: z.literal(PARKED_OUTBOX_RECORD_VERSION),
  /** When the outbox parked it (ISO 8601). */
  parked_at: z.iso.datetime(),
  /** Why the record can never become a message (schema issues: field path and problem, never a value). */
  reason: z.string().min(1).max(MAX_REASON_CHARS),
  record: parkedStreamRecordSchema,
  /** The image was too large to carry (see MAX_PARKED_MESSAGE_BYTES); the keys are still there. */
  image_omitted: z.literal(true).optional(),
});
export type ParkedOutboxRecord = z.infer<typeof parkedOutboxRecordSchema>;

/** The `condition` values AWS documents for a stream batch it gave up on. */
export const StreamBatchFailureCondition = {
  retryAttemptsExhausted: 'RetryAttemptsExhausted',
  recordAgeExceeded: 'RecordAgeExceeded',
} as const;

/**
 * AWS's on-failure record for a DynamoDB stream event source mapping (SQS or SNS
 * destination), e.g.
 *
 * ```json
 * {"requestContext": {"requestId": "316aa6d0-...", "functionArn": "arn:aws:lambda:...:function:outbox",
 *    "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 1},
 *  "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
 *  "version": "1.0", "timestamp": "2019-11-14T00:13:49.717Z",
 *  "DDBStreamBatchInfo": {"shardId": "shardId-00000001573689847184-864758bb",
 *    "startSequenceNumber": "800000000003126276362", "endSequenceNumber": "800000000003126276362",
 *    "approximateArrivalOfFirstRecord": "2019-11-14T00:13:19Z", "approximateArrivalOfLastRecord": "2019-11-14T00:13:19Z",
 *    "batchSize": 1, "streamArn": "arn:aws:dynamodb:...:table/mytable/stream/2019-11-14T00:04:06.388"}}
 * ```
 *
 * Parsing is as tolerant as AWS's examples are varied (`functionError` may be null or absent);
 * a producer (the local stream poller) should write every field.
 */
export const streamBatchFailureSchema = z.object({
  requestContext: z.object({
    requestId: z.string(),
    functionArn: z.string(),
    /** `RetryAttemptsExhausted` or `RecordAgeExceeded` (StreamBatchFailureCondition). */
    condition: z.string().min(1),
    approximateInvokeCount: z.number().int().nonnegative(),
  }),
  responseContext: z.object({
    statusCode: z.number().int().optional(),
    executedVersion: z.string().optional(),
    functionError: z.string().nullable().optional(),
  }),
  version: z.string(),
  /** When Lambda gave up (ISO 8601). */
  timestamp: z.string().min(1),
  DDBStreamBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: z.string().min(1),
    endSequenceNumber: z.string().min(1),
    approximateArrivalOfFirstRecord: z.string().min(1),
    approximateArrivalOfLastRecord: z.string().min(1),
    batchSize: z.number().int().positive(),
    streamArn: z.string().min(1),
  }),
});
export type StreamBatchFailure = z.infer<typeof streamBatchFailureSchema>;

export type OutboxFailure =
  | { kind: 'outbox_record'; parked: ParkedOutboxRecord }
  | { kind: 'stream_batch'; batch: StreamBatchFailure }
  | { kind: 'unrecognised'; problem: string };

/** Reads one message body of the outbox failures queue; never throws. */
export function parseOutboxFailure(body: string): OutboxFailure {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'unrecognised', problem: 'the body is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'unrecognised', problem: 'the body is not a JSON object' };
  if ('kind' in json && json.kind === OUTBOX_RECORD_KIND) {
    const parsed = parkedOutboxRecordSchema.safeParse(json);
    return parsed.success ? { kind: 'outbox_record', parked: parsed.data } : { kind: 'unrecognised', problem: `a parked outbox record that does not match its schema: ${issuesOf(parsed.error)}` };
  }
  if ('DDBStreamBatchInfo' in json) {
    const parsed = streamBatchFailureSchema.safeParse(json);
    return parsed.success ? { kind: 'stream_batch', batch: parsed.data } : { kind: 'unrecognised', problem: `a stream batch failure that does not match AWS's format: ${issuesOf(parsed.error)}` };
  }
  return { kind: 'unrecognised', problem: 'neither a parked outbox record nor a stream batch failure' };
}

/** Why a record was refused, for the envelope and the log: schema issues by field path, never the values. */
export function refusalReason(error: unknown): string {
  const text = error instanceof z.ZodError ? issuesOf(error) : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return (text || 'unknown').slice(0, MAX_REASON_CHARS);
}

function issuesOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(message)'}: ${issue.message}`).join('; ');
}

/**
 * The body the outbox parks for a record that can never become a message. Keys come from the
 * record (or, if it has none, from the image's pk and sk). Too large with its image: parked
 * without it, flagged.
 */
export function parkedOutboxRecordBody(record: DynamoDBRecord, reason: string, now = new Date()): string {
  const change = record.dynamodb ?? {};
  const image = change.NewImage as AttributeMap | undefined;
  const keys = (change.Keys as AttributeMap | undefined) ?? keysFromImage(image);
  const envelope: ParkedOutboxRecord = {
    kind: OUTBOX_RECORD_KIND,
    version: PARKED_OUTBOX_RECORD_VERSION,
    parked_at: now.toISOString(),
    reason: reason.slice(0, MAX_REASON_CHARS) || 'unknown',
    record: {
      ...(record.eventID !== undefined ? { eventID: record.eventID } : {}),
      eventName: record.eventName ?? 'INSERT',
      ...(record.eventSourceARN !== undefined ? { eventSourceARN: record.eventSourceARN } : {}),
      dynamodb: {
        Keys: keys,
        ...(image ? { NewImage: image } : {}),
        SequenceNumber: change.SequenceNumber ?? record.eventID ?? 'unknown',
        ...(change.ApproximateCreationDateTime !== undefined ? { ApproximateCreationDateTime: change.ApproximateCreationDateTime } : {}),
      },
    },
  };
  const body = JSON.stringify(envelope);
  if (Buffer.byteLength(body) <= MAX_PARKED_MESSAGE_BYTES) return body;
  const { NewImage: _omitted, ...withoutImage } = envelope.record.dynamodb;
  return JSON.stringify({ ...envelope, record: { ...envelope.record, dynamodb: withoutImage }, image_omitted: true } satisfies ParkedOutboxRecord);
}

/** The table's primary key (pk, sk) of an image, in DynamoDB JSON. */
export function keysFromImage(image: AttributeMap | undefined): AttributeMap {
  const keys: AttributeMap = {};
  if (image?.pk) keys.pk = image.pk;
  if (image?.sk) keys.sk = image.sk;
  return keys;
}

/** The table's key of a parked record as plain strings, or why it has none the redrive can use. */
export function tableKeyOf(parked: ParkedOutboxRecord): { pk: string; sk: string } | { problem: string } {
  const key = z.object({ pk: z.object({ S: z.string().min(1) }), sk: z.object({ S: z.string().min(1) }) }).safeParse(parked.record.dynamodb.Keys);
  if (!key.success) return { problem: 'the parked record has no table key (pk and sk strings)' };
  return { pk: key.data.pk.S, sk: key.data.sk.S };
}
