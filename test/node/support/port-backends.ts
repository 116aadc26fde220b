import { ClnNode } from '../../../functions/lib/node/cln/cln-node';
import type { LightningNode } from '../../../functions/lib/node/lightning-node';
import { LndNode } from '../../../functions/lib/node/lnd/lnd-node';
import type { InProcessControls } from '../../../lnd-simulator/control-api/control-server';
import { clnClientFor } from '../../cln/support/cln-client';
import { startClnFixture } from '../../cln/support/cln-fixture';
import { startSimulatorFixture } from '../../lnd/support/simulator-fixture';

/** Where Core Lightning and LND honestly differ; each port contract case that depends on one says so. */
export interface BackendTraits {
  /** A retried label answers with the invoice made for it (Core Lightning); LND has no labels and makes another. */
  keepsLabels: boolean;
  /** A canceled invoice is gone from the node (Core Lightning deletes it); LND keeps it as canceled. */
  forgetsCanceledInvoices: boolean;
  /** A payment that failed before any HTLC (route finding) leaves a record trackPayment finds (LND's payment store does). */
  recordsRouteFailures: boolean;
  /** The node makes an invoice commit to a description hash it is given (LND); Core Lightning hashes a text itself. */
  takesDescriptionHash: boolean;
  /**
   * The outbound balance of a channel we opened counts the commitment fee we pay (Core
   * Lightning's ListFunds our_amount_msat); LND's local balance is net of it.
   */
  outboundIncludesCommitFee: boolean;
}

/** A simulated node reached through the node port, with the simulator's in-process handle to drive the network. */
export interface PortBackend {
  node: LightningNode;
  /** Another connection to the same node, closed by stop(). */
  connect(): LightningNode;
  sim: InProcessControls & { pubkey: string; peerPubkey: string; heldSendCount(): number };
  /** Calls or streams the simulator is holding open right now (a waiting stream, a pending payment). */
  openCalls(): number;
  traits: BackendTraits;
  stop(): Promise<void>;
}

/** Short, so polled payments and "timeout" outcomes end in a test's time. */
const MAX_PAYMENT_TIMEOUT_MS = 400;
const CLN_POLL_INTERVAL_MS = 20;

async function lndBackend(): Promise<PortBackend> {
  const fixture = await startSimulatorFixture({ maxPaymentTimeoutMs: MAX_PAYMENT_TIMEOUT_MS });
  const connect = () => new LndNode(fixture.client('admin'));
  return {
    node: connect(),
    connect,
    sim: fixture.sim,
    openCalls: () => fixture.sim.openStreamCount(),
    traits: { keepsLabels: false, forgetsCanceledInvoices: false, recordsRouteFailures: true, takesDescriptionHash: true, outboundIncludesCommitFee: false },
    stop: () => fixture.stop(),
  };
}

async function clnBackend(): Promise<PortBackend> {
  const fixture = await startClnFixture({ maxPaymentTimeoutMs: MAX_PAYMENT_TIMEOUT_MS });
  const nodes: LightningNode[] = [];
  const connect = () => {
    const node = new ClnNode(clnClientFor(fixture), { pollIntervalMs: CLN_POLL_INTERVAL_MS });
    nodes.push(node);
    return node;
  };
  return {
    node: connect(),
    connect,
    sim: fixture.sim,
    openCalls: () => fixture.sim.openCallCount(),
    traits: { keepsLabels: true, forgetsCanceledInvoices: true, recordsRouteFailures: false, takesDescriptionHash: false, outboundIncludesCommitFee: true },
    async stop() {
      for (const node of nodes.splice(0)) node.close();
      await fixture.stop();
    },
  };
}

export const PORT_BACKENDS: ReadonlyArray<{ name: string; start: () => Promise<PortBackend> }> = [
  { name: 'lnd', start: lndBackend },
  { name: 'cln', start: clnBackend },
];
