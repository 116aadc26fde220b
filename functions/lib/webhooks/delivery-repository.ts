import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../table/client';
import { findObject } from '../table/find';
import { keys } from '../table/keys';
import { TransactionRefusedError, transactWrite, type TransactItem } from '../table/transact';
import {
  DELIVERY_SK_PREFIX,
  DELIVERY_STATE_ENTITY,
  DeliveryStateStatus,
  deliveryStateKey,
  newWebhookDeliveryItem,
  type DeliveryStateItem,
  type WebhookDeliveryItem,
} from './delivery';
import { disableWebhookEndpoint } from './endpoint-repository';
import { queryAll } from '../table/query-all';

// Named conditions on the state item: only the worker holding the expected attempt records it.
const isNew = 'attribute_not_exists(pk)';
const isThePendingAttempt = 'series = :series AND attempts = :previous AND #status = :pending';

export async function findDeliveryState(table: Table, eventId: string, endpointId: string): Promise<DeliveryStateItem | undefined> {
  return findObject<DeliveryStateItem>(table, deliveryStateKey(eventId, endpointId));
}

/**
 * The first series for (event, endpoint), made by the fan-out. A second fan-out of the same
 * event (the bus delivers at least once) finds it and answers what is there instead.
 */
export async function createFirstSeries(
  table: Table,
  input: { eventId: string; endpointId: string; merchantId: string; now: Date },
): Promise<{ created: boolean; state: DeliveryStateItem }> {
  const at = input.now.toISOString();
  const state: DeliveryStateItem = {
    ...deliveryStateKey(input.eventId, input.endpointId),
    entity: DELIVERY_STATE_ENTITY,
    event_id: input.eventId,
    endpoint_id: input.endpointId,
    merchant_id: input.merchantId,
    series: 1,
    series_attempts: 0,
    attempts: 0,
    status: DeliveryStateStatus.pending,
    next_attempt_at: at,
    created_at: at,
    updated_at: at,
  };
  try {
    await table.doc.send(new PutCommand({ TableName: table.name, Item: state, ConditionExpression: isNew }));
    return { created: true, state };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = await findDeliveryState(table, input.eventId, input.endpointId);
    if (!existing) throw error;
    return { created: false, state: existing };
  }
}

/**
 * A redelivery: a new series with the full schedule, its attempts numbered on from the last.
 * Whatever the previous series still had in the queue is stale from now on (its series no
 * longer matches), and an attempt of it that is running cannot record its result.
 */
export async function startNewSeries(
  table: Table,
  input: { eventId: string; endpointId: string; merchantId: string; now: Date },
): Promise<DeliveryStateItem> {
  const at = input.now.toISOString();
  const { Attributes } = await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: deliveryStateKey(input.eventId, input.endpointId),
      UpdateExpression:
        'SET entity = :entity, event_id = :eventId, endpoint_id = :endpointId, merchant_id = :merchantId, ' +
        'series = if_not_exists(series, :zero) + :one, series_attempts = :zero, attempts = if_not_exists(attempts, :zero), ' +
        '#status = :pending, next_attempt_at = :at, created_at = if_not_exists(created_at, :at), updated_at = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':entity': DELIVERY_STATE_ENTITY,
        ':eventId': input.eventId,
        ':endpointId': input.endpointId,
        ':merchantId': input.merchantId,
        ':zero': 0,
        ':one': 1,
        ':pending': DeliveryStateStatus.pending,
        ':at': at,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return Attributes as DeliveryStateItem;
}

export interface AttemptRecord {
  state: DeliveryStateItem;
  attempt: Omit<WebhookDeliveryItem, 'pk' | 'sk' | 'entity' | 'id'>;
  /** Where the series goes next. */
  next: { status: DeliveryStateStatus; nextAttemptAt: Date | null };
  /** The receiver said 410 Gone. */
  disableEndpoint: boolean;
  now: Date;
}

/**
 * The attempt's log item, the state's step forward and (on 410) the endpoint's disabling, in
 * one transaction, conditional on the state still waiting for exactly this attempt. Undefined
 * when another worker (a duplicate message) or a redelivery got there first.
 */
export async function recordAttempt(table: Table, record: AttemptRecord): Promise<WebhookDeliveryItem | undefined> {
  const item = newWebhookDeliveryItem(record.attempt);
  const stateUpdate: TransactItem = {
    Update: {
      TableName: table.name,
      Key: deliveryStateKey(record.state.event_id, record.state.endpoint_id),
      UpdateExpression: 'SET attempts = :attempt, series_attempts = series_attempts + :one, #status = :status, next_attempt_at = :next, updated_at = :now',
      ConditionExpression: isThePendingAttempt,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':attempt': record.attempt.attempt,
        ':one': 1,
        ':status': record.next.status,
        ':next': record.next.nextAttemptAt?.toISOString() ?? null,
        ':now': record.now.toISOString(),
        ':series': record.state.series,
        ':previous': record.attempt.attempt - 1,
        ':pending': DeliveryStateStatus.pending,
      },
    },
  };
  const items: TransactItem[] = [{ Put: { TableName: table.name, Item: item, ConditionExpression: isNew } }, stateUpdate];
  if (record.disableEndpoint) items.push(disableWebhookEndpoint(table, record.state.endpoint_id, record.now));
  try {
    await transactWrite(table, items);
    return item;
  } catch (error) {
    if (!(error instanceof TransactionRefusedError)) throw error;
    // The endpoint was deleted meanwhile: nothing left to disable, record the attempt alone.
    if (record.disableEndpoint && error.failedAt(2) && !error.failedAt(0) && !error.failedAt(1)) {
      return recordAttempt(table, { ...record, disableEndpoint: false });
    }
    return undefined;
  }
}

/** Ends a pending series whose endpoint is gone or disabled. */
export async function cancelSeries(table: Table, state: DeliveryStateItem, now: Date): Promise<void> {
  try {
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: deliveryStateKey(state.event_id, state.endpoint_id),
        UpdateExpression: 'SET #status = :cancelled, next_attempt_at = :null, updated_at = :now',
        ConditionExpression: 'series = :series AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':cancelled': DeliveryStateStatus.cancelled,
          ':null': null,
          ':now': now.toISOString(),
          ':series': state.series,
          ':pending': DeliveryStateStatus.pending,
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Every attempt logged for an event, to every endpoint (bounded: endpoints × attempts). */
export async function allDeliveriesOf(table: Table, eventId: string): Promise<WebhookDeliveryItem[]> {
  return queryAll<WebhookDeliveryItem>(table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.event(eventId).pk, ':prefix': DELIVERY_SK_PREFIX },
    ConsistentRead: true,
  });
}
