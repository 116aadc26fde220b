import { existsSync } from 'node:fs';
import path from 'node:path';
import { startClnSimulator, type ClnSimulator } from '../../cln-simulator';
import type { LightningBackend, NodeRole } from '../../functions/lib/node/node-config';
import { startLndSimulator, type LndSimulator } from '../../lnd-simulator';
import type { SiblingControlUrls } from '../../lnd-simulator/control-api/sibling-simulators';

/**
 * How the local pipeline reaches its node, as files: the node-bridge with payment rights,
 * the API (composed by the local stack) with invoice rights. cln-grpc has one client
 * certificate for both.
 */
export type PipelineNode =
  | { backend: 'lnd'; grpcHost: string; tlsCertPath: string; adminMacaroonPath: string; invoiceMacaroonPath: string }
  | { backend: 'cln'; grpcHost: string; caCertPath: string; clientCertPath: string; clientKeyPath: string };

/** The variables functions/lib/node/node-config.ts reads for this node and role. */
export function nodeEnv(node: PipelineNode, role: NodeRole): Record<string, string> {
  if (node.backend === 'cln') {
    return {
      LIGHTNING_BACKEND: 'cln',
      CLN_GRPC_HOST: node.grpcHost,
      CLN_CA_CERT_PATH: node.caCertPath,
      CLN_CLIENT_CERT_PATH: node.clientCertPath,
      CLN_CLIENT_KEY_PATH: node.clientKeyPath,
    };
  }
  return {
    LIGHTNING_BACKEND: 'lnd',
    LND_GRPC_HOST: node.grpcHost,
    LND_TLS_CERT_PATH: node.tlsCertPath,
    ...(role === 'payments' ? { LND_MACAROON_PATH: node.adminMacaroonPath } : { LND_INVOICE_MACAROON_PATH: node.invoiceMacaroonPath }),
  };
}

/**
 * The variables for several nodes: LIGHTNING_NODES, one entry per node with its nodeEnv
 * variables as fields (LND_TLS_CERT_PATH is `tls_cert_path`), and every single-node
 * variable blank (node-config reads '' as unset, which LIGHTNING_NODES requires), so that
 * these override an environment made for one node.
 */
export function nodeListEnv(nodes: ReadonlyArray<{ id: string; node: PipelineNode }>, role: NodeRole): Record<string, string> {
  const entries = nodes.map(({ id, node }) => {
    const fields = Object.entries(nodeEnv(node, role))
      .filter(([name]) => name !== 'LIGHTNING_BACKEND')
      .map(([name, value]) => [name.replace(/^(LND|CLN)_/, '').toLowerCase(), value]);
    return { id, backend: node.backend, ...Object.fromEntries(fields) };
  });
  const singleNames = nodes.flatMap(({ node }) => [...Object.keys(nodeEnv(node, 'invoices')), ...Object.keys(nodeEnv(node, 'payments'))]);
  return { ...Object.fromEntries(singleNames.map((name) => [name, ''])), LIGHTNING_NODES: JSON.stringify(entries) };
}

/** Every variable that names a node, of either backend: dropped from an inherited environment before nodeEnv's are added. */
export function withoutNodeVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(LIGHTNING_BACKEND$|LIGHTNING_NODES$|LND_(GRPC_HOST$|TLS_CERT_|MACAROON_|INVOICE_MACAROON_)|CLN_(GRPC_HOST$|CA_CERT_|CLIENT_CERT_|CLIENT_KEY_))/.test(name)));
}

/** The files of a real node, each named by the variable that gave it: the first missing one is reported. */
export function missingNodeFile(files: ReadonlyArray<readonly [variable: string, path: string]>): string | undefined {
  const missing = files.find(([, file]) => !existsSync(file));
  return missing && `${missing[0]} points at ${missing[1]}, which does not exist`;
}

/** A simulator of either backend, with how the pipeline reaches it. */
export type NodeSimulator = { backend: 'lnd'; simulator: LndSimulator; node: PipelineNode } | { backend: 'cln'; simulator: ClnSimulator; node: PipelineNode };

export interface NodeSimulatorOptions {
  dataDir: string;
  /** 0 picks a free port. */
  grpcPort: number;
  controlPort: number;
  maxPaymentTimeoutMs?: number;
  /** The other simulators of the stack, by control URL (see the simulators' options). */
  siblingControlUrls?: SiblingControlUrls;
  /** The outside peer's key, shared by the simulators of one stack. */
  outsidePeerKeyPath?: string;
}

/** Starts the LND or the Core Lightning simulator (state under DATA_DIR/lnd or DATA_DIR/cln). */
export async function startNodeSimulator(backend: LightningBackend, options: NodeSimulatorOptions): Promise<NodeSimulator> {
  const settings = {
    dataDir: options.dataDir,
    grpcPort: options.grpcPort,
    controlPort: options.controlPort,
    ...(options.maxPaymentTimeoutMs !== undefined ? { maxPaymentTimeoutMs: options.maxPaymentTimeoutMs } : {}),
    ...(options.siblingControlUrls !== undefined ? { siblingControlUrls: options.siblingControlUrls } : {}),
    ...(options.outsidePeerKeyPath !== undefined ? { outsidePeerKeyPath: options.outsidePeerKeyPath } : {}),
  };
  if (backend === 'cln') {
    const simulator = await startClnSimulator(settings);
    return {
      backend,
      simulator,
      node: { backend, grpcHost: simulator.grpcAddress, caCertPath: simulator.caCertPath, clientCertPath: simulator.clientCertPath, clientKeyPath: simulator.clientKeyPath },
    };
  }
  const simulator = await startLndSimulator(settings);
  return {
    backend,
    simulator,
    node: {
      backend,
      grpcHost: simulator.grpcAddress,
      tlsCertPath: simulator.tlsCertPath,
      adminMacaroonPath: simulator.adminMacaroonPath,
      invoiceMacaroonPath: simulator.invoiceMacaroonPath,
    },
  };
}

/** One of the several simulated nodes of a stack, with its LIGHTNING_NODES id. */
export type NamedNodeSimulator = NodeSimulator & { id: string };

/** LNSIM_NODES at most: enough to show placement and one node down, few enough for a laptop. */
export const MAX_SIMULATED_NODES = 4;

export interface NodeSimulatorsOptions {
  dataDir: string;
  /** Node 1's ports; node i's are these + i − 1. 0 picks free ports for every node. */
  grpcPort: number;
  controlPort: number;
  maxPaymentTimeoutMs?: number;
}

/** Where node i (from 1) of a several-node stack keeps its keys and state: DATA_DIR/nodes/sim-i. */
export function simulatedNodeDataDir(dataDir: string, id: string): string {
  return path.join(dataDir, 'nodes', id);
}

/**
 * `count` simulators of one backend as the nodes `sim-1`…`sim-<count>` of one stack, each
 * with its own data dir (so its own node key), ports (base + i − 1) and control API, sharing
 * one outside peer (DATA_DIR/nodes/outside-peer.key), each knowing the others' control URLs
 * so that a control call reaches the node it is about. Started one after the other; those
 * started are stopped again if one fails.
 */
export async function startNodeSimulators(backend: LightningBackend, count: number, options: NodeSimulatorsOptions): Promise<NamedNodeSimulator[]> {
  const started: NamedNodeSimulator[] = [];
  const controlUrl = (node: NamedNodeSimulator) => `http://${node.simulator.host}:${node.simulator.controlPort}`;
  const portOf = (base: number, index: number) => (base === 0 ? 0 : base + index);
  try {
    for (let index = 0; index < count; index++) {
      const id = `sim-${index + 1}`;
      const simulated = await startNodeSimulator(backend, {
        dataDir: simulatedNodeDataDir(options.dataDir, id),
        grpcPort: portOf(options.grpcPort, index),
        controlPort: portOf(options.controlPort, index),
        ...(options.maxPaymentTimeoutMs !== undefined ? { maxPaymentTimeoutMs: options.maxPaymentTimeoutMs } : {}),
        siblingControlUrls: () => started.filter((other) => other.id !== id).map(controlUrl),
        outsidePeerKeyPath: path.join(options.dataDir, 'nodes', 'outside-peer.key'),
      });
      started.push({ ...simulated, id });
    }
  } catch (error) {
    for (const node of started) await node.simulator.stop().catch(() => {});
    throw error;
  }
  return started;
}

/** "LND" or "Core Lightning", for banners. */
export function backendName(backend: LightningBackend): string {
  return backend === 'cln' ? 'Core Lightning' : 'LND';
}
