import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Invoice, InvoiceState, type LndClient, NodeUnavailableError } from '../../functions/lib/lnd';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';
import { takeNext, waitFor } from './support/streams';

describe('SubscribeInvoices', () => {
  let fixture: SimulatorFixture;
  let lnd: LndClient;

  beforeEach(async () => {
    fixture = await startSimulatorFixture();
    lnd = fixture.client('invoice');
  });
  afterEach(() => fixture.stop());

  const addAndSettle = async (valueMsat: number) => {
    const added = await lnd.addInvoice({ valueMsat });
    expect(fixture.sim.payInvoice(added.paymentRequest).status).toBe('settled');
    return added;
  };
  const summary = (invoice: Invoice) => ({ addIndex: invoice.addIndex, settleIndex: invoice.settleIndex, state: invoice.state });

  it('sends no backlog for indexes of 0, only live adds and settles', async () => {
    await addAndSettle(1_000);
    await lnd.addInvoice({ valueMsat: 2_000 });
    const stream = lnd.subscribeInvoices({ addIndex: 0, settleIndex: 0 });
    const events = stream[Symbol.asyncIterator]();

    await waitFor(() => fixture.sim.openStreamCount() === 1);
    const live = await lnd.addInvoice({ valueMsat: 3_000 });
    fixture.sim.payInvoice(live.paymentRequest);

    expect((await takeNext(events, 2)).map(summary)).toEqual([
      { addIndex: 3, settleIndex: 0, state: InvoiceState.Open },
      { addIndex: 3, settleIndex: 2, state: InvoiceState.Settled },
    ]);
    stream.cancel();
  });

  it('replays invoices added after add_index in their current state, then settles after settle_index', async () => {
    await addAndSettle(1_000); // add 1, settle 1
    await lnd.addInvoice({ valueMsat: 2_000 }); // add 2
    await addAndSettle(3_000); // add 3, settle 2
    await lnd.addInvoice({ valueMsat: 4_000 }); // add 4

    const stream = lnd.subscribeInvoices({ addIndex: 2, settleIndex: 1 });

    expect((await takeNext(stream[Symbol.asyncIterator](), 3)).map(summary)).toEqual([
      { addIndex: 3, settleIndex: 2, state: InvoiceState.Settled },
      { addIndex: 4, settleIndex: 0, state: InvoiceState.Open },
      { addIndex: 3, settleIndex: 2, state: InvoiceState.Settled },
    ]);
    stream.cancel();
  });

  it('never sends CANCELED events', async () => {
    const toCancel = await lnd.addInvoice({ valueMsat: 1_000 });
    const stream = lnd.subscribeInvoices({ addIndex: toCancel.addIndex });
    const events = stream[Symbol.asyncIterator]();
    await waitFor(() => fixture.sim.openStreamCount() === 1);

    await lnd.cancelInvoice(toCancel.paymentHash);
    const next = await lnd.addInvoice({ valueMsat: 2_000 });

    expect((await takeNext(events, 1)).map((i) => i.paymentHash)).toEqual([next.paymentHash]);
    stream.cancel();
  });

  it('resumed from the last settle index after a dropped stream, loses and repeats nothing', async () => {
    const seen: Invoice[] = [];
    let lastSettleIndex = 0;
    const record = (invoice: Invoice) => {
      if (invoice.state !== InvoiceState.Settled) return;
      seen.push(invoice);
      lastSettleIndex = Math.max(lastSettleIndex, invoice.settleIndex);
    };

    const first = lnd.subscribeInvoices({ settleIndex: lastSettleIndex });
    const firstEvents = first[Symbol.asyncIterator]();
    await waitFor(() => fixture.sim.openStreamCount() === 1);
    const beforeDrop = [await addAndSettle(1_000), await addAndSettle(2_000)];
    for (const invoice of await takeNext(firstEvents, 4)) record(invoice);

    expect(fixture.sim.dropStreams()).toBe(1);
    await expect(firstEvents.next()).rejects.toBeInstanceOf(NodeUnavailableError);

    const duringOutage = [await addAndSettle(3_000), await addAndSettle(4_000)];
    const resumed = lnd.subscribeInvoices({ settleIndex: lastSettleIndex });
    const resumedEvents = resumed[Symbol.asyncIterator]();
    for (const invoice of await takeNext(resumedEvents, 2)) record(invoice);
    const afterResume = await addAndSettle(5_000);
    for (const invoice of await takeNext(resumedEvents, 2)) record(invoice);
    resumed.cancel();

    const expected = [...beforeDrop, ...duringOutage, afterResume].map((i) => i.paymentHash);
    expect(seen.map((i) => i.paymentHash)).toEqual(expected);
    expect(seen.map((i) => i.settleIndex)).toEqual([1, 2, 3, 4, 5]);
  });

  it('ends iteration without error when the consumer cancels', async () => {
    const stream = lnd.subscribeInvoices();
    const consumed = (async () => {
      const received: Invoice[] = [];
      for await (const invoice of stream) received.push(invoice);
      return received;
    })();
    await waitFor(() => fixture.sim.openStreamCount() === 1);

    stream.cancel();

    await expect(consumed).resolves.toEqual([]);
    await waitFor(() => fixture.sim.openStreamCount() === 0);
  });
});
