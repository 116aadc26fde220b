import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddedInvoice, type LndClient } from '../../functions/lib/lnd';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';

describe('ListInvoices paging (LND semantics)', () => {
  let fixture: SimulatorFixture;
  let lnd: LndClient;
  const added: AddedInvoice[] = [];

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
    lnd = fixture.client('invoice');
    for (let i = 0; i < 7; i += 1) added.push(await lnd.addInvoice({ valueMsat: 1_000 + i }));
    fixture.sim.payInvoice(added[2]?.paymentRequest ?? '');
    await lnd.cancelInvoice(added[3]?.paymentHash ?? '');
  });
  afterAll(() => fixture.stop());

  const indexes = (page: { invoices: { addIndex: number }[] }) => page.invoices.map((i) => i.addIndex);

  it('pages forward with an exclusive index_offset and last_index_offset', async () => {
    const first = await lnd.listInvoices({ numMaxInvoices: 3 });
    const second = await lnd.listInvoices({ indexOffset: first.lastIndexOffset, numMaxInvoices: 3 });
    const third = await lnd.listInvoices({ indexOffset: second.lastIndexOffset, numMaxInvoices: 3 });
    const past = await lnd.listInvoices({ indexOffset: third.lastIndexOffset, numMaxInvoices: 3 });

    expect(indexes(first)).toEqual([1, 2, 3]);
    expect(first).toMatchObject({ firstIndexOffset: 1, lastIndexOffset: 3 });
    expect(indexes(second)).toEqual([4, 5, 6]);
    expect(indexes(third)).toEqual([7]);
    expect(indexes(past)).toEqual([]);
  });

  it('treats num_max_invoices 0 as 100', async () => {
    expect(indexes(await lnd.listInvoices())).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('pages backwards when reversed, still oldest first within a page', async () => {
    const newest = await lnd.listInvoices({ reversed: true, numMaxInvoices: 3 });
    const older = await lnd.listInvoices({ reversed: true, indexOffset: newest.firstIndexOffset, numMaxInvoices: 3 });

    expect(indexes(newest)).toEqual([5, 6, 7]);
    expect(newest).toMatchObject({ firstIndexOffset: 5, lastIndexOffset: 7 });
    expect(indexes(older)).toEqual([2, 3, 4]);
  });

  it('lists only open invoices with pending_only', async () => {
    expect(indexes(await lnd.listInvoices({ pendingOnly: true }))).toEqual([1, 2, 5, 6, 7]);
  });
});
