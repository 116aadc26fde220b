import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClnClient } from '../../functions/lib/cln';
import { LndClient } from '../../functions/lib/lnd';
import { ClnNode } from '../../functions/lib/node/cln/cln-node';
import type { InvoiceNode, LightningNode } from '../../functions/lib/node/lightning-node';
import { LightClnInvoiceNode, type LightClnConnection } from '../../functions/lib/node/light/light-cln-invoice-node';
import { LightLndInvoiceNode, type LightLndConnection } from '../../functions/lib/node/light/light-lnd-invoice-node';
import { LndNode } from '../../functions/lib/node/lnd/lnd-node';
import {
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  NodeAccessDeniedError,
  NodeError,
  NodeUnreachableError,
  UnknownInvoiceError,
  UnsupportedRequestError,
} from '../../functions/lib/node/node-errors';
import { NodeInvoiceState } from '../../functions/lib/node/node-types';
import type { InProcessControls } from '../../lnd-simulator/control-api/control-server';
import { startStubClnNode } from '../cln/support/stub-cln-node';
import { startClnFixture } from '../cln/support/cln-fixture';
import { foreignPki } from '../cln/support/foreign-pki';
import { startSimulatorFixture } from '../lnd/support/simulator-fixture';

type LightNode = InvoiceNode & { close(): void };

/** Where to point a node: elsewhere (a node that is down or silent), with a short deadline. */
interface Reach {
  host?: string;
  unaryTimeoutMs?: number;
}

/** A simulator reached by the light node with the API's credentials, and by the full adapter beside it. */
interface LightBackend {
  sim: InProcessControls & { pubkey: string };
  light(reach?: Reach): LightNode;
  full(reach?: Reach): LightningNode;
  /** The full adapter with credentials that may decode (LND's invoice macaroon may not). */
  decoder(): LightningNode;
  /** Both adapters with credentials the node refuses. */
  refused(): { light: LightNode; full: LightningNode };
  keepsLabels: boolean;
  forgetsCanceledInvoices: boolean;
  takesDescriptionHash: boolean;
  /** A directory the CLN stub can take its certificates from; undefined for LND. */
  clnDir?: string;
  stop(): Promise<void>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function lndBackend(): Promise<LightBackend> {
  const fixture = await startSimulatorFixture();
  const opened: { close(): void }[] = [];
  const keep = <T extends { close(): void }>(node: T): T => (opened.push(node), node);
  const connection = (reach: Reach = {}): LightLndConnection => ({
    host: reach.host ?? fixture.sim.grpcAddress,
    tlsCert: readFileSync(fixture.sim.tlsCertPath),
    macaroon: readFileSync(fixture.sim.invoiceMacaroonPath),
    ...(reach.unaryTimeoutMs !== undefined ? { unaryTimeoutMs: reach.unaryTimeoutMs } : {}),
  });
  return {
    sim: fixture.sim,
    light: (reach) => keep(new LightLndInvoiceNode(connection(reach))),
    full: (reach = {}) =>
      keep(new LndNode(fixture.client('invoice', { ...(reach.host ? { host: reach.host } : {}), ...(reach.unaryTimeoutMs ? { unaryTimeoutMs: reach.unaryTimeoutMs } : {}) }))),
    decoder: () => keep(new LndNode(fixture.client('admin'))),
    refused: () => {
      const refusedConnection = { ...connection(), macaroon: randomBytes(64) };
      return { light: keep(new LightLndInvoiceNode(refusedConnection)), full: keep(new LndNode(new LndClient(refusedConnection))) };
    },
    keepsLabels: false,
    forgetsCanceledInvoices: false,
    takesDescriptionHash: true,
    async stop() {
      for (const node of opened.splice(0)) node.close();
      await fixture.stop();
    },
  };
}

async function clnBackend(): Promise<LightBackend> {
  const fixture = await startClnFixture();
  const opened: { close(): void }[] = [];
  const keep = <T extends { close(): void }>(node: T): T => (opened.push(node), node);
  const connection = (reach: Reach = {}): LightClnConnection => ({
    host: reach.host ?? fixture.sim.grpcAddress,
    caCert: readFileSync(fixture.sim.caCertPath),
    clientCert: readFileSync(fixture.sim.clientCertPath),
    clientKey: readFileSync(fixture.sim.clientKeyPath),
    ...(reach.unaryTimeoutMs !== undefined ? { unaryTimeoutMs: reach.unaryTimeoutMs } : {}),
  });
  return {
    sim: fixture.sim,
    light: (reach) => keep(new LightClnInvoiceNode(connection(reach))),
    full: (reach) => keep(new ClnNode(new ClnClient(connection(reach)))),
    decoder: () => keep(new ClnNode(new ClnClient(connection()))),
    refused: () => {
      const { clientCertPem: clientCert, clientKeyPem: clientKey } = foreignPki();
      const foreign = { ...connection(), clientCert, clientKey };
      return { light: keep(new LightClnInvoiceNode(foreign)), full: keep(new ClnNode(new ClnClient(foreign))) };
    },
    keepsLabels: true,
    forgetsCanceledInvoices: true,
    takesDescriptionHash: false,
    clnDir: path.join(fixture.dataDir, 'cln'),
    async stop() {
      for (const node of opened.splice(0)) node.close();
      await fixture.stop();
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

/** A TCP port that accepts connections and never says a word (a node that hangs). */
async function silentServer(): Promise<{ host: string; stop(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** host:port where nothing listens any more. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

const BACKENDS = [
  { name: 'lnd', start: lndBackend },
  { name: 'cln', start: clnBackend },
];

describe.each(BACKENDS)('light invoice node: $name', ({ start }) => {
  let backend: LightBackend;
  let node: LightNode;

  beforeAll(async () => {
    backend = await start();
    node = backend.light();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  const newInvoice = (amountMsat = 5_000, memo = 'coffee') => node.createInvoice({ label: `inv_${randomUUID()}`, amountMsat, memo, expirySec: 600 });

  it('reports the node key, the chain by LND names and sync, as the full adapter does', async () => {
    const info = await node.getNodeInfo();
    expect(info).toMatchObject({ pubkey: backend.sim.pubkey, network: 'regtest', synced: true, activeChannels: 1, peers: 1 });
    expect(info.blockHeight).toBeGreaterThan(0);
    expect(info).toEqual(await backend.full().getNodeInfo());
  });

  it('creates an open invoice, and looks it up settled with the amount paid once an outside payer paid it', async () => {
    const created = await newInvoice(7_000, 'a pizza');
    const decoded = await backend.decoder().decode(created.bolt11);
    expect(decoded).toMatchObject({ paymentHash: created.paymentHash, payee: backend.sim.pubkey, amountMsat: 7_000, description: 'a pizza', expirySec: 600 });

    const open = await node.lookupInvoice(created.paymentHash);
    expect(open).toMatchObject({ paymentHash: created.paymentHash, state: NodeInvoiceState.open, amountPaidMsat: 0, settleIndex: 0, settledAtSec: null });
    expect(open?.addIndex).toBeGreaterThan(0);
    expect(open).toEqual(await backend.full().lookupInvoice(created.paymentHash));

    expect(backend.sim.payInvoice(created.bolt11, 9_000).status).toBe('settled');
    const paid = await node.lookupInvoice(created.paymentHash);
    expect(paid).toMatchObject({ state: NodeInvoiceState.settled, amountPaidMsat: 9_000, addIndex: open?.addIndex });
    expect(paid?.settleIndex).toBeGreaterThan(0);
    expect(paid?.settledAtSec).toBeGreaterThan(0);
    expect(sha256(Buffer.from(paid?.preimage ?? '', 'hex'))).toBe(created.paymentHash);
    expect(paid).toEqual(await backend.full().lookupInvoice(created.paymentHash));
  });

  it('looks up an unknown hash as undefined', async () => {
    expect(await node.lookupInvoice('ab'.repeat(32))).toBeUndefined();
  });

  it('refuses a malformed hash before calling the node, as the full adapter does', async () => {
    await expect(node.lookupInvoice('not-hex')).rejects.toBeInstanceOf(TypeError);
    await expect(node.cancelInvoice('ab')).rejects.toBeInstanceOf(TypeError);
  });

  it('commits to a bare description hash, or refuses it as unsupported before asking the node', async () => {
    const descriptionHash = sha256(Buffer.from('{"metadata":1}'));
    const create = node.createInvoice({ label: `inv_${randomUUID()}`, amountMsat: 1_000, descriptionHash, expirySec: 600 });
    if (backend.takesDescriptionHash) {
      expect((await backend.decoder().decode((await create).bolt11)).descriptionHash).toBe(descriptionHash);
    } else {
      await expect(create).rejects.toBeInstanceOf(UnsupportedRequestError);
      await expect(create).rejects.toMatchObject({ field: 'descriptionHash' });
    }
  });

  it('commits to a description hash given with its text, and the BOLT11 carries no description', async () => {
    const description = '[["text/plain","tip jar"]]';
    const descriptionHash = sha256(Buffer.from(description, 'utf8'));
    const created = await node.createInvoice({ label: `inv_${randomUUID()}`, amountMsat: 1_000, descriptionHash, description, expirySec: 600 });
    expect(await backend.decoder().decode(created.bolt11)).toMatchObject({ descriptionHash, description: '' });
  });

  it('a retried label answers with the unpaid invoice made for it when amount and memo agree (labelled nodes)', async () => {
    const label = `inv_${randomUUID()}`;
    const first = await node.createInvoice({ label, amountMsat: 3_000, memo: 'tea', expirySec: 600 });
    const again = node.createInvoice({ label, amountMsat: 3_000, memo: 'tea', expirySec: 600 });
    const different = node.createInvoice({ label, amountMsat: 4_000, memo: 'tea', expirySec: 600 });
    if (backend.keepsLabels) {
      expect(await again).toEqual(first);
      await expect(different).rejects.toBeInstanceOf(DuplicateInvoiceError);
      backend.sim.payInvoice(first.bolt11);
      await expect(node.createInvoice({ label, amountMsat: 3_000, memo: 'tea', expirySec: 600 })).rejects.toBeInstanceOf(DuplicateInvoiceError);
    } else {
      expect((await again).paymentHash).not.toBe(first.paymentHash);
      expect((await different).paymentHash).not.toBe(first.paymentHash);
    }
  });

  it('cancels an unpaid invoice: it can no longer be paid, and canceling again changes nothing', async () => {
    const created = await newInvoice();
    await node.cancelInvoice(created.paymentHash);
    expect(backend.sim.payInvoice(created.bolt11).status).toBe('failed');
    const after = await node.lookupInvoice(created.paymentHash);
    if (backend.forgetsCanceledInvoices) {
      expect(after).toBeUndefined();
      await expect(node.cancelInvoice(created.paymentHash)).rejects.toBeInstanceOf(UnknownInvoiceError);
    } else {
      expect(after?.state).toBe(NodeInvoiceState.canceled);
      await node.cancelInvoice(created.paymentHash);
    }
  });

  it('refuses to cancel a paid invoice (InvoiceAlreadySettledError) and one it never had (UnknownInvoiceError)', async () => {
    const created = await newInvoice();
    backend.sim.payInvoice(created.bolt11);
    await expect(node.cancelInvoice(created.paymentHash)).rejects.toBeInstanceOf(InvoiceAlreadySettledError);
    expect((await node.lookupInvoice(created.paymentHash))?.state).toBe(NodeInvoiceState.settled);
    await expect(node.cancelInvoice('cd'.repeat(32))).rejects.toBeInstanceOf(UnknownInvoiceError);
  });

  it('fails with the same error class as the full adapter when the node refuses the credentials', async () => {
    const { light, full } = backend.refused();
    const lightError = await rejection(light.getNodeInfo());
    const fullError = await rejection(full.getNodeInfo());
    expect(lightError).toBeInstanceOf(NodeError);
    expect(lightError.constructor).toBe(fullError.constructor);
    expect(lightError).toMatchObject({ operation: 'getNodeInfo' });
    // LND checks the macaroon; cln-grpc refuses a foreign client certificate in the handshake.
    expect(lightError).toBeInstanceOf(backend.clnDir ? NodeUnreachableError : NodeAccessDeniedError);
    const created = rejection(light.createInvoice({ label: `inv_${randomUUID()}`, amountMsat: 1_000, expirySec: 600 }));
    expect((await created).constructor).toBe(lightError.constructor);
  });

  it('is NodeUnreachableError when nothing listens at the host, and works again once pointed back', async () => {
    const error = await rejection(backend.light({ host: await closedPort(), unaryTimeoutMs: 2_000 }).getNodeInfo());
    expect(error).toBeInstanceOf(NodeUnreachableError);
    expect(error).toMatchObject({ operation: 'getNodeInfo' });
  });

  it('is NodeUnreachableError once its deadline passes on a node that never answers', async () => {
    const silent = await silentServer();
    try {
      const startedAt = Date.now();
      const error = await rejection(backend.light({ host: silent.host, unaryTimeoutMs: 300 }).lookupInvoice('ab'.repeat(32)));
      expect(error).toBeInstanceOf(NodeUnreachableError);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
    } finally {
      await silent.stop();
    }
  });
});

describe('light invoice node: cln answers the simulator cannot give', () => {
  let backend: LightBackend;

  beforeAll(async () => {
    backend = await clnBackend();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  const unpaid = {
    invoices: [{ label: 'inv_1', payment_hash: Buffer.alloc(32, 1), status: 'UNPAID', expires_at: '1', created_index: '1' }],
  };
  const rpcError = (code: number, data = '') => ({
    error: { code: grpc.status.UNKNOWN, details: `Error calling method DelInvoice: RpcError { code: Some(${code}), message: "no", data: ${data || 'None'} }` },
  });

  async function cancelAgainst(delInvoice: Parameters<typeof startStubClnNode>[1][string]): Promise<unknown> {
    const stub = await startStubClnNode(backend.clnDir!, { ListInvoices: { response: unpaid }, DelInvoice: delInvoice });
    try {
      return await backend.light({ host: stub.address }).cancelInvoice('01'.repeat(32)).then(
        () => 'canceled',
        (error: unknown) => error,
      );
    } finally {
      await stub.stop();
    }
  }

  it('a cancel that races the payment (906, now paid) is InvoiceAlreadySettledError; one that races expiry or a delete succeeds', async () => {
    expect(await cancelAgainst(rpcError(906, 'Some(Object {"current_status": String("paid")})'))).toBeInstanceOf(InvoiceAlreadySettledError);
    expect(await cancelAgainst(rpcError(906, 'Some(Object {"current_status": String("expired")})'))).toBe('canceled');
    expect(await cancelAgainst(rpcError(905))).toBe('canceled');
    expect(await cancelAgainst(rpcError(1234))).toBeInstanceOf(NodeError);
  });

  it('waits no longer than its deadline for a node that takes the call and never answers', async () => {
    const stub = await startStubClnNode(backend.clnDir!, { Getinfo: 'never' });
    try {
      const error = await rejection(backend.light({ host: stub.address, unaryTimeoutMs: 300 }).getNodeInfo());
      expect(error).toBeInstanceOf(NodeUnreachableError);
      expect(error.message).toBe('Core Lightning Getinfo got no answer (DEADLINE_EXCEEDED)');
    } finally {
      await stub.stop();
    }
  });
});
