/**
 * ApiNode, the node as the API functions see it: any node failure is the 503
 * node_unavailable answer (the node's own words stay in the cause, for the log), anything
 * else stays the bug it is; the identity is read once and checked against the deployment's
 * network.
 */
import { describe, expect, it } from 'vitest';
import { NodeUnavailableError, UnsupportedByBackendError } from '../../functions/lib/errors';
import { ApiNode } from '../../functions/lib/node/api-node';
import type { InvoiceNode } from '../../functions/lib/node/lightning-node';
import { InvoiceAlreadySettledError, NodeAccessDeniedError, NodeUnreachableError, UnsupportedRequestError } from '../../functions/lib/node/node-errors';
import type { NodeInfo } from '../../functions/lib/node/node-types';

const INFO: NodeInfo = { pubkey: '02'.padEnd(66, '1'), network: 'regtest', synced: true, blockHeight: 1, alias: 'sim', version: 'x', activeChannels: 1, peers: 1 };

function node(overrides: Partial<InvoiceNode>): InvoiceNode {
  const refuse = () => Promise.reject(new Error('not used'));
  return { getNodeInfo: refuse, createInvoice: refuse, lookupInvoice: refuse, cancelInvoice: refuse, ...overrides };
}

describe('ApiNode', () => {
  it.each([
    ['unreachable', new NodeUnreachableError('LND GetInfo failed (UNAVAILABLE): dial tcp 10.0.0.5:10009', { operation: 'createInvoice' })],
    ['refused credentials', new NodeAccessDeniedError('LND AddInvoice failed: permission denied', { operation: 'createInvoice' })],
  ])('answers 503 node_unavailable for a node that is %s, keeping its text out of the message', async (_case, failure) => {
    const api = new ApiNode(node({ createInvoice: () => Promise.reject(failure) }));

    const error = await api.createInvoice({ label: 'inv_1', amountMsat: 1_000, expirySec: 60 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NodeUnavailableError);
    expect((error as Error).message).toBe('The Lightning node is unavailable; try again shortly');
    expect((error as Error).cause).toBe(failure);
  });

  it('answers 503 for a cancel the node refuses, and passes an error that is not the node\'s unchanged', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const api = new ApiNode(node({ cancelInvoice: () => Promise.reject(new InvoiceAlreadySettledError('settled', { operation: 'cancelInvoice' })), lookupInvoice: () => Promise.reject(bug) }));

    await expect(api.cancelInvoice('ab'.repeat(32))).rejects.toBeInstanceOf(NodeUnavailableError);
    await expect(api.lookupInvoice('ab'.repeat(32))).rejects.toBe(bug);
  });

  it('answers 400 unsupported_by_backend, not 503, for a request the node\'s implementation cannot honour', async () => {
    const refusal = new UnsupportedRequestError('no bare hashes here', { operation: 'createInvoice', field: 'descriptionHash', backend: 'Core Lightning' });
    const api = new ApiNode(node({ createInvoice: () => Promise.reject(refusal) }));

    const error = await api.createInvoice({ label: 'inv_1', amountMsat: 1_000, descriptionHash: 'ab'.repeat(32), expirySec: 60 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnsupportedByBackendError);
    expect((error as UnsupportedByBackendError).toBody()).toEqual({
      error: {
        type: 'invalid_request',
        code: 'unsupported_by_backend',
        message: 'description_hash needs the description text on Core Lightning; send memo instead',
        param: 'description_hash',
      },
    });
    expect((error as UnsupportedByBackendError).status).toBe(400);
    expect((error as Error).cause).toBe(refusal);
  });

  it('reads the node info once, but not a failed read', async () => {
    let calls = 0;
    const api = new ApiNode(node({ getNodeInfo: async () => (++calls === 1 ? Promise.reject(new NodeUnreachableError('down', { operation: 'getNodeInfo' })) : INFO) }));

    await expect(api.getNodeInfo()).rejects.toBeInstanceOf(NodeUnavailableError);
    expect(await api.getNodeInfo()).toEqual(INFO);
    expect(await api.getNodeInfo()).toEqual(INFO);
    expect(calls).toBe(2);
  });

  it('refuses a node on another network than the deployment is for', async () => {
    const api = new ApiNode(node({ getNodeInfo: async () => INFO }), { expectedNetwork: 'mainnet' });

    const error = await api.getNodeInfo().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NodeUnavailableError);
    expect(((error as Error).cause as Error).message).toBe('LND_NETWORK is mainnet but the node runs on regtest');
  });
});
