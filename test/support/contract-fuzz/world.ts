import fc from 'fast-check';
import { IdPrefix, newId } from '../../../functions/lib/ids';
import type { CreatedMerchant } from '../../../functions/lib/merchants/create-merchant';
import type { ApiHarness, ApiReply } from '../api-harness';
import type { Json } from './document';
import type { Hints } from './schema-values';

// What the fuzzer's requests talk about: two merchants with objects of every kind, and the
// ids, cursors and BOLT11s seen so far. Pools only grow, and arbitraries read them when a
// value is generated, so later runs reach objects that earlier runs created.

const POOL_SIZE = 40;
const ID_SHAPE = /^([a-z]+)_[0-9a-hjkmnp-tv-z]{36}$/;
/** Public addresses: registration checks them without a DNS look-up. */
const WEBHOOK_URLS = ['https://93.184.216.34/hooks', 'https://8.8.8.8/lightning', 'http://93.184.216.34/plain', 'https://127.0.0.1/loopback', 'https://[2606:4700:4700::1111]/v6'];
const IDEMPOTENCY_KEYS = ['fuzz-a', 'fuzz-b', 'fuzz-c', 'order-42-payout-1'];

class Pool {
  private readonly values: string[] = [];
  constructor(seed: string[] = []) {
    seed.forEach((value) => this.add(value));
  }
  add(value: string): void {
    if (this.values.includes(value)) return;
    this.values.push(value);
    if (this.values.length > POOL_SIZE) this.values.splice(1, 1);
  }
  /** The index-th value, wrapping around; undefined while the pool is empty. */
  at(index: number): string | undefined {
    return this.values.length > 0 ? this.values[index % this.values.length] : undefined;
  }
  /** One of the values there are when the value is generated (those of `fallback` while there are none). */
  pick(fallback?: Pool): fc.Arbitrary<string> {
    return fc.nat({ max: 100_000 }).map((index) => this.at(index) ?? fallback?.at(index) ?? 'x');
  }
}

export class FuzzWorld {
  private readonly own = new Map<string, Pool>();
  private readonly foreign = new Map<string, Pool>();
  private readonly missing = new Map<string, Pool>();
  /** The fuzz shop's accounts that hold money (its default and second one): transfers and payouts from them can succeed. */
  private readonly funded = new Pool();
  /** next_cursor values by the list (path template) that gave them. */
  private readonly cursors = new Map<string, Pool>();
  private readonly junkCursors = new Pool(['', 'bm90LWEtY3Vyc29y']);
  private readonly bolt11s = new Pool();
  /** Field and parameter names known to hold ids, with the prefix (from the document's examples). */
  private readonly idFields: Map<string, string>;

  private constructor(
    readonly api: ApiHarness,
    readonly shop: CreatedMerchant,
    readonly other: CreatedMerchant,
    document: Json,
  ) {
    this.idFields = idFieldsOf(document);
    for (const prefix of Object.values(IdPrefix)) this.missing.set(prefix, new Pool([newId(prefix), newId(prefix), `${prefix}_`, `${prefix}_${'z'.repeat(36)}`, 'x', '..%2F..']));
  }

  /** Two merchants, each with funded accounts, an invoice, a transfer, a withdrawal, a webhook endpoint and events. */
  static async create(api: ApiHarness, document: Json): Promise<FuzzWorld> {
    const world = new FuzzWorld(api, await api.newMerchant('Fuzz shop'), await api.newMerchant('Other shop'), document);
    for (const [merchant, funds] of [[world.shop, 5_000_000], [world.other, 1_000_000]] as const) {
      const key = merchant.secret_key;
      const paid = await api.fund(key, merchant.default_account_id, funds);
      world.remember(merchant, { status: 201, body: { id: paid.id } }, '/v1/invoices');
      const second = await world.setUp(merchant, 'POST', '/v1/accounts', { label: 'second' });
      await world.setUp(merchant, 'POST', '/v1/transfers', { from_account_id: merchant.default_account_id, to_account_id: second.id, amount_msat: funds / 4 });
      if (merchant === world.shop) [merchant.default_account_id, second.id].forEach((id) => world.funded.add(id));
      await world.setUp(merchant, 'POST', '/v1/webhook-endpoints', { url: WEBHOOK_URLS[0] });
      await world.setUp(merchant, 'POST', '/v1/withdrawals', { bolt11: api.simulator.createOutsideInvoice({ amountMsat: 2_000 }).bolt11 });
      const pending = await world.setUp(merchant, 'POST', '/v1/invoices', { amount_msat: 3_000, account_id: second.id });
      world.bolt11s.add(pending.bolt11);
      await world.setUp(merchant, 'GET', '/v1/events?limit=2');
      await world.setUp(merchant, 'GET', '/v1/invoices?limit=1');
    }
    for (let i = 0; i < 4; i++) world.bolt11s.add(api.simulator.createOutsideInvoice({ amountMsat: 1_000 * (i + 1) }).bolt11);
    world.bolt11s.add(api.simulator.createOutsideInvoice({ amountMsat: 0 }).bolt11);
    return world;
  }

  private async setUp(merchant: CreatedMerchant, method: string, path: string, body?: unknown): Promise<Json> {
    const reply = await this.api.request(method, path, { key: merchant.secret_key, ...(body ? { body } : {}) });
    if (reply.status >= 300) throw new Error(`fuzz set-up ${method} ${path} answered ${reply.status}: ${reply.text}`);
    this.remember(merchant, reply, path.split('?')[0]!);
    return reply.body;
  }

  /** Learns the ids, cursors and BOLT11s of a successful answer to `merchant` from the operation at `template`. */
  remember(merchant: CreatedMerchant | undefined, reply: Pick<ApiReply, 'status' | 'body'>, template: string): void {
    if (!merchant || reply.status >= 300) return;
    const pools = merchant === this.shop ? this.own : this.foreign;
    const visit = (value: unknown, key: string) => {
      if (typeof value === 'string') {
        const prefix = ID_SHAPE.exec(value)?.[1];
        if (prefix && (key === 'id' || key.endsWith('_id'))) poolOf(pools, prefix).add(value);
        if (key === 'next_cursor') poolOf(this.cursors, template).add(value);
        if (key === 'bolt11') this.bolt11s.add(value);
      } else if (Array.isArray(value)) {
        value.forEach((item) => visit(item, key));
      } else if (value && typeof value === 'object') {
        for (const [name, inner] of Object.entries(value)) visit(inner, name);
      }
    };
    visit(reply.body, '');
  }

  /** Mostly the caller's own ids, sometimes the other merchant's, ids of no object, malformed ones or another kind's. */
  ids(prefix: string): fc.Arbitrary<string> {
    const missing = poolOf(this.missing, prefix);
    const otherKinds = Object.values(IdPrefix).filter((kind) => kind !== prefix);
    return fc.oneof(
      { arbitrary: this.funded.pick(), weight: prefix === IdPrefix.account ? 6 : 0 },
      { arbitrary: poolOf(this.own, prefix).pick(missing), weight: 6 },
      { arbitrary: poolOf(this.foreign, prefix).pick(missing), weight: 2 },
      { arbitrary: missing.pick(), weight: 2 },
      { arbitrary: fc.constantFrom(...otherKinds).chain((kind) => poolOf(this.own, kind).pick(missing)), weight: 1 },
    );
  }

  /** Plausible values by field or parameter name for the operation at `template`; the schema's own generator covers the rest. */
  hintsFor(template: string): Hints {
    return (name, schema) => (name === 'cursor' ? this.cursorsOf(template) : this.hint(name, schema));
  }

  private cursorsOf(template: string): fc.Arbitrary<string> {
    return fc.oneof({ arbitrary: poolOf(this.cursors, template).pick(this.junkCursors), weight: 3 }, { arbitrary: this.junkCursors.pick(), weight: 1 });
  }

  private hint(name: string, schema: Json): fc.Arbitrary<unknown> | undefined {
    const prefix = idPrefixOf(schema) ?? this.idFields.get(name);
    if (prefix) return this.ids(prefix);
    switch (name) {
      case 'bolt11':
        return fc.oneof(
          { arbitrary: this.bolt11s.pick(), weight: 3 },
          { arbitrary: fc.integer({ min: 0, max: 40_000 }).map((amountMsat) => this.api.simulator.createOutsideInvoice({ amountMsat }).bolt11), weight: 2 },
        );
      case 'url':
        return fc.constantFrom(...WEBHOOK_URLS);
      case 'amount_msat':
        return fc.integer({ min: 1, max: 60_000 });
      case 'max_fee_msat':
        return fc.integer({ min: 0, max: 20_000 });
      case 'external_id':
        return fc.constantFrom('fuzz-1', 'fuzz-2', 'tg:12345');
      case 'reference':
        return fc.constantFrom('order-1', 'order-2');
      case 'Idempotency-Key':
        // A few keys again and again (replays, keys reused for another request) or a new one.
        return fc.oneof(fc.constantFrom(...IDEMPOTENCY_KEYS), fc.uuid());
      default:
        return undefined;
    }
  }
}

function poolOf(pools: Map<string, Pool>, prefix: string): Pool {
  let pool = pools.get(prefix);
  if (!pool) pools.set(prefix, (pool = new Pool()));
  return pool;
}

function idPrefixOf(schema: Json): string | undefined {
  const example = (schema.examples as unknown[] | undefined)?.find((value): value is string => typeof value === 'string');
  // Examples need not be real ids (`acct_01hzy3k8g0000…` is shorter): the prefix is what counts.
  const prefix = example ? /^([a-z]+)_/.exec(example)?.[1] : undefined;
  return prefix && (Object.values(IdPrefix) as string[]).includes(prefix) ? prefix : undefined;
}

/** Every property and parameter whose schema shows an id example, by name: `account_id` → `acct`. */
function idFieldsOf(document: Json): Map<string, string> {
  const fields = new Map<string, string>();
  const visit = (node: unknown, name?: string) => {
    if (Array.isArray(node)) return node.forEach((item) => visit(item));
    if (!node || typeof node !== 'object') return;
    const value = node as Json;
    const prefix = name ? idPrefixOf(value) : undefined;
    if (name && prefix && name !== 'id') fields.set(name, prefix);
    if (typeof value.name === 'string' && value.schema) visit(value.schema, value.name);
    for (const [key, inner] of Object.entries(value.properties ?? {})) visit(inner, key);
    for (const [key, inner] of Object.entries(value)) if (key !== 'properties' && key !== 'schema') visit(inner);
  };
  visit(document);
  return fields;
}
