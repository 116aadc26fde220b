import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/lib/table/keys';
import { deliveryStateKey } from '../../functions/lib/webhooks/delivery';
import { addLedger, kindOfItem, kindOfKey, ledgerTotals, localTransactionAnswer, readConsumedCapacity, readUnits, sameCapacity, splitMeasured, type Ledger, type Share } from '../../bench/consumed-capacity';

describe('readConsumedCapacity', () => {
  it('splits a single-item answer into table and index units', () => {
    const answer = { TableName: 't', CapacityUnits: 6, Table: { CapacityUnits: 2 }, GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 2 }, gsi2: { CapacityUnits: 2 } } };
    expect(readConsumedCapacity(answer, 't')).toEqual({ table: 2, indexes: { gsi1: 2, gsi2: 2 } });
  });

  it('keeps only the named table of a batch or transaction answer and sums its entries', () => {
    const answer = [
      { TableName: 'queue', CapacityUnits: 5, Table: { CapacityUnits: 5 } },
      { TableName: 't', CapacityUnits: 3, Table: { CapacityUnits: 2 }, GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 1 } } },
    ];
    expect(readConsumedCapacity(answer, 't')).toEqual({ table: 2, indexes: { gsi1: 1 } });
    expect(readConsumedCapacity(answer, 'other')).toBeUndefined();
    expect(readConsumedCapacity(undefined, 't')).toBeUndefined();
  });

  it('reads an index query (no table units), the read/write split AWS gives transactions, and a TOTAL-only answer', () => {
    expect(readConsumedCapacity({ TableName: 't', CapacityUnits: 0.5, Table: { CapacityUnits: 0 }, GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 0.5 } } }, 't')).toEqual({ table: 0, indexes: { gsi1: 0.5 } });
    expect(readConsumedCapacity([{ TableName: 't', WriteCapacityUnits: 4, Table: { WriteCapacityUnits: 4 } }], 't')).toEqual({ table: 4, indexes: {} });
    expect(readConsumedCapacity({ TableName: 't', CapacityUnits: 3 }, 't')).toEqual({ table: 3, indexes: {} });
  });
});

describe('kindOfKey / kindOfItem', () => {
  it('names every key shape of keys.ts after its entity', () => {
    const cases: Array<[{ pk: string; sk: string }, string]> = [
      [keys.merchant('m1'), 'merchant'],
      [keys.rateLimit('m1'), 'rate_limit'],
      [keys.apiKey('h'), 'api_key'],
      [keys.account('a1'), 'account'],
      [keys.accountExternalId('m1', 'x'), 'account_external_id'],
      [keys.ledgerEntry('a1', 'le1'), 'ledger_entry'],
      [keys.invoice('in1'), 'invoice'],
      [keys.invoicePaymentHash('ab'), 'invoice_payment_hash'],
      [keys.paymentLock('ab'), 'payment_lock'],
      [keys.withdrawal('wd1'), 'withdrawal'],
      [keys.transfer('tr1'), 'transfer'],
      [keys.event('evt1'), 'event'],
      [keys.webhookEndpoint('we1'), 'webhook_endpoint'],
      [keys.webhookDelivery('evt1', 'we1', 1), 'webhook_delivery'],
      [deliveryStateKey('evt1', 'we1'), 'webhook_delivery_state'],
      [keys.idempotency('m1', 'k'), 'idempotency'],
      [keys.cursor('invoices'), 'cursor'],
      [keys.nodeInvoiceCancel('ab'), 'node_invoice_cancel'],
    ];
    for (const [key, kind] of cases) expect(kindOfKey(key), JSON.stringify(key)).toBe(kind);
  });

  it('names a query by its key condition: a partition with an sk prefix, a gsi1 listing, a gsi2 work list', () => {
    expect(kindOfKey({ pk: 'ACCOUNT#a1', sk: 'LEDGER#' })).toBe('ledger_entry');
    expect(kindOfKey({ gsi1pk: 'MERCHANT#m1#INVOICES' })).toBe('invoice');
    expect(kindOfKey({ gsi2pk: 'OPEN_WITHDRAWALS#3' })).toBe('withdrawal');
    expect(kindOfKey({ pk: 'NODE_STATUS' })).toBe('node_status');
  });

  it('prefers the item entity attribute to its key', () => {
    expect(kindOfItem({ ...keys.invoice('in1'), entity: 'something_else' })).toBe('something_else');
    expect(kindOfItem(undefined, { ...keys.invoice('in1') })).toBe('invoice');
  });
});

describe('splitMeasured', () => {
  it('gives a single-item call all of its measured units, whatever the model said', () => {
    const ledger: Ledger = {};
    splitMeasured({ table: 2, indexes: { gsi1: 2 } }, [{ kind: 'invoice', table: 1, indexes: {} }], 'wru', ledger);
    expect(ledger).toEqual({ invoice: { table: { wru: 2, rru: 0 }, gsi1: { wru: 2, rru: 0 } } });
  });

  it('splits a transaction per target in proportion to the model, evenly where the model gave a target nothing', () => {
    const ledger: Ledger = {};
    splitMeasured(
      { table: 12, indexes: { gsi1: 3, gsi2: 2 } },
      [
        { kind: 'invoice', table: 4, indexes: { gsi1: 2 } },
        { kind: 'event', table: 2, indexes: { gsi1: 1 } },
      ],
      'wru',
      ledger,
    );
    expect(ledger.invoice).toEqual({ table: { wru: 8, rru: 0 }, gsi1: { wru: 2, rru: 0 }, gsi2: { wru: 1, rru: 0 } });
    expect(ledger.event).toEqual({ table: { wru: 4, rru: 0 }, gsi1: { wru: 1, rru: 0 }, gsi2: { wru: 1, rru: 0 } });
    // Nothing measured is lost or invented by the split.
    expect(ledgerTotals(ledger).total).toEqual({ wru: 17, rru: 0 });
    expect(ledgerTotals(ledger).byTarget.gsi2).toEqual({ wru: 2, rru: 0 });
  });

  it('adds ledgers leaf by leaf, so a subtraction of a copy with negated numbers gives zero', () => {
    const a: Ledger = { invoice: { table: { wru: 3, rru: 0.5 } } };
    const sum = addLedger(addLedger({}, a), { invoice: { table: { wru: -3, rru: -0.5 } }, event: { gsi1: { wru: 1, rru: 0 } } });
    expect(sum).toEqual({ invoice: { table: { wru: 0, rru: 0 } }, event: { gsi1: { wru: 1, rru: 0 } } });
  });
});

describe('readUnits', () => {
  it('counts 4 KB per unit, halved when eventually consistent, doubled in a transaction, at least one block', () => {
    expect(readUnits(0)).toBe(0.5);
    expect(readUnits(100, { consistent: true })).toBe(1);
    expect(readUnits(4097)).toBe(1);
    expect(readUnits(5000, { transactional: true })).toBe(4);
  });
});

describe('localTransactionAnswer', () => {
  // The shapes DynamoDB Local answered when probed (see docs/COST.md, Method): model shares have
  // the table doubled and the indexes at AWS's standard rate.
  const put = (kb: number, gsi1 = true): Share => ({ kind: 'x', table: 2 * kb, indexes: gsi1 ? { gsi1: kb } : {} });

  it('counts items of identical capacity once and doubles index writes, as DynamoDB Local does', () => {
    expect(localTransactionAnswer([put(1), put(1), put(1)])).toEqual({ table: 2, indexes: { gsi1: 2 } });
    expect(localTransactionAnswer([put(3), put(3)])).toEqual({ table: 6, indexes: { gsi1: 6 } });
    expect(localTransactionAnswer([put(2), put(1)])).toEqual({ table: 6, indexes: { gsi1: 6 } });
    expect(localTransactionAnswer([put(1), put(1, false)])).toEqual({ table: 4, indexes: { gsi1: 2 } });
  });

  it('compares answers per target, an absent index counting as zero', () => {
    expect(sameCapacity({ table: 4, indexes: { gsi1: 2 } }, { table: 4, indexes: { gsi1: 2, gsi2: 0 } })).toBe(true);
    expect(sameCapacity({ table: 4, indexes: { gsi1: 2 } }, { table: 4, indexes: {} })).toBe(false);
  });
});
