import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { OutsidePaymentResult } from '../outside-payer';
import type { PaymentAttempts } from '../payment-engine';
import { RpcFailure } from '../rpc-failure';
import type { PaymentOutcome } from '../state/records';
import { HttpProblem } from './http-problem';
import type { SimulatorControls } from './simulator-controls';
import { forwardingToSiblings } from './sibling-forwarding';
import type { SiblingOutsideNetwork } from './sibling-outside-network';
import { FORWARDED_HEADER, type SiblingControlUrls, SiblingSimulators } from './sibling-simulators';
import {
  adoptedInvoiceBodySchema,
  faultsBodySchema,
  outsideInvoiceBodySchema,
  PAYMENT_HASH_PATTERN,
  payBodySchema,
  resolveBodySchema,
} from './schemas';

const MAX_BODY_BYTES = 64 * 1024;

export type { SimulatorControls };

/** What a test asks of an outside invoice, in the simulators' in-process handles. */
export interface OutsideInvoiceOptions {
  amountMsat?: number;
  memo?: string;
  outcome?: PaymentOutcome;
  feeMsat?: number;
  expirySec?: number;
}

/** The in-process handle both simulators (LND and Core Lightning) give tests, in camelCase. */
export interface InProcessControls {
  payInvoice(bolt11: string, amountMsat?: number): OutsidePaymentResult;
  createOutsideInvoice(input: OutsideInvoiceOptions): { bolt11: string; paymentHash: string };
  paymentAttempts(paymentHash: string): PaymentAttempts;
  resolvePayment(paymentHash: string, outcome: PaymentOutcome): { paymentHash: string; status: string };
  dropStreams(): number;
  holdSends(hold: boolean): number;
}

/** What the control API knows of its simulator besides the in-process handle. */
export interface ControlledNode {
  pubkey: string;
  outside: SiblingOutsideNetwork;
  siblings: SiblingSimulators;
}

/** The control API's view (snake_case bodies) of a simulator's in-process handle: this simulator alone. */
export function httpControls(simulator: InProcessControls, node: ControlledNode): SimulatorControls {
  return {
    node: () => ({ pubkey: node.pubkey, outside_pubkey: node.outside.peerKey.pubkey, siblings: node.siblings.list() }),
    payInvoice: simulator.payInvoice,
    createOutsideInvoice: (body) => {
      const created = simulator.createOutsideInvoice({
        amountMsat: body.amount_msat,
        memo: body.memo,
        outcome: body.outcome,
        feeMsat: body.fee_msat,
        expirySec: body.expiry_seconds,
      });
      return { bolt11: created.bolt11, payment_hash: created.paymentHash };
    },
    adoptOutsideInvoice: (body) => {
      node.outside.adopt({
        paymentHash: body.payment_hash,
        preimage: body.preimage,
        paymentRequest: body.bolt11,
        amountMsat: body.amount_msat,
        outcome: body.outcome,
        feeMsat: body.fee_msat,
      });
      return { payment_hash: body.payment_hash };
    },
    outsideInvoice: (paymentHash) => node.outside.find(paymentHash),
    paymentAttempts: simulator.paymentAttempts,
    resolvePayment: (paymentHash, outcome) => {
      const resolved = simulator.resolvePayment(paymentHash, outcome);
      return { payment_hash: resolved.paymentHash, status: resolved.status };
    },
    dropStreams: simulator.dropStreams,
    holdSends: simulator.holdSends,
  };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, 'body is not valid JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new HttpProblem(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  response.end(json);
}

async function route(controls: SimulatorControls, request: IncomingMessage): Promise<unknown> {
  const url = new URL(request.url ?? '/', 'http://simulator');
  const method = request.method ?? 'GET';
  const paymentPath = /^\/payments\/([^/]+)(\/resolve)?$/.exec(url.pathname);

  if (method === 'GET' && url.pathname === '/node') return controls.node();
  if (method === 'POST' && url.pathname === '/pay') {
    const body = parse(payBodySchema, await readJson(request));
    return controls.payInvoice(body.bolt11, body.amount_msat);
  }
  if (method === 'POST' && url.pathname === '/invoices') {
    return controls.createOutsideInvoice(parse(outsideInvoiceBodySchema, await readJson(request)));
  }
  if (method === 'POST' && url.pathname === '/outside-invoices') {
    return controls.adoptOutsideInvoice(parse(adoptedInvoiceBodySchema, await readJson(request)));
  }
  if (method === 'POST' && url.pathname === '/faults') {
    const body = parse(faultsBodySchema, await readJson(request));
    const held = body.hold_sends === undefined ? {} : { [body.hold_sends ? 'held_sends' : 'started_sends']: controls.holdSends(body.hold_sends) };
    return { dropped_streams: body.drop_streams ? controls.dropStreams() : 0, ...held };
  }
  if (paymentPath) {
    const paymentHash = (paymentPath[1] ?? '').toLowerCase();
    if (!PAYMENT_HASH_PATTERN.test(paymentHash)) throw new HttpProblem(400, 'payment hash must be 64 hex characters');
    if (method === 'GET' && !paymentPath[2]) return controls.paymentAttempts(paymentHash);
    if (method === 'POST' && paymentPath[2]) {
      const body = parse(resolveBodySchema, await readJson(request));
      return controls.resolvePayment(paymentHash, body.outcome);
    }
  }
  throw new HttpProblem(404, `no route for ${method} ${url.pathname}`);
}

export { SiblingSimulators, type SiblingControlUrls };

export interface RunningControlServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * The HTTP JSON control API of API.md, on loopback only. With siblings (the other simulators
 * of one local stack) each call reaches the simulator it is about (sibling-forwarding.ts); a
 * call a sibling passed on is answered by this simulator alone.
 */
export async function startControlServer(
  controls: SimulatorControls,
  host: string,
  port: number,
  siblings?: SiblingSimulators,
): Promise<RunningControlServer> {
  const forwarding = siblings ? forwardingToSiblings(controls, siblings) : controls;
  const server: Server = createServer((request, response) => {
    route(request.headers[FORWARDED_HEADER] ? controls : forwarding, request).then(
      (body) => send(response, 200, body),
      (error: unknown) => {
        if (error instanceof HttpProblem) send(response, error.status, { error: error.message });
        else if (error instanceof RpcFailure) send(response, 409, { error: error.message });
        else send(response, 500, { error: error instanceof Error ? error.message : String(error) });
      },
    );
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
