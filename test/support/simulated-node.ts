import { readFileSync } from 'node:fs';
import type { InProcessControls } from '../../lnd-simulator/control-api/control-server';
import type { PaymentOutcome } from '../../lnd-simulator';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import { connectNode } from '../../functions/lib/node/connect-node';
import {
  LIGHTNING_BACKENDS,
  readNodeConfig,
  type LightningBackend,
  type NodeConnectionConfig,
  type NodeRole,
} from '../../functions/lib/node/node-config';
import { backendName, nodeEnv, startNodeSimulator, type PipelineNode } from '../../infra/local/local-node';

/**
 * The node simulator a test runs against, LND or Core Lightning alike (TEST_LIGHTNING_BACKEND):
 * the control handle both simulators share, their few differing names made one, and how
 * the product connects to it.
 */
export interface SimulatedNode extends InProcessControls {
  backend: LightningBackend;
  /** "LND" or "Core Lightning", for test names and messages. */
  backendName: string;
  host: string;
  controlPort: number;
  /** host:port of its gRPC. */
  grpcAddress: string;
  /** Our node's key: the payee of its invoices. */
  pubkey: string;
  /** How the pipeline and the local stack reach it (files). */
  node: PipelineNode;
  /**
   * What paymentAttempts counts for one payment of ours that ends as `outcome`: LND's
   * simulator counts every SendPaymentV2 it started, Core Lightning's only the Xpay calls that
   * sent an HTLC, none when no route was found or the balance was short.
   */
  attemptsFor(outcome: PaymentOutcome): number;
  /** Sends held by the hold_sends fault right now. */
  heldSendCount(): number;
  /** Server calls open now: LND's streams, Core Lightning's waiting calls (WaitAnyInvoice, a pending Xpay). */
  openStreamCount(): number;
  /** The connection a role uses (the API: invoices; the bridge: payments), as node-config reads it from the environment. */
  connection(role: NodeRole): NodeConnectionConfig;
  /** A node-port client with the role's credentials; `host` points it elsewhere (a node that is down). */
  connect(role: NodeRole, options?: { host?: string; unaryTimeoutMs?: number }): Promise<LightningNode>;
  /** Text of the bridge's credential that must never appear in a log: the admin macaroon's hex, a line of the client key's PEM. */
  secretCredentialText(): string;
  stop(): Promise<void>;
}

/** TEST_LIGHTNING_BACKEND, lnd when unset. */
export function testLightningBackend(env: NodeJS.ProcessEnv = process.env): LightningBackend {
  const value = env.TEST_LIGHTNING_BACKEND || 'lnd';
  if (!(LIGHTNING_BACKENDS as readonly string[]).includes(value)) throw new Error(`TEST_LIGHTNING_BACKEND must be one of ${LIGHTNING_BACKENDS.join(', ')}, not ${value}`);
  return value as LightningBackend;
}

export interface SimulatedNodeOptions {
  dataDir: string;
  /** @default testLightningBackend() */
  backend?: LightningBackend;
  maxPaymentTimeoutMs?: number;
}

/** The simulator of the test run's backend, on free ports, with its state in `dataDir`. */
export async function startSimulatedNode(options: SimulatedNodeOptions): Promise<SimulatedNode> {
  const backend = options.backend ?? testLightningBackend();
  const started = await startNodeSimulator(backend, {
    dataDir: options.dataDir,
    grpcPort: 0,
    controlPort: 0,
    ...(options.maxPaymentTimeoutMs !== undefined ? { maxPaymentTimeoutMs: options.maxPaymentTimeoutMs } : {}),
  });
  const sim = started.simulator;
  const node = started.node;
  const connection = (role: NodeRole) => readNodeConfig(nodeEnv(node, role), { role });
  return {
    backend,
    backendName: backendName(backend),
    host: sim.host,
    controlPort: sim.controlPort,
    grpcAddress: sim.grpcAddress,
    pubkey: sim.pubkey,
    node,
    payInvoice: sim.payInvoice,
    createOutsideInvoice: sim.createOutsideInvoice,
    paymentAttempts: sim.paymentAttempts,
    resolvePayment: sim.resolvePayment,
    dropStreams: sim.dropStreams,
    holdSends: sim.holdSends,
    heldSendCount: sim.heldSendCount,
    attemptsFor: (outcome) => (backend === 'cln' && (outcome === 'no_route' || outcome === 'insufficient_balance') ? 0 : 1),
    openStreamCount: started.backend === 'cln' ? started.simulator.openCallCount : started.simulator.openStreamCount,
    connection,
    connect: (role, connectOptions = {}) =>
      connectNode(
        { ...connection(role), ...(connectOptions.host ? { host: connectOptions.host } : {}) },
        connectOptions.unaryTimeoutMs !== undefined ? { unaryTimeoutMs: connectOptions.unaryTimeoutMs } : {},
      ),
    secretCredentialText: () =>
      node.backend === 'cln'
        ? readFileSync(node.clientKeyPath, 'utf8').split('\n').find((line) => line !== '' && !line.startsWith('-----'))!
        : readFileSync(node.adminMacaroonPath).toString('hex'),
    stop: () => sim.stop(),
  };
}
