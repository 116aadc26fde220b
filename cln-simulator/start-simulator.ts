import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { httpControls, SiblingSimulators, startControlServer, type OutsideInvoiceOptions, type SiblingControlUrls } from '../lnd-simulator/control-api/control-server';
import { SiblingOutsideNetwork } from '../lnd-simulator/control-api/sibling-outside-network';
import { loadOrCreateNodeKey } from '../lnd-simulator/node-key';
import { type OutsidePaymentResult, payOurInvoice } from '../lnd-simulator/outside-payer';
import type { PaymentOutcome } from '../lnd-simulator/state/records';
import { startClnGrpcServer } from './grpc/grpc-server';
import { OpenCalls } from './grpc/open-calls';
import { ClnInvoiceBook } from './invoice-book';
import { ClnPaymentEngine } from './payment-engine';
import { ClnStateFile } from './state/state-file';
import { loadOrCreateMtlsFiles } from './tls/mtls-files';

/** cln-grpc's usual port, and the control API one above the LND simulator's. */
export const DEFAULT_CLN_GRPC_PORT = 9736;
export const DEFAULT_CLN_CONTROL_PORT = 9738;
const DEFAULT_MAX_PAYMENT_TIMEOUT_MS = 2_000;

export interface ClnSimulatorOptions {
  /** Certificates, keys and state go to `${dataDir}/cln/`. */
  dataDir: string;
  /** 0 picks a free port. Default 9736. */
  grpcPort?: number;
  /** 0 picks a free port. Default 9738. */
  controlPort?: number;
  /** Default 127.0.0.1; keep it on loopback. */
  host?: string;
  /**
   * Control URLs of the other simulators of the same local stack, our other nodes: the
   * control API passes calls about their invoices and payments on to them. A function is read
   * at each call (for ports picked at start). Default none.
   */
  siblingControlUrls?: SiblingControlUrls;
  /**
   * The outside peer's key file, shared by the simulators of one stack so that an outside
   * invoice is payable from any of them. Default `peer.key` in this simulator's directory.
   */
  outsidePeerKeyPath?: string;
  /** Upper bound on how long a "timeout" outcome keeps a payment pending. Default 2,000 ms. */
  maxPaymentTimeoutMs?: number;
}

/** The same outside invoices as the LND simulator's. */
export type ClnOutsideInvoiceOptions = OutsideInvoiceOptions;

export interface ClnSimulator {
  host: string;
  grpcPort: number;
  controlPort: number;
  /** host:port for cln-grpc clients. */
  grpcAddress: string;
  /** Our node's id (payee of its invoices). */
  pubkey: string;
  /** The simulated peer, payee of outside invoices. */
  peerPubkey: string;
  caCertPath: string;
  clientCertPath: string;
  clientKeyPath: string;
  /** An outside payer pays one of our invoices (POST /pay). */
  payInvoice(bolt11: string, amountMsat?: number): OutsidePaymentResult;
  /** An invoice of an outside node whose payment ends as `outcome` (POST /invoices). */
  createOutsideInvoice(options?: ClnOutsideInvoiceOptions): { bolt11: string; paymentHash: string };
  /** How many xpay calls sent an HTLC for a hash (GET /payments/{hash}). */
  paymentAttempts(paymentHash: string): { attempts: number; settled: boolean };
  /** Ends a pending payment (POST /payments/{hash}/resolve); throws if none is pending. */
  resolvePayment(paymentHash: string, outcome: PaymentOutcome): { paymentHash: string; status: string };
  /** Cuts every call still waiting (WaitAnyInvoice, pending Xpay) with UNAVAILABLE (POST /faults). */
  dropStreams(): number;
  /** Fault (POST /faults {"hold_sends"}): holds xpay calls after their checks; false starts them. */
  holdSends(hold: boolean): number;
  heldSendCount(): number;
  /** Calls waiting for their answer right now, for tests to await. */
  openCallCount(): number;
  stop(): Promise<void>;
}

export async function startClnSimulator(options: ClnSimulatorOptions): Promise<ClnSimulator> {
  const host = options.host ?? '127.0.0.1';
  const clnDir = path.join(options.dataDir, 'cln');
  mkdirSync(clnDir, { recursive: true, mode: 0o700 });

  const tls = loadOrCreateMtlsFiles(clnDir);
  const nodeKey = loadOrCreateNodeKey(path.join(clnDir, 'node.key'));
  const peerKeyPath = options.outsidePeerKeyPath ?? path.join(clnDir, 'peer.key');
  mkdirSync(path.dirname(peerKeyPath), { recursive: true, mode: 0o700 });
  const peerKey = loadOrCreateNodeKey(peerKeyPath);
  const stateFile = new ClnStateFile(path.join(clnDir, 'simulator-state.json'));
  const state = stateFile.load();
  const save = (): void => stateFile.save(state);

  const invoices = new ClnInvoiceBook(state, save, nodeKey);
  const outside = new SiblingOutsideNetwork(state, save, peerKey);
  const payments = new ClnPaymentEngine(state, save, {
    ourPubkey: nodeKey.pubkey,
    invoices,
    outside,
    maxPaymentTimeoutMs: options.maxPaymentTimeoutMs ?? DEFAULT_MAX_PAYMENT_TIMEOUT_MS,
  });
  const openCalls = new OpenCalls();
  payments.start();

  const payable = { acceptPayment: (hash: string, msat: number) => ({ state: invoices.acceptPayment(hash, msat).status }) };
  const controls = {
    payInvoice: (bolt11: string, amountMsat?: number) => payOurInvoice(payable, nodeKey.pubkey, bolt11, amountMsat),
    createOutsideInvoice: (invoice: ClnOutsideInvoiceOptions = {}) => {
      const record = outside.createInvoice(invoice);
      return { bolt11: record.paymentRequest, paymentHash: record.paymentHash };
    },
    paymentAttempts: (paymentHash: string) => payments.attempts(paymentHash.toLowerCase()),
    resolvePayment: (paymentHash: string, outcome: PaymentOutcome) => {
      const pay = payments.resolve(paymentHash.toLowerCase(), outcome);
      return { paymentHash: pay.paymentHash, status: pay.status };
    },
    dropStreams: () => openCalls.dropAll(),
    holdSends: (hold: boolean) => payments.holdSends(hold),
    heldSendCount: () => payments.heldSendCount,
    openCallCount: () => openCalls.size,
  };

  const siblings = new SiblingSimulators(options.siblingControlUrls ?? []);
  const stopped: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stopped.reverse()) await stop();
    payments.stop();
  };
  try {
    const grpcServer = await startClnGrpcServer({
      host,
      port: options.grpcPort ?? DEFAULT_CLN_GRPC_PORT,
      tls,
      openCalls,
      invoices,
      payments,
      pubkey: nodeKey.pubkey,
      peerPubkey: peerKey.pubkey,
      lightningDir: clnDir,
    });
    stopped.push(grpcServer.stop);
    const controlServer = await startControlServer(
      httpControls(controls, { pubkey: nodeKey.pubkey, outside, siblings }),
      host,
      options.controlPort ?? DEFAULT_CLN_CONTROL_PORT,
      siblings,
    );
    stopped.push(controlServer.stop);

    let stopping: Promise<void> | undefined;
    return {
      ...controls,
      host,
      grpcPort: grpcServer.port,
      controlPort: controlServer.port,
      grpcAddress: `${host}:${grpcServer.port}`,
      pubkey: nodeKey.pubkey,
      peerPubkey: peerKey.pubkey,
      caCertPath: tls.caPath,
      clientCertPath: tls.clientCertPath,
      clientKeyPath: tls.clientKeyPath,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
