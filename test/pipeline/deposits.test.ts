import { describe, expect, it } from 'vitest';
import { BusSource, LedgerDetailType, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { expectLedgerConsistent } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil } from '../support/pipeline-harness';

describe('deposits through the pipeline', () => {
  const h = usePipelineHarness({ bridgeEnv: { LOG_LEVEL: 'debug' } });

  it('credits a paid invoice once and publishes invoice.paid', async () => {
    const { merchantId, accountId } = await h.newAccount();
    const invoice = await h.createInvoice({ merchantId, accountId, amountMsat: 150_000 });

    const t0 = Date.now(); console.log('pay at', new Date().toISOString());
    expect(h.sim.payInvoice(invoice.bolt11).status).toBe('settled');

    await waitUntil(async () => (await h.readInvoice(invoice.id)).status === 'paid', { message: 'invoice paid' }).catch((e) => { console.log(h.pipeline.bridge?.logs().join('\n')); console.log(JSON.stringify(h.events)); throw e; });
    console.log('paid after', Date.now() - t0);
    expect(await h.balance(accountId)).toBe(150_000);
    await waitUntil(() =>
      h.events.some((e) => e.source === BusSource.ledger && e['detail-type'] === LedgerDetailType.domainEvent && JSON.stringify(e.detail).includes(invoice.id)),
    );
    console.log('event after', Date.now() - t0);
    const deposits = (await h.ledger(accountId)).filter((entry) => entry.reference_id === invoice.id);
    expect(deposits).toHaveLength(1);
    expect(h.events.filter((e) => e['detail-type'] === NodeDetailType.invoiceSettled)).toHaveLength(1);
    await expectLedgerConsistent(h.table, [accountId]);
    if (process.env.PIPELINE_DEBUG) console.log(h.pipeline.bridge?.logs().join('\n'));
  });
});
