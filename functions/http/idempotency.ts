import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { IdempotencyInProgressError, IdempotencyKeyReusedError, ValidationError } from '../lib/errors';
import { idFrom, type IdPrefix } from '../lib/ids';
import type { Table } from '../lib/table/client';
import { Entity, keys } from '../lib/table/keys';
import type { EncryptionContext, SecretSealer } from '../lib/webhooks/secret-sealer';

/**
 * Idempotency-Key, per merchant, as the contract has it: the same key and body replay the
 * first response; another body is 422 idempotency_key_reused; a key whose first request is
 * still running is 409 idempotency_in_progress.
 *
 * What is kept: every response the route's own code produced with a status below 500
 * (2xx and 4xx alike, as Stripe does: a retry of a refused withdrawal is refused the same
 * way). Requests refused before the route ran (authentication, media type, JSON,
 * validation) never touch the key. A 5xx releases the key so the request can be retried.
 *
 * Why a release keeps the record's seed: a 5xx (or a crash) can come after the money moved
 * (the transaction committed, the answer was lost). Every object id the request creates
 * is derived from the seed, so the retry writes the same ids, the table's
 * `attribute_not_exists` conditions refuse a second transfer or payout, and the route
 * answers with the object the first attempt created.
 *
 * Answers that carry a secret shown only once (a webhook endpoint's `whsec_`): the route
 * says so (`sealsStoredResponse`) and the body is kept sealed with the secrets key, never in
 * plaintext, and opened again for a replay. Why the whole body sealed, rather than a
 * reference to the endpoint whose secret is re-opened: the replay is byte for byte the
 * first answer, even after the endpoint was deleted, with no route-specific replay code,
 * and the record (in every table export) holds nothing a reader without the key can use.
 */
export const IdempotencyStatus = {
  inProgress: 'in_progress',
  completed: 'completed',
  /** The last attempt failed with a 5xx or crashed; the next one may take over. */
  released: 'released',
} as const;
export type IdempotencyStatus = (typeof IdempotencyStatus)[keyof typeof IdempotencyStatus];

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
const KEY_SHAPE = /^[\x20-\x7e]{1,255}$/;

export interface IdempotencyItem {
  pk: string;
  sk: string;
  entity: typeof Entity.idempotency;
  merchant_id: string;
  idempotency_key: string;
  fingerprint: string;
  status: IdempotencyStatus;
  lock_token: string;
  locked_until_ms: number;
  /** 32 random bytes (hex) from which the request's object ids are derived. */
  seed: string;
  first_attempt_at_ms: number;
  created_at: string;
  ttl_sec: number;
  response_status?: number;
  response_body?: string;
  /** Instead of response_body, for routes whose answer carries a secret: the body, sealed under responseContext. */
  response_sealed?: string;
}

export interface StoredResponse {
  status: number;
  body: string;
}

/** A key this request holds while its route runs. */
export interface IdempotencyHold {
  merchantId: string;
  key: string;
  token: string;
  seed: string;
  firstAttemptAtMs: number;
  /** An earlier attempt with this key failed or was interrupted: it may have created objects. */
  resumed: boolean;
}

export type IdempotencyStart = { kind: 'acquired'; hold: IdempotencyHold } | { kind: 'replay'; response: StoredResponse };

export interface IdempotencyOptions {
  /** How long a key is kept. @default 86400 (24 h) */
  ttlSec?: number;
  /** How long a running request holds its key before another attempt may take it over. @default 60000 */
  lockMs?: number;
  /** Seals the answers of routes whose answer carries a secret. Without one, such a route cannot keep its answer (500). */
  sealer?: SecretSealer;
}

// Named conditions.
const keyIsFreeOrExpired = 'attribute_not_exists(pk) OR ttl_sec < :nowSec';
const stillHeldBy = 'lock_token = :token';

/** The key as sent, checked against the contract: 1–255 printable ASCII characters. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!KEY_SHAPE.test(header)) {
    throw new ValidationError('Idempotency-Key must be 1 to 255 printable ASCII characters', { param: 'Idempotency-Key' });
  }
  return header;
}

/** What "the same request" means: method, path and the JSON body, whatever its key order or spacing. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('hex');
}

export class IdempotencyStore {
  private readonly ttlSec: number;
  private readonly lockMs: number;
  private readonly sealer: SecretSealer | undefined;

  constructor(private readonly table: Table, options: IdempotencyOptions = {}) {
    this.ttlSec = options.ttlSec ?? 86_400;
    this.lockMs = options.lockMs ?? 60_000;
    this.sealer = options.sealer;
  }

  async begin(input: { merchantId: string; key: string; fingerprint: string; now?: Date }): Promise<IdempotencyStart> {
    const now = input.now ?? new Date();
    const nowMs = now.getTime();
    const token = randomBytes(16).toString('hex');
    const fresh: IdempotencyItem = {
      ...keys.idempotency(input.merchantId, input.key),
      entity: Entity.idempotency,
      merchant_id: input.merchantId,
      idempotency_key: input.key,
      fingerprint: input.fingerprint,
      status: IdempotencyStatus.inProgress,
      lock_token: token,
      locked_until_ms: nowMs + this.lockMs,
      seed: randomBytes(32).toString('hex'),
      first_attempt_at_ms: nowMs,
      created_at: now.toISOString(),
      ttl_sec: Math.floor(nowMs / 1000) + this.ttlSec,
    };
    let existing: IdempotencyItem;
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.name,
          Item: fresh,
          // DynamoDB deletes expired items only eventually: an expired record is as good as none.
          ConditionExpression: keyIsFreeOrExpired,
          ExpressionAttributeValues: { ':nowSec': Math.floor(nowMs / 1000) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'acquired', hold: holdOf(fresh, false) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item ? (unmarshall(error.Item) as IdempotencyItem) : await this.read(input.merchantId, input.key);
      // Gone again in between (expired and deleted): treat as a conflict the client retries.
      if (!old) throw new IdempotencyInProgressError();
      existing = old;
    }

    if (existing.fingerprint !== input.fingerprint) throw new IdempotencyKeyReusedError();
    if (existing.status === IdempotencyStatus.completed) {
      const body =
        existing.response_sealed !== undefined
          ? await this.requireSealer().open(existing.response_sealed, responseContext(input.merchantId, input.key))
          : (existing.response_body ?? '');
      return { kind: 'replay', response: { status: existing.response_status ?? 500, body } };
    }
    if (existing.status === IdempotencyStatus.inProgress && existing.locked_until_ms > nowMs) throw new IdempotencyInProgressError();

    // Released after a 5xx, or held by an attempt that died: take it over, keeping the seed.
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.idempotency(input.merchantId, input.key),
          UpdateExpression: 'SET #status = :inProgress, lock_token = :token, locked_until_ms = :lockedUntil',
          ConditionExpression: 'lock_token = :previousToken AND #status = :previousStatus',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':inProgress': IdempotencyStatus.inProgress,
            ':token': token,
            ':lockedUntil': nowMs + this.lockMs,
            ':previousToken': existing.lock_token,
            ':previousStatus': existing.status,
          },
        }),
      );
    } catch (error) {
      // Another retry took it over first: that one is now running.
      if (error instanceof ConditionalCheckFailedException) throw new IdempotencyInProgressError();
      throw error;
    }
    return { kind: 'acquired', hold: holdOf({ ...existing, lock_token: token }, true) };
  }

  /** Keeps the response for replays (sealed when it carries a secret). Only while we still hold the key. */
  async complete(hold: IdempotencyHold, response: StoredResponse, options: { sealed?: boolean } = {}): Promise<void> {
    const [attribute, body] = options.sealed
      ? ['response_sealed', await this.requireSealer().seal(response.body, responseContext(hold.merchantId, hold.key))]
      : ['response_body', response.body];
    await this.updateHeld(hold, `SET #status = :completed, response_status = :status, ${attribute} = :body REMOVE locked_until_ms`, {
      ':completed': IdempotencyStatus.completed,
      ':status': response.status,
      ':body': body,
    });
  }

  private requireSealer(): SecretSealer {
    if (!this.sealer) throw new Error('this idempotency store has no sealer for answers that carry a secret');
    return this.sealer;
  }

  /** Lets a retry run (after a 5xx), keeping fingerprint and seed. */
  async release(hold: IdempotencyHold): Promise<void> {
    await this.updateHeld(hold, 'SET #status = :released, locked_until_ms = :zero', {
      ':released': IdempotencyStatus.released,
      ':zero': 0,
    });
  }

  private async read(merchantId: string, key: string): Promise<IdempotencyItem | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.name, Key: keys.idempotency(merchantId, key), ConsistentRead: true }),
    );
    return Item as IdempotencyItem | undefined;
  }

  private async updateHeld(hold: IdempotencyHold, update: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.idempotency(hold.merchantId, hold.key),
          UpdateExpression: update,
          ConditionExpression: stillHeldBy,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':token': hold.token },
        }),
      );
    } catch (error) {
      // Our lock ran out and another attempt owns the key now: its outcome is the one kept.
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}

/**
 * A sealed answer opens for its own merchant and key only. The key is hashed: KMS logs the
 * context in CloudTrail, and a client's key is the client's business.
 */
function responseContext(merchantId: string, key: string): EncryptionContext {
  return { purpose: 'idempotent-response', merchant_id: merchantId, idempotency_key_sha256: createHash('sha256').update(key).digest('hex') };
}

function holdOf(item: IdempotencyItem, resumed: boolean): IdempotencyHold {
  return {
    merchantId: item.merchant_id,
    key: item.idempotency_key,
    token: item.lock_token,
    seed: item.seed,
    firstAttemptAtMs: item.first_attempt_at_ms,
    resumed,
  };
}

/**
 * Object ids for one request. Under an Idempotency-Key they are derived from the key's
 * secret seed (HMAC, so still 128 unguessable bits) and its first attempt's time, and a
 * retry gets the same ids in the same order; without a key they are fresh.
 */
export function idFactory(hold: IdempotencyHold | undefined, nowMs: number): (prefix: IdPrefix) => string {
  const counters = new Map<string, number>();
  return (prefix) => {
    if (!hold) return idFrom(prefix, nowMs, randomBytes(16));
    const n = counters.get(prefix) ?? 0;
    counters.set(prefix, n + 1);
    const random = createHmac('sha256', Buffer.from(hold.seed, 'hex')).update(`${prefix}:${n}`).digest();
    return idFrom(prefix, hold.firstAttemptAtMs, random);
  };
}

/** JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
