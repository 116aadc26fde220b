import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { httpControls, SiblingSimulators, startControlServer, type OutsideInvoiceOptions, type SiblingControlUrls } from './control-api/control-server';
import { SiblingOutsideNetwork } from './control-api/sibling-outside-network';
import { startGrpcServer } from './grpc/grpc-server';
import { OpenStreams } from './grpc/open-streams';
import { InvoiceBook } from './invoice-book';
import { MacaroonVerifier } from './macaroons';
import { loadOrCreateNodeKey } from './node-key';
import { type OutsidePaymentResult, payOurInvoice } from './outside-payer';
import { type PaymentAttempts, PaymentEngine } from './payment-engine';
import { type PaymentOutcome } from './state/records';
import { StateFile } from './state/state-file';
import { loadOrCreateTlsFiles } from './tls/tls-files';

export const DEFAULT_GRPC_PORT = 10009;
export const DEFAULT_CONTROL_PORT = 9737;
const DEFAULT_MAX_PAYMENT_TIMEOUT_MS = 2_000;

export interface LndSimulatorOptions {
  /** Keys, certificate, macaroons and state go to `${dataDir}/lnd/`. */
  dataDir: string;
  /** 0 picks a free port. Default 10009. */
  grpcPort?: number;
  /** 0 picks a free port. Default 9737. */
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
  /** Upper bound on how long a "timeout" outcome waits before failing. Default 2,000 ms. */
  maxPaymentTimeoutMs?: number;
}

export type { OutsideInvoiceOptions };

export interface LndSimulator {
  host: string;
  grpcPort: number;
  controlPort: number;
  /** host:port for LND clients. */
  grpcAddress: string;
  /** Our node's identity pubkey (payee of its invoices). */
  pubkey: string;
  /** The simulated peer, payee of outside invoices. */
  peerPubkey: string;
  tlsCertPath: string;
  adminMacaroonPath: string;
  invoiceMacaroonPath: string;
  paymentMacaroonPath: string;
  /** An outside payer pays one of our invoices (POST /pay). */
  payInvoice(bolt11: string, amountMsat?: number): OutsidePaymentResult;
  /** An invoice of an outside node whose payment ends as `outcome` (POST /invoices). */
  createOutsideInvoice(options?: OutsideInvoiceOptions): { bolt11: string; paymentHash: string };
  /** How often our node tried to pay a hash (GET /payments/{hash}). */
  paymentAttempts(paymentHash: string): PaymentAttempts;
  /** Ends an in-flight payment (POST /payments/{hash}/resolve); throws if none is in flight. */
  resolvePayment(paymentHash: string, outcome: PaymentOutcome): { paymentHash: string; status: string };
  /** Cuts every open gRPC stream with UNAVAILABLE (POST /faults). Returns how many. */
  dropStreams(): number;
  /**
   * Fault (POST /faults {"hold_sends"}): true holds every SendPaymentV2 from now on after
   * the invoice checks, its stream open and the payment not started, as on a node slow to
   * write its payment store; false starts the held ones (callers gone or not) and stops
   * holding. Returns how many are held (true) or were started (false).
   */
  holdSends(hold: boolean): number;
  /** SendPaymentV2 calls held by the fault right now. */
  heldSendCount(): number;
  /** Server streams currently open (invoice subscriptions, payment streams), for tests to await. */
  openStreamCount(): number;
  stop(): Promise<void>;
}

export async function startLndSimulator(options: LndSimulatorOptions): Promise<LndSimulator> {
  const host = options.host ?? '127.0.0.1';
  const lndDir = path.join(options.dataDir, 'lnd');
  mkdirSync(lndDir, { recursive: true, mode: 0o700 });

  const tls = loadOrCreateTlsFiles(lndDir);
  const { verifier, paths: macaroonPaths } = MacaroonVerifier.loadOrCreate(lndDir);
  const nodeKey = loadOrCreateNodeKey(path.join(lndDir, 'node.key'));
  const peerKeyPath = options.outsidePeerKeyPath ?? path.join(lndDir, 'peer.key');
  mkdirSync(path.dirname(peerKeyPath), { recursive: true, mode: 0o700 });
  const peerKey = loadOrCreateNodeKey(peerKeyPath);
  const stateFile = new StateFile(path.join(lndDir, 'simulator-state.json'));
  const state = stateFile.load();
  const save = (): void => stateFile.save(state);

  const invoices = new InvoiceBook(state, save, nodeKey);
  const outside = new SiblingOutsideNetwork(state, save, peerKey);
  const payments = new PaymentEngine(state, save, {
    ourPubkey: nodeKey.pubkey,
    invoices,
    outside,
    maxPaymentTimeoutMs: options.maxPaymentTimeoutMs ?? DEFAULT_MAX_PAYMENT_TIMEOUT_MS,
  });
  const streams = new OpenStreams();
  invoices.start();
  payments.start();

  const simulator = {
    payInvoice: (bolt11: string, amountMsat?: number) => payOurInvoice(invoices, nodeKey.pubkey, bolt11, amountMsat),
    createOutsideInvoice: (invoice: OutsideInvoiceOptions = {}) => {
      const record = outside.createInvoice(invoice);
      return { bolt11: record.paymentRequest, paymentHash: record.paymentHash };
    },
    paymentAttempts: (paymentHash: string) => payments.attempts(paymentHash.toLowerCase()),
    resolvePayment: (paymentHash: string, outcome: PaymentOutcome) => {
      const payment = payments.resolve(paymentHash.toLowerCase(), outcome);
      return { paymentHash: payment.paymentHash, status: payment.status.toLowerCase() };
    },
    dropStreams: () => streams.dropAll(),
    holdSends: (hold: boolean) => payments.holdSends(hold),
    heldSendCount: () => payments.heldSendCount,
    openStreamCount: () => streams.size,
  };

  const siblings = new SiblingSimulators(options.siblingControlUrls ?? []);
  const stopped: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stopped.reverse()) await stop();
    invoices.stop();
    payments.stop();
  };
  try {
    const grpcServer = await startGrpcServer({
      host,
      port: options.grpcPort ?? DEFAULT_GRPC_PORT,
      tls,
      macaroons: verifier,
      streams,
      invoices,
      payments,
      pubkey: nodeKey.pubkey,
      peerPubkey: peerKey.pubkey,
    });
    stopped.push(grpcServer.stop);
    const controlServer = await startControlServer(
      httpControls(simulator, { pubkey: nodeKey.pubkey, outside, siblings }),
      host,
      options.controlPort ?? DEFAULT_CONTROL_PORT,
      siblings,
    );
    stopped.push(controlServer.stop);

    let stopping: Promise<void> | undefined;
    return {
      ...simulator,
      host,
      grpcPort: grpcServer.port,
      controlPort: controlServer.port,
      grpcAddress: `${host}:${grpcServer.port}`,
      pubkey: nodeKey.pubkey,
      peerPubkey: peerKey.pubkey,
      tlsCertPath: tls.certPath,
      adminMacaroonPath: macaroonPaths.admin,
      invoiceMacaroonPath: macaroonPaths.invoice,
      paymentMacaroonPath: macaroonPaths.payment,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
