import { existsSync } from 'node:fs';
import { startClnSimulator, type ClnSimulator } from '../../cln-simulator';
import type { LightningBackend, NodeRole } from '../../functions/lib/node/node-config';
import { startLndSimulator, type LndSimulator } from '../../lnd-simulator';

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

/** Every variable that names a node, of either backend: dropped from an inherited environment before nodeEnv's are added. */
export function withoutNodeVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(LIGHTNING_BACKEND$|LND_(GRPC_HOST$|TLS_CERT_|MACAROON_|INVOICE_MACAROON_)|CLN_(GRPC_HOST$|CA_CERT_|CLIENT_CERT_|CLIENT_KEY_))/.test(name)));
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
}

/** Starts the LND or the Core Lightning simulator (state under DATA_DIR/lnd or DATA_DIR/cln). */
export async function startNodeSimulator(backend: LightningBackend, options: NodeSimulatorOptions): Promise<NodeSimulator> {
  const settings = {
    dataDir: options.dataDir,
    grpcPort: options.grpcPort,
    controlPort: options.controlPort,
    ...(options.maxPaymentTimeoutMs !== undefined ? { maxPaymentTimeoutMs: options.maxPaymentTimeoutMs } : {}),
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

/** "LND" or "Core Lightning", for banners. */
export function backendName(backend: LightningBackend): string {
  return backend === 'cln' ? 'Core Lightning' : 'LND';
}
